"""Escalation pages: the DM a lead, manager or executive gets, and its fallback in the support channel.

Pages due together to one person come as one DM (`page_bundle`) with a part per page: each part has its
own Acknowledge and Take ticket, in an actions block whose id names the page, so redrawing one part after a
click leaves the others as they were.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.blocks.kit import Message, actions, button, context, message, section
from bot.durations import format_duration
from bot.ids import Action, Block
from bot.policy import Policy, Priority
from bot.text import escape, mention, slack_date
from models import Page, Ticket

# A part is at most 5 blocks (a divider, the page, its owner, its acknowledgement, its buttons): 9 parts
# and a heading keep within Block Kit's 50 blocks a message.
PAGES_PER_MESSAGE = 9


@dataclass(frozen=True)
class PagePart:
    page: Page
    ticket: Ticket
    link: str | None  # the ticket's message in the support channel, if known


def page_message(
    page: Page, ticket: Ticket, policy: Policy, link: str | None, *, fallback_for: str | None = None
) -> Message:
    """One page alone in its message."""
    return page_bundle([PagePart(page, ticket, link)], policy, fallback_for=fallback_for)


def page_bundle(parts: list[PagePart], policy: Policy, *, fallback_for: str | None = None) -> Message:
    """The pages of one message (at most PAGES_PER_MESSAGE), in the order given."""
    if not 1 <= len(parts) <= PAGES_PER_MESSAGE:
        raise ValueError(f"a page message holds 1 to {PAGES_PER_MESSAGE} pages, not {len(parts)}")
    blocks: list[dict[str, Any]] = []
    if fallback_for:
        blocks.append(context(f"Could not reach {mention(fallback_for)} by DM, so this page is posted here."))
    alone = len(parts) == 1
    if not alone:
        # Pages due together may differ in lateness: the heading and the notification say which is late.
        refs = ", ".join(part.ticket.ref + _late(part.page) for part in parts)
        blocks.append(section(f":rotating_light: *{len(parts)} escalations for you at once:* {refs}"))
    texts: list[str] = []
    for part in parts:
        if not alone:
            blocks.append({"type": "divider"})
        blocks += _part(part, policy, block_id=Block.PAGE_ACTIONS if alone else _actions_id(part.page))
        label = Priority(part.ticket.priority).label
        again = " (again)" if part.page.repeat else ""
        texts.append(
            f"Escalation {part.ticket.ref} {label}{_late(part.page)}{again}: {escape(part.ticket.title)}"
        )
    who = f"{mention(fallback_for)}: " if fallback_for else ""
    return message(who + "\n".join(texts), blocks)


def _late(page: Page) -> str:
    return " (late)" if page.late else ""


def _actions_id(page: Page) -> str:
    return f"{Block.PAGE_ACTIONS}.{page.id}"


def _part(part: PagePart, policy: Policy, *, block_id: str) -> list[dict[str, Any]]:
    page, ticket = part.page, part.ticket
    customer = policy.customers.get(ticket.customer)
    customer_name = escape(customer.name if customer else ticket.customer)
    label = Priority(ticket.priority).label
    # How long it had waited when the page fell due: a redraw of one part leaves the others unchanged.
    waited = format_duration(max(page.due_at - ticket.created_at, timedelta(0)))
    again = f" · _paged again ({page.repeat})_" if page.repeat else ""  # nobody had acknowledged
    lines = [
        f":rotating_light: *Escalation: {ticket.ref}* · {label} · {customer_name}{again}",
        f"*{escape(ticket.title)}*",
        f"Waiting {waited} · {page.reason}",  # mrkdwn, escaped when made
    ]
    if page.late:
        # Whether its step ran late (Secondline down) or its DM did (Slack): the reader needs the due time.
        lines.append(
            f"_This page is late: it was due {slack_date(page.due_at)}, when Secondline could not send it._"
        )
    if part.link:
        lines.append(f"<{part.link}|Open the ticket>")
    owner = f"Owner: {mention(ticket.owner_id)}" if ticket.owner_id else "Nobody has claimed it yet."
    blocks: list[dict[str, Any]] = [section("\n".join(lines)), context(owner)]
    value = str(page.id)
    if page.acknowledged_at is not None:
        blocks.append(
            context(
                f"Acknowledged by {mention(page.acknowledged_by or '')} {slack_date(page.acknowledged_at)}"
            )
        )
        if ticket.owner_id != page.acknowledged_by:
            blocks.append(actions(block_id, button("Take ticket", Action.TAKE, value)))
    else:
        blocks.append(
            actions(
                block_id,
                button("Acknowledge", Action.ACKNOWLEDGE, value, "primary"),
                button("Take ticket", Action.TAKE, value),
            )
        )
    return blocks
