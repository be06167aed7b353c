"""What a customer sees in their own (Slack Connect) channel: the card offering a ticket, the how-to, the
ticket's customer view (updated in place), the notes in its thread and the private answers.

Everything here may be read by the customer's organisation (and its apps): only the ticket's customer
side, never internal notes, time, charges, the callback number, who was paged or another customer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.blocks.dms import local_time
from bot.blocks.kit import Message, actions, button, context, message, section
from bot.engineering.notices import fix_confirmed_text, fix_pending_text, still_fails_text
from bot.ids import Action, Block
from bot.policy import Priority
from bot.services.resolutions import REOPEN_WINDOW, Resolution
from bot.text import escape, mention
from models import Ticket, TicketStatus

HOW_TO_BUTTON = "how-to"  # the how-to's Raise a ticket button: no message to start from


def intake_card(message_ts: str, asked_by: str) -> Message:
    text = f"{mention(asked_by)} Shall second-line support look into this? A key user can raise a ticket."
    return message(
        "Raise a second-line ticket for this message?",
        [
            section(text),
            actions(
                Block.INTAKE_ACTIONS,
                button("Raise a ticket", Action.RAISE_FROM_CARD, message_ts, "primary"),
                button("Not now", Action.NOT_NOW, message_ts),
            ),
        ],
    )


def intake_closed(user: str, reaction: str) -> Message:
    text = (
        f"No ticket for now ({mention(user)} chose Not now). Mention the bot or add :{reaction}: to a "
        "message to offer one again."
    )
    return message("No ticket for now.", [context(text)])


def how_to(customer_name: str, reaction: str, ways: Sequence[str]) -> Message:
    ask = []
    if "mention" in ways:
        ask.append("mention `@Secondline` in a message describing the problem")
    if "reaction" in ways:
        ask.append(f"add :{reaction}: to a message")
    if "auto" in ways:
        ask.append("just write: each message of a key user is offered as a ticket")
    lines = [
        f"*Second-line support for {escape(customer_name)}, right here.*",
        f"To raise a ticket, {' or '.join(ask) or 'use the button'}; a key user raises it from the card "
        "that appears in the thread, and you follow it in that thread.",
        "`@Secondline list` shows your open tickets, `@Secondline status SUP-42` one of them, "
        "`@Secondline search <words>` published answers to common questions (only you see the answer).",
    ]
    return message(
        "How to reach second-line support here",
        [
            section("\n".join(lines)),
            actions(
                Block.INTAKE_ACTIONS,
                button("Raise a ticket", Action.RAISE_FROM_CARD, HOW_TO_BUTTON, "primary"),
            ),
        ],
    )


@dataclass(frozen=True)
class CustomerDue:
    """The due time the customer sees: what is due, and when, in their plan calendar's timezone."""

    what: str  # "First response" | "Resolution"
    at: datetime
    timezone: str


def status_words(ticket: Ticket) -> str:
    if ticket.status == TicketStatus.RESOLVED:
        return "resolved"
    if ticket.status == TicketStatus.FIX_PENDING:
        return "with our engineering team"
    if ticket.status == TicketStatus.FIX_SHIPPED:
        return "fix shipped"
    if ticket.status == TicketStatus.WAITING:
        return "waiting on you"
    if ticket.owner_id:
        return f"being worked on by {mention(ticket.owner_id)}"
    return "received"


def still_fails_by(confirm: CustomerDue | None) -> str:
    """What a key user reads under a shipped fix: until when Still fails counts."""
    when = f" by *{local_time(confirm.at, confirm.timezone)}*" if confirm else ""
    return f"If it still fails for you, press *Still fails*{when}; otherwise the ticket resolves itself."


def customer_card(
    ticket: Ticket, due: CustomerDue | None, now: datetime, confirm: CustomerDue | None = None
) -> Message:
    """The ticket as its customer follows it: reference, priority, status, due time and their buttons.
    `confirm`: a shipped fix's deadline for Still fails."""
    lines = [
        f"*{ticket.ref}* · {Priority(ticket.priority).label} · {escape(ticket.title)}",
        f"*Status:* {status_words(ticket)}",
    ]
    if ticket.status == TicketStatus.RESOLVED and ticket.resolution:
        lines.append(f"*Resolution:* {Resolution(ticket.resolution).label}")
    elif ticket.status == TicketStatus.WAITING:
        lines.append("The clock is paused until you reply in this thread.")
    elif ticket.status == TicketStatus.FIX_PENDING:
        lines.append("A defect in the product: you hear from us here when the fix ships.")
    elif ticket.status == TicketStatus.FIX_SHIPPED:
        lines.append(still_fails_by(confirm))
    elif due is not None:
        lines.append(f"{due.what} due by *{local_time(due.at, due.timezone)}*")
    blocks = [section("\n".join(lines))]
    value = str(ticket.id)
    if (
        ticket.status == TicketStatus.FIX_SHIPPED
    ):  # the customer's one answer now (Add details would not reopen)
        blocks.append(
            actions(Block.CUSTOMER_ACTIONS, button("Still fails", Action.FIX_STILL_FAILS, value, "danger"))
        )
    elif ticket.status != TicketStatus.RESOLVED:
        blocks.append(
            actions(
                Block.CUSTOMER_ACTIONS,
                button("Add details", Action.ADD_DETAILS, value),
                button("Ask to escalate", Action.ESCALATE, value),
            )
        )
    elif ticket.resolved_at is None or now - ticket.resolved_at <= REOPEN_WINDOW:
        blocks.append(actions(Block.CUSTOMER_ACTIONS, button("Reopen", Action.REOPEN, value)))
    blocks.append(context("Reply in this thread to add to the ticket; second-line support reads it."))
    return message(f"{ticket.ref} ({status_words(ticket)}): {escape(ticket.title)}", blocks)


