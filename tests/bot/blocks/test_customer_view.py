"""The customer's view of a ticket in their own channel: customer words, the plan calendar's timezone, only
their buttons (Reopen only within the window), and notes that say nothing internal."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks.customer_view import CustomerDue, customer_card, customer_note, status_words
from bot.ids import Action
from bot.services.resolutions import REOPEN_WINDOW
from models import TicketStatus
from tests.blockkit import assert_valid_message
from tests.bot.test_blocks import make_ticket

NOW = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


def buttons(message: dict) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_the_card_speaks_customer_words_and_gives_only_customer_buttons() -> None:
    ticket = make_ticket(owner_id="U0ENG1", source="slack_connect", callback_phone="+1 312 555 0100")
    due = CustomerDue("Resolution", datetime(2026, 11, 17, 22, 0, tzinfo=UTC), "America/Chicago")
    card = customer_card(ticket, due, NOW)
    assert_valid_message(card)
    shown = json.dumps(card)
    assert (
        "being worked on by <@U0ENG1>" in shown and "Resolution due by *Tuesday 17 Nov, 16:00 CST*" in shown
    )
    assert buttons(card) == [Action.ADD_DETAILS, Action.ESCALATE]
    assert "555" not in shown  # the callback number is for engineers only


@pytest.mark.parametrize(
    ("ago", "reopen"), [(timedelta(days=1), True), (REOPEN_WINDOW + timedelta(hours=1), False)]
)
def test_a_resolved_card_offers_reopen_only_within_the_window(ago: timedelta, reopen: bool) -> None:
    ticket = make_ticket(status=TicketStatus.RESOLVED, resolution="fixed", resolved_at=NOW - ago)
    card = customer_card(ticket, None, NOW)
    assert status_words(ticket) == "resolved"
    assert buttons(card) == ([Action.REOPEN] if reopen else [])


def test_notes_mention_the_reporter_and_keep_internal_notices_out() -> None:
    ticket = make_ticket(status=TicketStatus.WAITING)
    asked = customer_note(ticket, "waiting", "U0ENG1", "Which <b>file</b>?")
    assert asked is not None and asked.startswith("<@U0KEY1>") and "Which &lt;b&gt;file&lt;/b&gt;?" in asked
    escalated = customer_note(ticket, "escalated", "", "Your ticket was escalated to the executive level")
    assert escalated is not None and "executive" not in escalated  # who was paged stays internal
    assert customer_note(ticket, "reclassified", "U0ENG1", "billed at 120.00 an hour") is None
