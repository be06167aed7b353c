"""Modals about a ticket: resolve it, reassign it, add details, ask for escalation, reclassify it."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.blocks.kit import modal, option, plain, section, text_input
from bot.blocks.raise_form import category_select
from bot.ids import Action, Block, Callback
from bot.policy import Policy
from bot.services.intake import DETAILS_MAX
from bot.services.resolutions import Resolution
from bot.text import escape
from models import Ticket


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
        {
            "type": "input",
            "block_id": Block.PUBLISH_ANSWER,
            "label": plain("Knowledge base"),
            "optional": True,
            "element": {
                "type": "checkboxes",
                "action_id": Action.PUBLISH_ANSWER,
                "options": [
                    option(
                        "Publish the answer",
                        "publish",
                        "The note for the customer becomes an answer every customer can find",
                    )
                ],
            },
        },
        text_input(
            Block.ANSWER_TITLE,
            Action.ANSWER_TITLE,
            "Title of the published answer",
            initial=ticket.title,
            multiline=False,
            max_length=150,
            optional=True,
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


def reclassify_modal(ticket: Ticket, policy: Policy) -> dict[str, Any]:
    """What the ticket is really about; covered ↔ not covered makes it a paid request or not."""
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}"),
        category_select(policy, ticket.category),  # the same choice the key user made
        text_input(
            Block.RECLASSIFY_REASON,
            Action.RECLASSIFY_REASON,
            "Why? (the key user reads this)",
            max_length=500,
            placeholder="The error comes from the customer's own import script.",
        ),
    ]
    return modal(Callback.RECLASSIFY_MODAL, "Reclassify ticket", "Reclassify", blocks, str(ticket.id))


def log_time_modal(ticket: Ticket, today: date) -> dict[str, Any]:
    """Record time on a ticket: for oneself, and for other agents on the same call."""
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}"),
        text_input(
            Block.WORK_DURATION,
            Action.WORK_DURATION,
            "Time spent",
            multiline=False,
            max_length=20,
            placeholder="45m or 1h30m",
        ),
        {
            "type": "input",
            "block_id": Block.WORK_AGENTS,
            "optional": True,
            "label": plain("Other agents on it (the same time each)"),
            "element": {
                "type": "multi_users_select",
                "action_id": Action.WORK_AGENTS,
                "max_selected_items": 9,
            },
        },
        {
            "type": "input",
            "block_id": Block.WORK_DATE,
            "label": plain("Date worked"),
            "element": {
                "type": "datepicker",
                "action_id": Action.WORK_DATE,
                "initial_date": today.isoformat(),
            },
        },
        text_input(Block.WORK_NOTE, Action.WORK_NOTE, "Note", max_length=500, optional=True),
    ]
    return modal(Callback.LOG_TIME_MODAL, "Log time", "Log", blocks, str(ticket.id))
