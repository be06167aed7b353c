"""Modals: raise a ticket, resolve it, reassign it, add details."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import modal, option, plain, section, text_input
from bot.ids import Action, Block, Callback
from bot.policy import Policy, Priority
from bot.services.intake import DESCRIPTION_MAX, DETAILS_MAX, ENVIRONMENTS, TITLE_MAX, TicketDraft
from bot.services.resolutions import Resolution
from bot.text import escape
from models import Ticket


def _select(
    block_id: str,
    action_id: str,
    label: str,
    placeholder: str,
    options: list[dict[str, Any]],
    selected: str | None,
    kind: str = "static_select",
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": kind, "action_id": action_id, "options": options}
    if kind == "static_select":
        element["placeholder"] = plain(placeholder)
    chosen = next((o for o in options if o["value"] == selected), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def raise_modal(
    policy: Policy,
    customers: Sequence[str],
    *,
    draft: TicketDraft | None = None,
    description: str = "",
    similar: Ticket | None = None,
) -> dict[str, Any]:
    """The /support modal; the customer picker shows only when the key user may raise for several.

    Shown again with the key user's draft and a choice when an open ticket of theirs looks the same.
    """
    blocks: list[dict[str, Any]] = []
    if similar is not None:
        blocks.append(
            section(
                f":mag: *{similar.ref}* looks like the same problem: {escape(similar.title)}\n"
                "Add what you wrote to it, or raise a new ticket anyway."
            )
        )
        blocks.append(
            _select(
                Block.DUPLICATE_CHOICE,
                Action.DUPLICATE_CHOICE,
                "What should we do?",
                "",
                [
                    option(f"Add my details to {similar.ref}", f"add:{similar.id}"),
                    option("Raise a new ticket", "new"),
                ],
                None,
                "radio_buttons",
            )
        )
    if len(customers) > 1:
        blocks.append(
            _select(
                Block.CUSTOMER,
                Action.CUSTOMER,
                "Customer",
                "Which company?",
                [option(policy.customers[key].name, key) for key in customers],
                draft.customer if draft else None,
            )
        )
    blocks.append(
        _select(
            Block.PRIORITY,
            Action.PRIORITY,
            "Priority",
            "How urgent is it?",
            [option(p.label, p.value, p.meaning) for p in Priority],
            draft.priority if draft else None,
        )
    )
    blocks.append(
        _select(
            Block.ENVIRONMENT,
            Action.ENVIRONMENT,
            "Environment",
            "",
            [option(label, value) for value, label in ENVIRONMENTS.items()],
            draft.environment if draft else None,
            "radio_buttons",
        )
    )
    blocks.append(
        text_input(
            Block.TITLE,
            Action.TITLE,
            "Title",
            initial=(draft.title or "") if draft else "",
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
            initial=(draft.description or "") if draft else description,
            max_length=DESCRIPTION_MAX,
            placeholder="Steps, error messages, who is affected",
        )
    )
    blocks.append(
        text_input(
            Block.TRIED,
            Action.TRIED,
            "What have you already tried?",
            initial=(draft.tried or "") if draft else "",
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
