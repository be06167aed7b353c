"""Escalation pages: the DM a lead, manager or executive gets, and its fallback in the support channel."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.blocks.kit import Message, actions, button, context, message, section
from bot.durations import format_duration
from bot.ids import Action, Block
from bot.policy import Policy, Priority
from bot.text import escape, mention, slack_date
from models import Page, Ticket


def page_message(
    page: Page,
    ticket: Ticket,
    policy: Policy,
    now: datetime,
    link: str | None,
    *,
    fallback_for: str | None = None,
) -> Message:
    customer = policy.customers.get(ticket.customer)
    customer_name = escape(customer.name if customer else ticket.customer)
    label = Priority(ticket.priority).label
    lines = [
        f":rotating_light: *Escalation: {ticket.ref}* · {label} · {customer_name}",
        f"*{escape(ticket.title)}*",
        f"Waiting {format_duration(now - ticket.created_at)} · {page.reason}",  # mrkdwn, escaped when made
    ]
    if page.late:
        lines.append("_This page is late: Secondline was not running when it was due._")
    if link:
        lines.append(f"<{link}|Open the ticket>")
    owner = f"Owner: {mention(ticket.owner_id)}" if ticket.owner_id else "Nobody has claimed it yet."
    blocks: list[dict[str, Any]] = []
    if fallback_for:
        blocks.append(context(f"Could not reach {mention(fallback_for)} by DM, so this page is posted here."))
    blocks += [section("\n".join(lines)), context(owner)]
    value = str(page.id)
    if page.acknowledged_at is not None:
        blocks.append(
            context(
                f"Acknowledged by {mention(page.acknowledged_by or '')} {slack_date(page.acknowledged_at)}"
            )
        )
        if ticket.owner_id != page.acknowledged_by:
            blocks.append(actions(Block.PAGE_ACTIONS, button("Take ticket", Action.TAKE, value)))
    else:
        blocks.append(
            actions(
                Block.PAGE_ACTIONS,
                button("Acknowledge", Action.ACKNOWLEDGE, value, "primary"),
                button("Take ticket", Action.TAKE, value),
            )
        )
    who = f"{mention(fallback_for)}: " if fallback_for else ""
    return message(f"{who}Escalation {ticket.ref} {label}: {escape(ticket.title)}", blocks)