def customer_note(
    ticket: Ticket, event: str, by: str, text: str | None, name: str | None = None
) -> str | None:
    """The short note in the customer's thread for a notice (mentioning the reporter); None: nothing."""
    to = mention(ticket.reporter_id)
    ref = f"*{ticket.ref}*"
    said = f"\n>{escape(text).strip()}" if text and text.strip() else ""
    if event == "raised":
        return f"{to} your ticket {ref} is with second-line support. Follow it here."
    if event == "claimed":
        return f"{to} {mention(by)} is working on {ref}."
    if event == "waiting":
        paused = "the clock is paused until you reply here"
        return f"{to} {mention(by)} needs more information on {ref}; {paused}.{said}"
    if event == "resumed":
        return f"{to} thanks, your reply reached {ref}; the clock runs again."
    if event == "resolved":
        resolution = Resolution(ticket.resolution or Resolution.FIXED)
        note = f"\n*Note:* {escape(ticket.resolution_note)}" if ticket.resolution_note else ""
        return (
            f"{to} {ref} is resolved: {resolution.label}.{note}\n"
            f"Not solved after all? Reopen it within {REOPEN_WINDOW.days} days."
        )
    if event == "reopened":
        return f"{to} {ref} is open again."
    if event == "priority":
        return f"{to} the priority of {ref} is now {Priority(ticket.priority).label}."
    if event == "escalated":
        return f"{to} {ref} was escalated within second-line support."
    if event == "reply":
        who = f"*{escape(name)}*" if name else mention(by)
        return f"{to} {who} from second-line support:{said}"
    if event == "fix_pending":
        note = f"\n*Note:* {escape(ticket.resolution_note)}" if ticket.resolution_note else ""
        return f"{to} {ref}: {fix_pending_text()}{note}"
    if event == "fix_confirmed":
        return f"{to} {ref}: {fix_confirmed_text()}"
    if event == "still_fails":
        return f"{to} {ref}: {still_fails_text()}"
    if event == "post_failed":
        return f"{to} {ref} is saved; it is a little late reaching the support team, nothing is lost."
    return None  # anything else is internal (reclassification terms and charges stay in DMs)


def ticket_lines(tickets: Sequence[Ticket]) -> str:
    if not tickets:
        return "Your organisation has no open second-line tickets."
    return "\n".join(
        f"*{t.ref}* · {Priority(t.priority).label} · {status_words(t)} · {escape(t.title)}" for t in tickets
    )


def ticket_status(ticket: Ticket, due: CustomerDue | None) -> str:
    lines = [f"*{ticket.ref}* · {Priority(ticket.priority).label} · {escape(ticket.title)}"]
    lines.append(f"*Status:* {status_words(ticket)}")
    if due is not None and ticket.status == TicketStatus.OPEN:
        lines.append(f"{due.what} due by *{local_time(due.at, due.timezone)}*")
    if ticket.customer_link:
        lines.append(f"<{ticket.customer_link}|Its thread>")
    return "\n".join(lines)


def fix_shipped_note(ticket: Ticket, release: str | None, confirm: CustomerDue | None) -> Message:
    """The note in the customer's thread when the fix shipped: the release, if any, and Still fails."""
    shipped = f" It ships in *{escape(release)}*." if release and release.strip() else ""
    text = f"{mention(ticket.reporter_id)} the fix for *{ticket.ref}* has shipped.{shipped}"
    return message(
        f"{ticket.ref}: the fix for your ticket has shipped",
        [
            section(text),
            context(still_fails_by(confirm)),
            actions(
                Block.FIX_ACTIONS, button("Still fails", Action.FIX_STILL_FAILS, str(ticket.id), "danger")
            ),
        ],
    )
