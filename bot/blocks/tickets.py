"""The ticket as the support channel sees it, and one-line summaries for lists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.blocks.kit import Message, actions, button, context, message, mrkdwn, option, section, truncate
from bot.clocks import CLOCK_LABELS
from bot.durations import business_duration
from bot.ids import Action, Block
from bot.policy import Policy, Priority
from bot.services.intake import ENVIRONMENTS
from bot.services.resolutions import Resolution
from bot.sla_time import AT_RISK, ClockReading
from bot.text import escape, mention, slack_date
from bot.urgency import Standing, Urgency
from models import ClockState, Ticket, TicketStatus

PAID = ":moneybag: paid request"
LIST_STATUS = {
    TicketStatus.WAITING: " · waiting on customer",
    TicketStatus.FIX_PENDING: " · waiting on engineering",
    TicketStatus.FIX_SHIPPED: " · fix shipped, waiting on the key user",
}
STATUS_WORDS = {
    TicketStatus.OPEN: "Open",
    TicketStatus.WAITING: "Waiting on customer",
    TicketStatus.RESOLVED: "Resolved",
    TicketStatus.FIX_PENDING: "Waiting on engineering",
    TicketStatus.FIX_SHIPPED: "Fix shipped",
}


def clock_line(reading: ClockReading) -> str:
    label = CLOCK_LABELS[reading.name].capitalize()
    due = slack_date(reading.due_at) if reading.due_at else None
    left = business_duration(reading.remaining, reading.day)
    if reading.state == ClockState.MET:
        return f"*{label}*: met ✓"
    if reading.state == ClockState.PAUSED:
        return f"*{label}*: paused, {left} {'over' if reading.remaining < timedelta(0) else 'left'}"
    if reading.state == ClockState.BREACHED or reading.remaining < timedelta(0):  # its timer may not have run
        over = business_duration(reading.remaining, reading.day)
        if due is None:
            return f"*{label}*: missed"
        return f"*{label}*: :red_circle: breached, due {due}, {over} over"
    risk = " :warning: at risk" if reading.percent >= AT_RISK else ""
    return f"*{label}*: due {due}, {left} left{risk}"


def ticket_message(
    ticket: Ticket, policy: Policy, readings: Sequence[ClockReading], now: datetime
) -> Message:
    """The ticket as it stands in the support channel; redrawn on every state change."""
    customer = policy.customers.get(ticket.customer)
    customer_name = escape(customer.name if customer else ticket.customer)
    priority = Priority(ticket.priority)
    title = escape(ticket.title)
    fields = [
        f"*Customer*\n{customer_name}",
        f"*Plan*\n{escape(policy.plan_label(ticket.plan))}",
        f"*Priority*\n{priority.label}",
        f"*Environment*\n{ENVIRONMENTS.get(ticket.environment, ticket.environment)}",
        f"*Reporter*\n{_reporter(ticket)}",
        f"*Owner*\n{mention(ticket.owner_id) if ticket.owner_id else '_unclaimed_'}",
    ]
    if ticket.category:
        fields.append(f"*About*\n{category_text(policy, ticket)}")
    paid = f" · {PAID}" if ticket.paid_request else ""
    on_behalf = f"\nraised by {mention(ticket.raised_by)} for {customer_name}" if ticket.raised_by else ""
    blocks: list[dict[str, Any]] = [
        section(f"*{ticket.ref}* · *{priority.label}*{paid} · {title}{on_behalf}"),
        {"type": "section", "fields": [mrkdwn(text) for text in fields]},
        section(f"*Description*\n{escape(ticket.description)}"),
    ]
    if ticket.tried:
        blocks.append(section(f"*Already tried*\n{escape(ticket.tried)}"))
    if ticket.source == "slack_connect":  # followed by the customer in their own channel's thread
        link = f"<{ticket.customer_link}|their message>" if ticket.customer_link else "a card"
        where = f"<#{ticket.customer_channel}>" if ticket.customer_channel else "their channel"
        blocks.append(context(f":link: Raised in the customer's channel {where} from {link}"))
    if readings and ticket.status != TicketStatus.RESOLVED:
        blocks.append(section("\n".join(clock_line(r) for r in readings)))
    blocks.append(context(_status_line(ticket)))
    blocks.append(ticket_actions(ticket, reclassify=policy.scope is not None))
    return message(f"{ticket.ref} {priority.label} from {customer_name}: {title}", blocks)


def _reporter(ticket: Ticket) -> str:
    if ticket.source == "email" and ticket.reporter_email:
        return f"{escape(ticket.reporter_email)} :envelope: _by e-mail_"
    return mention(ticket.reporter_id)


def _status_line(ticket: Ticket) -> str:
    status = STATUS_WORDS[TicketStatus(ticket.status)]
    if ticket.status == TicketStatus.RESOLVED and ticket.resolution:
        return f"Resolved: {Resolution(ticket.resolution).label}" + (
            f" by {mention(ticket.owner_id)}" if ticket.owner_id else ""
        )
    if ticket.owner_id:
        return f"{status} · claimed by {mention(ticket.owner_id)}"
    return f"{status} · unclaimed"


def offered(ticket: Ticket) -> list[Priority]:
    """The priorities the ticket's plan offered when it was raised (its stored targets)."""
    targets = (ticket.policy.get("targets") or {}).get("first_response") or {}
    return [p for p in Priority if p.value in targets] or list(Priority)


