"""The /support form: what the customer's plan offers (priorities, a phone callback), what it is about
(the scope's categories), and, for work normal support does not cover, the confirmation of a paid request."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import modal, option, plain, section, text_input
from bot.ids import Action, Block, Callback
from bot.policy import Policy, Priority
from bot.services.errors import NeedsConfirmation
from bot.services.intake import DESCRIPTION_MAX, ENVIRONMENTS, TITLE_MAX, Origin, TicketDraft
from bot.text import escape
from models import Ticket

PHONE_MAX = 20


def select(
    block_id: str,
    action_id: str,
    label: str,
    placeholder: str,
    options: list[dict[str, Any]],
    selected: str | None,
    kind: str = "static_select",
    option_groups: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": kind, "action_id": action_id}
    if option_groups:
        element["option_groups"] = option_groups
        options = [o for group in option_groups for o in group["options"]]
    else:
        element["options"] = options
    if kind == "static_select":
        element["placeholder"] = plain(placeholder)
    chosen = next((o for o in options if o["value"] == selected), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {"type": "input", "block_id": block_id, "label": plain(label), "element": element}


def offered_priorities(policy: Policy, customers: Sequence[str]) -> list[Priority]:
    """What the customers' plans offer, P1 first; a key user of several sees them all, checked on submit."""
    offered = {p for key in customers for p in policy.plan_of(key).priorities}
    return [p for p in Priority if p in offered]


def raise_modal(
    policy: Policy,
    customers: Sequence[str],
    *,
    draft: TicketDraft | None = None,
    description: str = "",
    similar: Ticket | None = None,
    confirm: NeedsConfirmation | None = None,
    origin: Origin | None = None,
) -> dict[str, Any]:
    """The /support modal; the customer picker shows only when the key user may raise for several.

    Shown again with the key user's draft and a choice when an open ticket of theirs looks the same, or
    with the terms of paid work when they chose something normal support does not cover.
    """
    blocks: list[dict[str, Any]] = []
    if similar is not None:
        blocks += _similar(similar)
    if len(customers) > 1:
        blocks.append(
            select(
                Block.CUSTOMER,
                Action.CUSTOMER,
                "Customer",
                "Which company?",
                [option(policy.customers[key].name, key) for key in customers],
                draft.customer if draft else None,
            )
        )
    if policy.scope is not None:
        blocks.append(category_select(policy, draft.category if draft else None))
    if confirm is not None:
        blocks += _paid_terms(policy, confirm)
    blocks.append(
        select(
            Block.PRIORITY,
            Action.PRIORITY,
            "Priority",
            "How urgent is it?",
            [option(p.label, p.value, p.meaning) for p in offered_priorities(policy, customers)],
            draft.priority if draft else None,
        )
    )
    blocks.append(
        select(
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
    if any(policy.plan_of(key).phone for key in customers):
        blocks.append(
            text_input(
                Block.PHONE,
                Action.PHONE,
                "Call me back on",
                initial=(draft.phone or "") if draft else "",
                max_length=PHONE_MAX,
                multiline=False,
                optional=True,
                placeholder="+1 312 555 0100",
            )
        )
    metadata: dict[str, Any] = {"customers": list(customers)}
    origin = origin or (draft.origin if draft else None)
    if origin is not None:  # raised from a card in a customer's own channel: where to follow it
        metadata["origin"] = {k: v for k, v in dataclasses.asdict(origin).items() if v}
    if confirm is not None:
        metadata["shown_for"] = confirm.category
    return modal(Callback.RAISE_MODAL, "Second-line support", "Raise ticket", blocks, json.dumps(metadata))


def _similar(similar: Ticket) -> list[dict[str, Any]]:
    return [
        section(
            f":mag: *{similar.ref}* looks like the same problem: {escape(similar.title)}\n"
            "Add what you wrote to it, or raise a new ticket anyway."
        ),
        select(
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
        ),
    ]


def category_select(policy: Policy, selected: str | None) -> dict[str, Any]:
    assert policy.scope is not None
    groups = [
        {
            "label": plain("Covered by support"),
            "options": [option(c.label, c.key) for c in policy.scope.covered],
        }
    ]
    if policy.scope.not_covered:
        paid = [option(c.label, c.key) for c in policy.scope.not_covered]
        groups.append({"label": plain("Premium add-on services (paid)"), "options": paid})
    return select(
        Block.CATEGORY, Action.CATEGORY, "What is it about?", "Choose one", [], selected, option_groups=groups
    )


def _paid_terms(policy: Policy, confirm: NeedsConfirmation) -> list[dict[str, Any]]:
    assert policy.scope is not None
    chosen = policy.scope.category(confirm.category)
    label = escape(chosen.label) if chosen else confirm.category
    lines = [
        f":moneybag: *{label}* is not covered by normal support.",
        escape(confirm.why),
        confirm.paid_work,
    ]
    blocks = [section("\n".join(line for line in lines if line), block_id=Block.PAID_TERMS)]
    if confirm.possible:
        blocks.append(
            {
                "type": "input",
                "block_id": Block.PAID_CONFIRM,
                "label": plain("Paid request"),
                "element": {
                    "type": "checkboxes",
                    "action_id": Action.PAID_CONFIRM,
                    "options": [option("Raise it as a paid request", "paid")],
                },
            }
        )
    return blocks
