"""What the key user who raised a ticket is told, by DM."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.blocks.kit import Message, actions, button, message, section
from bot.ids import Action, Block
from bot.policy import CalendarSpec, Priority
from bot.services.resolutions import REOPEN_WINDOW, Resolution
from bot.text import escape, mention
from models import Ticket


def local_time(at: datetime, timezone: str) -> str:
    """`Monday 23 Nov, 11:00 CST`: an instant as a person in `timezone` reads it."""
    local = at.astimezone(ZoneInfo(timezone))
    return f"{local:%A} {local.day} {local:%b}, {local:%H:%M %Z}"


def _reporter_buttons(ticket: Ticket) -> dict[str, Any]:
    value = str(ticket.id)
    return actions(
        Block.REPORTER_ACTIONS,
        button("Add details", Action.ADD_DETAILS, value),
        button("Ask for escalation", Action.ESCALATE, value),
    )


def raised_dm(
    ticket: Ticket,
    first_response_due: datetime | None,
    timezone: str,
    calendar: CalendarSpec,
    plan_name: str,
    paid_terms: str | None = None,
) -> Message:
    title = escape(ticket.title)
    lines = [
        f"Your ticket *{ticket.ref}* ({Priority(ticket.priority).label}) is with second-line support: {title}"
    ]
    if ticket.raised_by:  # staff raised it on the customer's behalf (a call, a meeting)
        lines.append(f"{mention(ticket.raised_by)} raised it for your company.")
    if ticket.paid_request:
        lines.append(f":moneybag: It was raised as a *paid request*. {paid_terms or ''}".strip())
    if not calendar.is_open(ticket.created_at):
        opening = calendar.next_opening(ticket.created_at).astimezone(ZoneInfo(calendar.timezone))
        lines.append(
            f"{plan_name} support hours are {calendar.describe()}; your clock starts "
            f"{opening:%A} {opening:%H:%M}."
        )
    if first_response_due is not None:
        lines.append(f"A first response is due by *{local_time(first_response_due, timezone)}*.")
    return message(f"{ticket.ref} raised: {title}", [section("\n".join(lines)), _reporter_buttons(ticket)])


def claimed_dm(ticket: Ticket, engineer_id: str) -> Message:
    text = f"{mention(engineer_id)} has taken your ticket *{ticket.ref}*: {escape(ticket.title)}"
    return message(text, [section(text)])


def waiting_dm(ticket: Ticket, engineer_id: str, question: str | None = None) -> Message:
    asked = f"\n>{escape(question)}" if question else ""
    text = (
        f"{mention(engineer_id)} needs more information from you on *{ticket.ref}*: {escape(ticket.title)}"
        f"{asked}\nThe resolution clock is paused until you add details."
    )
    return message(f"{ticket.ref} is waiting on you", [section(text), _reporter_buttons(ticket)])


def resolved_dm(ticket: Ticket, engineer_id: str) -> Message:
    resolution = Resolution(ticket.resolution or Resolution.FIXED)
    lines = [
        f"{mention(engineer_id)} resolved your ticket *{ticket.ref}*: {escape(ticket.title)}",
        f"*Resolution:* {resolution.label}",
    ]
    if resolution.explanation:
        lines.append(resolution.explanation)
    if ticket.resolution_note:
        lines.append(f"*Note:* {escape(ticket.resolution_note)}")
    lines.append(f"Not solved after all? Reopen it within {REOPEN_WINDOW.days} days.")
    return message(
        f"{ticket.ref} resolved: {resolution.label}",
        [
            section("\n".join(lines)),
            actions(Block.REPORTER_ACTIONS, button("Reopen", Action.REOPEN, str(ticket.id))),
        ],
    )


def simple_dm(ticket: Ticket, text: str) -> Message:
    return message(f"{ticket.ref}: {text}", [section(f"*{ticket.ref}*: {text}")])


def reply_dm(ticket: Ticket, engineer_id: str, text: str) -> Message:
    """An engineer's answer to the key user (Reply to customer)."""
    body = f"{mention(engineer_id)} replied on *{ticket.ref}*: {escape(ticket.title)}\n>{escape(text)}"
    return message(
        f"{ticket.ref}: a reply from second-line support", [section(body), _reporter_buttons(ticket)]
    )