def category_text(policy: Policy, ticket: Ticket) -> str:
    """What a ticket is about, as the scope names it, and whether it is paid work."""
    chosen = policy.scope.category(ticket.category) if policy.scope else None
    label = escape(chosen.label) if chosen else escape(ticket.category or "")
    addon = policy.addons.get(ticket.addon) if ticket.addon else None
    if addon is not None:
        how = "paid request" if ticket.paid_request else "covered"
        return f"{label} ({how}: {escape(addon.label)} add-on)"
    return f"{label} ({'paid request' if ticket.paid_request else 'covered by support'})"


def ticket_actions(ticket: Ticket, *, reclassify: bool = False) -> dict[str, Any]:
    value = str(ticket.id)
    if ticket.status == TicketStatus.RESOLVED:
        return actions(
            Block.TICKET_ACTIONS,
            button("Reopen", Action.REOPEN, value),
            button("Reply to customer", Action.REPLY_TO_CUSTOMER, value),
        )
    elements = []
    if ticket.owner_id is None:
        elements.append(button("Claim", Action.CLAIM, value, "primary"))
    else:
        elements.append(button("Release", Action.RELEASE, value))
    elements.append(button("Reassign", Action.REASSIGN, value))
    if ticket.status == TicketStatus.WAITING:
        elements.append(button("Resume", Action.RESUME, value))
    else:
        elements.append(button("Waiting on customer", Action.WAIT, value))
    elements.append(
        {
            "type": "static_select",
            "action_id": Action.SET_PRIORITY,
            "placeholder": {"type": "plain_text", "text": "Change priority"},
            "options": [
                option(p.label, f"{value}:{p.value}") for p in offered(ticket) if p.value != ticket.priority
            ],
        }
    )
    elements.append(button("Log time", Action.LOG_TIME, value))
    if reclassify:
        elements.append(button("Reclassify", Action.RECLASSIFY, value))
    elements.append(button("Reply to customer", Action.REPLY_TO_CUSTOMER, value))
    elements.append(button("Link issue", Action.LINK_ISSUE, value))
    elements.append(button("Resolve", Action.RESOLVE, value, "danger"))
    return actions(Block.TICKET_ACTIONS, *elements)


def ticket_line(
    ticket: Ticket, first_response_due: datetime | None = None, urgency: Urgency | None = None
) -> str:
    """One line for lists: reference, priority, title, owner and, while unclaimed, the first-response due;
    a breached or at-risk target said as such ("breached 2 business hours ago", "at risk: due in …")."""
    owner = f" · {mention(ticket.owner_id)}" if ticket.owner_id else " · _unclaimed_"
    due = f" · first response due {slack_date(first_response_due)}" if first_response_due else ""
    if urgency is not None and urgency.standing != Standing.ON_TRACK:
        due = " · " + urgency_text(urgency)
    waiting = LIST_STATUS.get(TicketStatus(ticket.status), "")
    title = escape(truncate(ticket.title, 80))
    paid = f" · {PAID}" if ticket.paid_request else ""
    return f"*{ticket.ref}* {Priority(ticket.priority).label} · {title}{paid}{owner}{waiting}{due}"


def urgency_text(urgency: Urgency) -> str:
    """A breached or at-risk target in words, business time on the ticket's calendar."""
    reading = urgency.reading
    label = CLOCK_LABELS[reading.name]
    due = f"due {slack_date(reading.due_at)}" if reading.due_at else "due"
    if urgency.standing == Standing.BREACHED:
        over = -reading.remaining
        ago = "just now" if over < timedelta(minutes=1) else f"{business_duration(over, reading.day)} ago"
        return f":red_circle: *breached {ago}* ({label} was {due})"
    left = reading.remaining
    within = "under a minute" if left < timedelta(minutes=1) else business_duration(left, reading.day)
    return f":warning: *at risk: due in {within}* ({label} {due})"


def already_claimed_text(ticket: Ticket) -> str:
    return f"{ticket.ref} is already claimed by {mention(ticket.owner_id or '')}. Nothing was changed."
