"""Pure Block Kit renderers: already-loaded data in, Slack message and view dicts out."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.config import Policy, Priority
from bot.durations import format_duration
from bot.ids import Action, Block, Callback
from bot.services.tickets import DESCRIPTION_MAX, ENVIRONMENTS, TITLE_MAX
from bot.text import escape, mention, slack_date, truncate
from models import Ticket, TicketStatus

Message = dict[str, Any]  # {"text": fallback, "blocks": [...]}

SECTION_MAX = 3000
APOLOGY = "Sorry, that didn't work: this button or form is not one Secondline knows. Nothing was changed."


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _section(text: str, block_id: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": _mrkdwn(truncate(text, SECTION_MAX))}
    if block_id:
        block["block_id"] = block_id
    return block


def _option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"text": _plain(truncate(text, 75)), "value": value}
    if description:
        option["description"] = _plain(truncate(description, 75))
    return option


def raise_modal(
    policy: Policy, customers: Sequence[str], *, title: str = "", description: str = ""
) -> dict[str, Any]:
    """The /support modal; the customer picker shows only when the key user may raise for several."""
    blocks: list[dict[str, Any]] = []
    if len(customers) > 1:
        blocks.append(
            {
                "type": "input",
                "block_id": Block.CUSTOMER,
                "label": _plain("Customer"),
                "element": {
                    "type": "static_select",
                    "action_id": Action.CUSTOMER,
                    "placeholder": _plain("Which company?"),
                    "options": [_option(policy.customers[key].name, key) for key in customers],
                },
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": Block.PRIORITY,
            "label": _plain("Priority"),
            "element": {
                "type": "static_select",
                "action_id": Action.PRIORITY,
                "placeholder": _plain("How urgent is it?"),
                "options": [_option(p.label, p.value, p.meaning) for p in Priority],
            },
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": Block.ENVIRONMENT,
            "label": _plain("Environment"),
            "element": {
                "type": "radio_buttons",
                "action_id": Action.ENVIRONMENT,
                "options": [_option(label, value) for value, label in ENVIRONMENTS.items()],
            },
        }
    )
    blocks.append(
        _text_input(
            Block.TITLE,
            Action.TITLE,
            "Title",
            title,
            TITLE_MAX,
            multiline=False,
            placeholder="Checkout fails with error 500",
        )
    )
    blocks.append(
        _text_input(
            Block.DESCRIPTION,
            Action.DESCRIPTION,
            "What happens?",
            description,
            DESCRIPTION_MAX,
            placeholder="Steps, error messages, who is affected",
        )
    )
    blocks.append(
        _text_input(
            Block.TRIED, Action.TRIED, "What have you already tried?", "", DESCRIPTION_MAX, optional=True
        )
    )
    return {
        "type": "modal",
        "callback_id": Callback.RAISE_MODAL,
        "title": _plain("Second-line support"),
        "submit": _plain("Raise ticket"),
        "close": _plain("Cancel"),
        "private_metadata": json.dumps({"customers": list(customers)}),
        "blocks": blocks,
    }


def _text_input(
    block_id: str,
    action_id: str,
    label: str,
    initial: str,
    max_length: int,
    *,
    multiline: bool = True,
    optional: bool = False,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = _plain(placeholder)
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "optional": optional,
        "element": element,
    }


def ticket_message(ticket: Ticket, policy: Policy, now: datetime) -> Message:
    """The ticket as it stands in the support channel."""
    customer = policy.customers.get(ticket.customer)
    customer_name = escape(customer.name if customer else ticket.customer)
    priority = Priority(ticket.priority)
    title = escape(ticket.title)
    fields = [
        f"*Customer*\n{customer_name}",
        f"*Plan*\n{escape(ticket.plan.capitalize())}",
        f"*Priority*\n{priority.label}",
        f"*Environment*\n{ENVIRONMENTS.get(ticket.environment, ticket.environment)}",
        f"*Reporter*\n{mention(ticket.reporter_id)}",
        f"*Owner*\n{mention(ticket.owner_id) if ticket.owner_id else '_unclaimed_'}",
    ]
    if ticket.first_response_due is not None and ticket.status != TicketStatus.RESOLVED:
        due = ticket.first_response_due
        left = format_duration(due - now) if due > now else "overdue"
        fields.append(f"*First response due*\n{slack_date(due)} ({left})")
    blocks: list[dict[str, Any]] = [
        _section(f"*{ticket.ref}* · *{priority.label}* · {title}"),
        {"type": "section", "fields": [_mrkdwn(text) for text in fields]},
        _section(f"*Description*\n{escape(ticket.description)}"),
    ]
    if ticket.tried:
        blocks.append(_section(f"*Already tried*\n{escape(ticket.tried)}"))
    if ticket.owner_id is None and ticket.status != TicketStatus.RESOLVED:
        blocks.append(
            {
                "type": "actions",
                "block_id": Block.TICKET_ACTIONS,
                "elements": [
                    {
                        "type": "button",
                        "action_id": Action.CLAIM,
                        "text": _plain("Claim"),
                        "style": "primary",
                        "value": str(ticket.id),
                    }
                ],
            }
        )
    else:
        state = (
            "Resolved"
            if ticket.status == TicketStatus.RESOLVED
            else f"Claimed by {mention(ticket.owner_id or '')}"
        )
        blocks.append({"type": "context", "elements": [_mrkdwn(state)]})
    text = f"{ticket.ref} {priority.label} from {customer_name}: {title}"
    return {"text": truncate(text, 3000), "blocks": blocks}


def raised_dm(ticket: Ticket, now: datetime) -> Message:
    title = escape(ticket.title)
    lines = [
        f"Your ticket *{ticket.ref}* ({Priority(ticket.priority).label}) is with second-line support: {title}"
    ]
    if ticket.first_response_due is not None:
        due = ticket.first_response_due
        lines.append(f"A first response is due by {slack_date(due)}.")
    text = "\n".join(lines)
    return {"text": truncate(f"{ticket.ref} raised: {title}", 3000), "blocks": [_section(text)]}


def claimed_dm(ticket: Ticket, engineer_id: str) -> Message:
    text = f"{mention(engineer_id)} has taken your ticket *{ticket.ref}*: {escape(ticket.title)}"
    return {"text": truncate(text, 3000), "blocks": [_section(text)]}


def already_claimed_text(ticket: Ticket) -> str:
    return f"{ticket.ref} is already claimed by {mention(ticket.owner_id or '')}. Nothing was changed."


def not_key_user_text(policy: Policy, customer: str | None) -> str:
    if customer is not None and customer in policy.customers:
        people = ", ".join(
            mention(uid) for uid in policy.customers[customer].key_users if uid.startswith("U")
        )
        name = escape(policy.customers[customer].name)
        return (
            f"Second-line support for {name} is raised by your key users: {people}. "
            "Please ask them first; they can escalate to us if they cannot solve it."
        )
    return (
        "Second-line support is raised through your company's key users. "
        "Please contact one of them; they can escalate to us if they cannot solve it."
    )


def _ticket_line(ticket: Ticket) -> str:
    due = ""
    if ticket.first_response_due is not None and ticket.owner_id is None:
        due = f" · first response due {slack_date(ticket.first_response_due)}"
    owner = f" · {mention(ticket.owner_id)}" if ticket.owner_id else " · _unclaimed_"
    return (
        f"*{ticket.ref}* {Priority(ticket.priority).label} · {escape(truncate(ticket.title, 80))}{owner}{due}"
    )


def _ticket_list(heading: str, tickets: Sequence[Ticket], empty: str) -> list[dict[str, Any]]:
    lines = [_ticket_line(t) for t in tickets] or [f"_{empty}_"]
    return [{"type": "header", "text": _plain(heading)}, _section("\n".join(lines))]


def home_view(sections: Sequence[tuple[str, Sequence[Ticket], str]]) -> dict[str, Any]:
    """App Home: one list per (heading, tickets, what to say when empty)."""
    blocks: list[dict[str, Any]] = []
    for heading, tickets, empty in sections:
        blocks.extend(_ticket_list(heading, tickets, empty))
    if not blocks:
        blocks.append(
            _section("Secondline raises second-line support tickets. Type `/support help` to start.")
        )
    return {"type": "home", "blocks": blocks}
