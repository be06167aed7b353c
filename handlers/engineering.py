"""Engineering issues: `/support link SUP-42 <url>`, and the key user's **Still fails** on a shipped fix."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.engineering.forms import link_issue_modal
from bot.ids import Action, Block, Callback
from bot.permissions import Do
from handlers import forms
from handlers.clicks import Body, as_clicker, ticket_id_of
from handlers.deps import Deps, response_url_of, user_of, where
from handlers.subcommands.common import parse_reference

NOT_SET_UP = "Linking engineering issues is not set up in this deployment."
BOTH = "Paste a link to an existing issue, or write a summary to create one: not both."


async def link(deps: Deps, user_id: str, args: list[str]) -> str:
    """`/support link SUP-42 <url>`: an engineer links the ticket to a GitHub, Jira or Linear issue."""
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None or len(args) != 2:
        return "Which ticket and which issue? Write `/support link SUP-42 https://github.com/owner/repo/issues/12`."
    if deps.engineering is None:
        return NOT_SET_UP
    return await deps.engineering.link(ticket_id, user_id, args[1])


async def still_fails(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    engineering = deps.engineering

    async def work(user: str) -> None:
        if engineering is None:
            await deps.notifier.tell(user, where(body), NOT_SET_UP, response_url_of(body))
            return
        ticket = await engineering.still_fails(ticket_id_of(action), user)
        await deps.notifier.tell(
            user, where(body), f"{ticket.ref} is open again; the team is told.", response_url_of(body)
        )

    await as_clicker(deps, body, work)


async def open_link_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    """**Link issue** on a ticket's message: the form, for those who may link."""
    await ack()
    trackers = deps.engineering.creatable() if deps.engineering else []
    await forms.open_form(
        deps, body, action, Do.LINK_ISSUE, lambda ticket: link_issue_modal(ticket, trackers)
    )


async def link_submitted(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    values = forms.values(view)
    url = (forms.text(values, Block.ISSUE_URL, Action.ISSUE_URL) or "").strip()
    summary = (forms.text(values, Block.ISSUE_SUMMARY, Action.ISSUE_SUMMARY) or "").strip()
    engineering = deps.engineering
    if engineering is None:
        await ack(response_action="errors", errors={Block.ISSUE_URL: NOT_SET_UP})
        return
    user = user_of(body) or ""
    if url and summary:
        await ack(response_action="errors", errors={Block.ISSUE_SUMMARY: BOTH})
        return
    if not url and summary:  # Create issue
        trackers = engineering.creatable()
        chosen = forms.selected(values, Block.ISSUE_TRACKER, Action.ISSUE_TRACKER)
        tracker = chosen or (trackers[:1] or [""])[0]
        await forms.submit(
            ack,
            body,
            deps,
            lambda: engineering.create(forms.ticket_id(view), user, tracker, summary),
            Block.ISSUE_SUMMARY,
        )
        return
    await forms.submit(
        ack,
        body,
        deps,
        lambda: engineering.link(forms.ticket_id(view), user, url),
        Block.ISSUE_URL,
    )


def register(app: AsyncApp) -> None:
    app.action(Action.FIX_STILL_FAILS)(still_fails)
    app.action(Action.LINK_ISSUE)(open_link_form)
    app.view(Callback.LINK_ISSUE_MODAL)(link_submitted)
