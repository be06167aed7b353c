"""Next response and update cadence end to end: a key user's reply in the ticket's thread (a signed
message event) starts the next-response clock shown on the ticket's message; its at-risk and breach notes
reach the thread and the manager is paged at the miss (`after: next_response`); the update period from the
claim reminds the owner, then tells the lead by DM without a page."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.ids import Action
from bot.policy import Policy
from bot.standin.payloads import message_event
from models import Page, Ticket
from tests.bot.services.test_recurring_clocks import recurring_policy
from tests.conftest import RunningBot
from tests.e2e.journey import advance, channel_message, click, pages_to, raise_ticket, thread_notes

TUESDAY_10AM_CENTRAL = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


@pytest.fixture
def policy() -> Policy:
    return recurring_policy()  # Standard P2: next response 2h, an update every 4h, the manager per miss


def dms(running: RunningBot, user: str) -> list[str]:
    return [json.dumps(c.args) for c in running.standin.posts_to(user)]


def stamp(at: datetime) -> str:
    return f"<!date^{int(at.timestamp())}^"


async def test_a_thread_reply_is_owed_an_answer_and_a_silent_owner_misses_updates(
    running: RunningBot,
) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY2", priority="P2")
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await running.settle()
    assert f"*Update*: due {stamp(TUESDAY_10AM_CENTRAL + timedelta(hours=4))}" in channel_message(
        running, ticket
    )

    running.clock.advance(timedelta(minutes=30))
    fresh = await Ticket.get(id=ticket.id)
    body = message_event("U0KEY2", "C0SUPPORT", "Any news?", thread_ts=fresh.message_ts)
    assert (await running.slack.send(*body))[0] == 200
    await running.settle()
    due = TUESDAY_10AM_CENTRAL + timedelta(hours=2, minutes=30)
    assert f"*Next response*: due {stamp(due)}" in channel_message(running, ticket)

    await advance(running, timedelta(hours=2), step=timedelta(minutes=15))  # 12:30: missed
    notes = thread_notes(running, ticket)
    assert any(n.startswith(":warning: The next response target is at risk") for n in notes)
    assert any(n.startswith(":red_circle: The next response target was missed") for n in notes)
    assert len(pages_to(running, "U0MGR")) == 1
    assert ":red_circle: breached" in channel_message(running, ticket)

    await advance(running, timedelta(hours=1, minutes=30), step=timedelta(minutes=15))  # 14:00: no update
    assert any(f"{ticket.ref} owes the customer an update" in text for text in dms(running, "U0ENG1"))
    assert any("missed its customer update" in text for text in dms(running, "U0LEAD"))
    assert pages_to(running, "U0LEAD") == []  # told, not paged
    assert await Page.filter(ticket_id=ticket.id, level="lead").count() == 0
    assert any(
        n.startswith(":red_circle: The customer got no update in time") for n in thread_notes(running, ticket)
    )
