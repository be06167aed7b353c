"""Renderers: what people see, escaped and inside Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot import blocks
from bot.config import Policy
from bot.ids import Action, Block
from bot.services.tickets import DESCRIPTION_MAX, TITLE_MAX
from models import Ticket, TicketStatus
from tests.blockkit import assert_valid_message, assert_valid_view

NOW = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


def make_ticket(**overrides: object) -> Ticket:
    fields: dict[str, object] = {
        "id": 42,
        "customer": "acme",
        "plan": "enterprise",
        "priority": "P1",
        "environment": "production",
        "title": "Checkout fails",
        "description": "Error 500",
        "tried": "",
        "reporter_id": "U0KEY1",
        "status": TicketStatus.OPEN,
        "owner_id": None,
        "first_response_due": NOW + timedelta(minutes=30),
        "created_at": NOW,
        "updated_at": NOW,
        "version": 0,
        "policy": {},
    }
    fields.update(overrides)
    return Ticket(**fields)


def test_unclaimed_ticket_shows_everything_an_engineer_needs_and_a_claim_button(policy: Policy) -> None:
    message = blocks.ticket_message(make_ticket(), policy, NOW)
    assert_valid_message(message)
    text = json.dumps(message["blocks"])
    for expected in (
        "SUP-42",
        "Acme Corp",
        "Enterprise",
        "P1 Emergency",
        "<@U0KEY1>",
        "Production",
        f"<!date^{int((NOW + timedelta(minutes=30)).timestamp())}^",
        "(30m)",
    ):
        assert expected in text, expected
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert actions["block_id"] == Block.TICKET_ACTIONS
    assert actions["elements"][0]["action_id"] == Action.CLAIM and actions["elements"][0]["value"] == "42"


def test_claimed_ticket_names_the_owner_and_has_no_claim_button(policy: Policy) -> None:
    message = blocks.ticket_message(make_ticket(owner_id="U0ENG1"), policy, NOW)
    assert_valid_message(message)
    text = json.dumps(message["blocks"])
    assert "Claimed by <@U0ENG1>" in text and Action.CLAIM not in text


def test_overdue_first_response_says_so(policy: Policy) -> None:
    message = blocks.ticket_message(make_ticket(), policy, NOW + timedelta(hours=1))
    assert "overdue" in json.dumps(message["blocks"])


def test_longest_allowed_input_stays_within_slack_limits(policy: Policy) -> None:
    # Worst case: every character escapes to five (& → &amp;).
    ticket = make_ticket(
        title="&" * TITLE_MAX, description="&" * DESCRIPTION_MAX, tried="<" * DESCRIPTION_MAX
    )
    for message in (
        blocks.ticket_message(ticket, policy, NOW),
        blocks.raised_dm(ticket, NOW),
        blocks.claimed_dm(ticket, "U0ENG1"),
    ):
        assert_valid_message(message)
        assert "&amp" in json.dumps(message)


def test_raise_modal_offers_a_customer_only_to_key_users_of_several(policy: Policy) -> None:
    single = blocks.raise_modal(policy, ["acme"])
    assert_valid_view(single)
    assert Block.CUSTOMER not in [b["block_id"] for b in single["blocks"]]
    several = blocks.raise_modal(policy, ["acme", "globex"], description="x" * 5000)
    assert_valid_view(several)
    customer = next(b for b in several["blocks"] if b["block_id"] == Block.CUSTOMER)
    assert [o["text"]["text"] for o in customer["element"]["options"]] == ["Acme Corp", "Globex"]
    priorities = next(b for b in several["blocks"] if b["block_id"] == Block.PRIORITY)["element"]["options"]
    assert [o["value"] for o in priorities] == ["P1", "P2", "P3", "P4"]
    assert "launch blocked" in priorities[0]["description"]["text"]
    assert "development schedule blocked" in priorities[1]["description"]["text"]


def test_not_key_user_text_names_the_company_key_users(policy: Policy) -> None:
    assert "<@U0KEY2>" in blocks.not_key_user_text(policy, "globex")
    assert "key users" in blocks.not_key_user_text(policy, None)


def test_home_view_is_valid_with_long_lists(policy: Policy) -> None:
    tickets = [make_ticket(id=i, title="&" * TITLE_MAX) for i in range(20)]
    view = blocks.home_view([("Unclaimed", tickets, "none"), ("Yours", [], "You own no open tickets.")])
    assert_valid_view(view)
    assert "You own no open tickets." in json.dumps(view)
