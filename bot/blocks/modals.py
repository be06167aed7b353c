"""Modals: raise a ticket, resolve it, reassign it, add details."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import modal, option, plain, section, text_input
from bot.config import Policy, Priority
from bot.ids import Action, Block, Callback
from bot.services.tickets import DESCRIPTION_MAX, DETAILS_MAX, ENVIRONMENTS, TITLE_MAX, Resolution
from bot.text import escape
from models import Ticket


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
                "label": plain("Customer"),
                "element": {
                    "type": "static_select",
                    "action_id": Action.CUSTOMER,
                    "placeholder": plain("Which company?"),
                    "options": [option(policy.customers[key].name, key) for key in customers],
                },
            }
        )
    blocks.append(
        {
            "type": "input",
            "block_id": Block.PRIORITY,
            "label": plain("Priority"),
            "element": {
                "type": "static_select",
                "action_id": Action.PRIORITY,
                "placeholder": plain("How urgent is it?"),
                "options": [option(p.label, p.value, p.meaning) for p in Priority],
            },
        }
    )
    blocks.append(
        {
            "type": "input",
            "block_id": Block.ENVIRONMENT,
            "label": plain("Environment"),
            "element": {
                "type": "radio_buttons",
                "action_id": Action.ENVIRONMENT,
                "options": [option(label, value) for value, label in ENVIRONMENTS.items()],
            },
        }
    )
    blocks.append(
        text_input(
            Block.TITLE,
            Action.TITLE,
            "Title",
            initial=title,
            max_length=TITLE_MAX,
            multiline=False,
            placeholder="Checkout fails with error 500",
        )
    )
    blocks.append(
        text_input(
            Block.DESCRIPTION,
            Action.DESCRIPTION,
            "What happens?",
            initial=description,
            max_length=DESCRIPTION_MAX,
            placeholder="Steps, error messages, who is affected",
        )
    )
    blocks.append(
        text_input(
            Block.TRIED,
            Action.TRIED,
            "What have you already tried?",
            max_length=DESCRIPTION_MAX,
            optional=True,
        )
    )
    return modal(
        Callback.RAISE_MODAL,
        "Second-line support",
        "Raise ticket",
        blocks,
        json.dumps({"customers": list(customers)}),
    )


def resolve_modal(ticket: Ticket) -> dict[str, Any]:
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}"),
        {
            "type": "input",
            "block_id": Block.RESOLUTION,
            "label": plain("Resolution"),
            "element": {
                "type": "static_select",
                "action_id": Action.RESOLUTION,
                "placeholder": plain("How was it resolved?"),
                "options": [option(r.label, r.value) for r in Resolution],
            },
        },
        text_input(
            Block.DUPLICATE_OF,
            Action.DUPLICATE_OF,
            "Duplicate of (for duplicates)",
            multiline=False,
            max_length=20,
            optional=True,
            placeholder="SUP-41",
        ),
        text_input(
            Block.RESOLUTION_NOTE,
            Action.RESOLUTION_NOTE,
            "Note for the customer",
            max_length=DETAILS_MAX,
            placeholder="What was done, and what they should do now",
        ),
        text_input(
            Block.TIME_SPENT,
            Action.TIME_SPENT,
            "Time spent",
            multiline=False,
            max_length=20,
            optional=True,
            placeholder="1h30m",
        ),
    ]
    return modal(Callback.RESOLVE_MODAL, "Resolve ticket", "Resolve", blocks, str(ticket.id))


def details_modal(ticket: Ticket) -> dict[str, Any]:
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}"),
        text_input(Block.DETAILS, Action.DETAILS, "What would you like to add?", max_length=DETAILS_MAX),
    ]
    return modal(Callback.DETAILS_MODAL, "Add details", "Add", blocks, str(ticket.id))


def reassign_modal(ticket: Ticket) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}"),
        {
            "type": "input",
            "block_id": Block.NEW_OWNER,
            "label": plain("New owner"),
            "element": {
                "type": "users_select",
                "action_id": Action.NEW_OWNER,
                "placeholder": plain("Who takes it?"),
            },
        },
    ]
    return modal(Callback.REASSIGN_MODAL, "Reassign ticket", "Reassign", blocks, str(ticket.id))


def escalate_modal(ticket: Ticket) -> dict[str, Any]:
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}\nThe next escalation level is paged at once."),
        text_input(
            Block.ESCALATION_REASON,
            Action.ESCALATION_REASON,
            "Why does it need escalating?",
            max_length=500,
            placeholder="Payroll run blocked for 2,000 employees",
        ),
    ]
    return modal(Callback.ESCALATE_MODAL, "Ask for escalation", "Escalate", blocks, str(ticket.id))
