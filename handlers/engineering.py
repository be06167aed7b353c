"""Engineering issues: `/support link SUP-42 <url>`, and the key user's **Still fails** on a shipped fix."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.ids import Action
from handlers.actions import Body, as_clicker, ticket_id_of
from handlers.deps import Deps, response_url_of, where
from handlers.subcommands.common import parse_reference

NOT_SET_UP = "Linking engineering issues is not set up in this deployment."


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


def register(app: AsyncApp) -> None:
    app.action(Action.FIX_STILL_FAILS)(still_fails)
