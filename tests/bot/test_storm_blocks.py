"""The queue and storm messages stay within Block Kit's limits however many tickets they list, and offer
exactly the unclaimed ones to claim."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot.blocks.storm import MAX_GROUPS, ROWS_PER_GROUP, queue_message, storm_message
from bot.ids import Action, Block
from bot.policy import load_config
from models import Ticket
from tests.blockkit import assert_valid_message
from tests.conftest import EXAMPLE_POLICY

NOW = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
POLICY = load_config(EXAMPLE_POLICY)


def tickets(n: int, **overrides: object) -> list[Ticket]:
    return [
        Ticket(
            id=i + 1,
            customer=("acme", "globex", "initech")[i % 3],
            plan="enterprise",
            priority=("P1", "P2", "P3")[i % 3],
            title=f"Checkout fails <{i}> " + "x" * 140,
            owner_id=None,
            **overrides,
        )
        for i in range(n)
    ]


def claim_options(message: dict) -> list[str]:
    return [
        option["value"]
        for block in message["blocks"]
        if block["type"] == "actions" and block["block_id"].startswith(Block.BOARD_CLAIM)
        for element in block["elements"]
        for option in element["options"]
    ]


def test_a_queue_of_300_fits_one_message_and_says_how_many_more_wait() -> None:
    listed = tickets(300)
    message = queue_message(listed, POLICY, {t.id: NOW + timedelta(minutes=30) for t in listed})
    assert_valid_message(message)  # 50 blocks, unique block ids, slack_sdk's own checks (options ≤ 100 …)
    shown = MAX_GROUPS * ROWS_PER_GROUP
    assert claim_options(message) == [str(t.id) for t in listed[:shown]]
    assert f"and {300 - shown} more" in json.dumps(message["blocks"])
    text = json.dumps([b for b in message["blocks"] if b["type"] == "section"])
    assert "&lt;0&gt;" in text and "<0>" not in text  # a title is escaped in mrkdwn (menus are plain text)
    assert "Acme Corp" in text and "<!date^" in text  # customer, first-response due


def test_claimed_tickets_are_listed_with_their_owner_and_not_offered() -> None:
    listed = tickets(12)
    listed[0].owner_id = "U0ENG1"
    message = queue_message(listed, POLICY, {})
    assert_valid_message(message)
    assert claim_options(message) == [str(t.id) for t in listed[1:]]
    assert "claimed by <@U0ENG1>" in json.dumps(message["blocks"])
    menus = [b for b in message["blocks"] if b["type"] == "actions"]
    assert {m["elements"][0]["action_id"] for m in menus} == {Action.CLAIM}  # the ticket's own Claim


def test_an_empty_queue_says_every_ticket_has_its_own_message() -> None:
    message = queue_message([], POLICY, {})
    assert_valid_message(message)
    assert "Every ticket of this burst now has its own message" in message["text"]


def test_a_storm_offers_grouping_until_grouped() -> None:
    listed = tickets(5)
    message = storm_message(listed, POLICY, {}, board_id=7, incident=None)
    assert_valid_message(message)
    assert "5 similar tickets from 3 customers" in json.dumps(message["blocks"])
    (group,) = [b for b in message["blocks"] if b.get("block_id") == Block.STORM_ACTIONS]
    assert group["elements"][0]["action_id"] == Action.GROUP_STORM and group["elements"][0]["value"] == "7"
    grouped = storm_message(listed, POLICY, {}, board_id=7, incident=Ticket(id=99, title="Incident"))
    assert_valid_message(grouped)
    assert "grouped as SUP-99" in json.dumps(grouped["blocks"])
    assert Action.GROUP_STORM not in json.dumps(grouped["blocks"])
