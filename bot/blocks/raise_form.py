"""The /support form: what the customer's plan offers (priorities, a phone callback), what it is about
(the scope's categories), and, for work normal support does not cover, the confirmation of a paid request.

Vendor staff raise on a customer's behalf in two steps: first the customer (`choose_customer_modal`),
then this form for that customer alone, so the priorities offered are that customer's plan's. Two steps
rather than a select that redraws the form with views.update: the second step is the submission's own
answer (`response_action: update`), so it needs no extra Web API call, cannot race a submission or a
stale view hash, and works when Slack's API is slow.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import modal, mrkdwn, option, plain, section, text_input, truncate
from bot.ids import Action, Block, Callback
from bot.policy import Policy, Priority
from bot.services.answers import Found
from bot.services.errors import NeedsConfirmation
from bot.services.intake import DESCRIPTION_MAX, ENVIRONMENTS, TITLE_MAX, Origin, TicketDraft
from bot.text import escape, mention
from models import Ticket

PHONE_MAX = 20
SELECT_OPTIONS_MAX = 100  # Slack: options per static select, and per option group
RADIO_OPTIONS_MAX = 10  # Slack: options of a radio_buttons element
EVERY_KEY_USER = "*"  # the radio choice "nobody in particular": every key user is told


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
    on_behalf: bool = False,
    origin: Origin | None = None,
    answers: Sequence[Found] = (),
) -> dict[str, Any]:
    """The /support modal; the customer picker shows only when the key user may raise for several.

    Shown again with the key user's draft and a choice when an open ticket of theirs looks the same, or
    with the terms of paid work when they chose something normal support does not cover. `on_behalf`:
    vendor staff raising for the one customer in `customers`, who may name the key user it is for.
    """
    blocks: list[dict[str, Any]] = []
    if on_behalf:
        blocks += _on_behalf(policy, customers[0], draft.for_key_user if draft else None)
    if answers:
        blocks += _answers(answers)
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
        blocks.append(category_select(policy, draft.category if draft else None, customers))
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
                "Call them back on" if on_behalf else "Call me back on",
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


def choose_customer_modal(policy: Policy, customers: Sequence[str], user_id: str) -> dict[str, Any]:
    """Staff's first step: which customer the ticket is for. The accounts the person manages come first,
    in their own group; the next step is the raise form for the chosen customer's plan."""
    managed = [key for key in customers if policy.customers[key].account_manager == user_id]
    others = [key for key in customers if key not in managed]
    groups = []
    if managed:
        groups.append(("Your accounts", managed))
    for start in range(0, len(others), SELECT_OPTIONS_MAX):
        groups.append(
            ("Other customers" if managed else "Customers", others[start : start + SELECT_OPTIONS_MAX])
        )
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": Action.CUSTOMER,
        "placeholder": plain("Which company?"),
    }
    if len(groups) == 1:
        element["options"] = [option(policy.customers[k].name, k) for k in groups[0][1]]
    else:
        element["option_groups"] = [
            {"label": plain(label), "options": [option(policy.customers[k].name, k) for k in keys]}
            for label, keys in groups[:SELECT_OPTIONS_MAX]
        ]
    blocks = [
        section(
            "Raise a ticket on a customer's behalf, after a call or a meeting. It is theirs as if a key user "
            "had raised it: their key users are told, and it is recorded that you raised it."
        ),
        {"type": "input", "block_id": Block.CUSTOMER, "label": plain("Customer"), "element": element},
    ]
    return modal(Callback.RAISE_FOR_MODAL, "Raise for a customer", "Next", blocks, "")


def _on_behalf(policy: Policy, customer: str, chosen: str | None) -> list[dict[str, Any]]:
    """Whose ticket it is: the customer (fixed by the first step) and, if the staff member says, the key
    user who asked; without one, every key user of the customer is told."""
    spec = policy.customers[customer]
    blocks = [
        section(
            f":telephone_receiver: For *{escape(spec.name)}* ({escape(policy.plan_label(spec.plan))} plan), "
            "on their behalf. To raise for another customer, cancel and type `/support` again.",
            block_id=Block.ON_BEHALF,
        )
    ]
    label = plain("Who asked for it?")
    if len(spec.key_users) + 1 <= RADIO_OPTIONS_MAX:  # mentions render in a radio's mrkdwn text
        everyone = {"text": plain("No one in particular: tell every key user"), "value": EVERY_KEY_USER}
        options = [everyone] + [{"text": mrkdwn(mention(uid)), "value": uid} for uid in spec.key_users]
        initial = next((o for o in options if o["value"] == chosen), everyone)
        element = {
            "type": "radio_buttons",
            "action_id": Action.FOR_KEY_USER,
            "options": options,
            "initial_option": initial,
        }
        blocks.append({"type": "input", "block_id": Block.FOR_KEY_USER, "label": label, "element": element})
    else:  # more key users than a radio holds: pick a person, checked against the key users on submit
        element = {"type": "users_select", "action_id": Action.FOR_KEY_USER}
        if chosen:
            element["initial_user"] = chosen
        blocks.append(
            {
                "type": "input",
                "block_id": Block.FOR_KEY_USER,
                "optional": True,
                "label": label,
                "element": element,
            }
        )
    return blocks


ANSWER_SHOWN = 700  # characters of each offered answer's text


def _answers(found: Sequence[Found]) -> list[dict[str, Any]]:
    """Published answers that may solve it, before it is raised: This solved it, or Raise anyway."""
    shown = [section(":bulb: *These published answers may solve it:*")]
    shown += [section(f"*{escape(f.title)}*\n{escape(truncate(f.text, ANSWER_SHOWN))}") for f in found]
    choices = [option(f"This solved it: {f.title}", f"solved:{f.id}") for f in found]
    choices.append(option("Raise anyway", "raise"))
    return [
        *shown,
        select(
            Block.ANSWER_CHOICE, Action.ANSWER_CHOICE, "Did one solve it?", "", choices, None, "radio_buttons"
        ),
    ]


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


def category_select(policy: Policy, selected: str | None, customers: Sequence[str] = ()) -> dict[str, Any]:
    """The scope's categories; those a premium add-on of the customers covers are grouped apart, each
    naming its add-on (and the customer, for a key user of several)."""
    assert policy.scope is not None
    groups = [
        {
            "label": plain("Covered by support"),
            "options": [option(c.label, c.key) for c in policy.scope.covered],
        }
    ]
    bought = {c.key: addon_note(policy, customers, c.key) for c in policy.scope.not_covered}
    if any(bought.values()):
        covered = [option(c.label, c.key, bought[c.key]) for c in policy.scope.not_covered if bought[c.key]]
        groups.append({"label": plain("Covered by your add-on services"), "options": covered})
    paid = [option(c.label, c.key) for c in policy.scope.not_covered if not bought[c.key]]
    if paid:
        groups.append({"label": plain("Premium add-on services (paid)"), "options": paid})
    return select(
        Block.CATEGORY, Action.CATEGORY, "What is it about?", "Choose one", [], selected, option_groups=groups
    )


def addon_note(policy: Policy, customers: Sequence[str], category: str) -> str | None:
    """`System maintenance add-on` (`…, paid hourly` with a rate; `for Acme Corp` when several)."""
    notes = []
    for key in customers:
        bought = policy.addon_for(key, category)
        if bought is not None:
            paid = ", paid hourly" if bought[1].rate is not None else ""
            whose = f" for {policy.customers[key].name}" if len(customers) > 1 else ""
            notes.append(f"{bought[1].label} add-on{paid}{whose}")
    return "; ".join(notes) or None


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
