"""Never flood Slack: through the real endpoint, against a stand-in that enforces Slack's limits on the test's
clock. A storm of pages to one person comes as few DMs, at once, with no 429; several notices to one person
within seconds are one message; a person's profile is asked of Slack once an hour."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from bot.ids import Action, Block, Callback
from bot.slack.people import KEEP_SECONDS
from bot.standin import Call
from bot.standin.payloads import block_actions, text_value, view_submission
from models import Ticket
from tests.conftest import BOLT_TASKS, RunningBot
from tests.e2e.journey import command, open_modal, pages_to, raise_ticket, submit

# Different enough that none is offered as a duplicate of another.
STORM = (
    "Checkout fails",
    "Invoices are empty",
    "Login loops forever",
    "Search is very slow",
    "Exports time out",
    "Emails bounce back",
    "Reports show zeros",
    "Webhooks never arrive",
    "Mobile app crashes",
    "Passwords cannot be reset",
)
# Pacing is the transport's, whatever the database: these run on SQLite only.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_ten_pages_to_one_person_at_once_go_out_together_without_a_429(
    running: RunningBot,
) -> None:
    for title in STORM:  # ten Enterprise P1s raised in the same instant: their ladders fire together
        status, body = await submit(running, title=title, priority="P1")
        assert status == 200 and body in ("", "{}"), body
    assert [t.title for t in await Ticket.all().order_by("id")] == list(STORM)
    assert len({t.created_at for t in await Ticket.all()}) == 1
    await running.settle()
    running.clock.advance(timedelta(minutes=30))  # unclaimed at the first-response target: page the lead
    due = running.clock.monotonic()
    await running.settle()

    # As few DMs as Block Kit's 50 blocks a message allow (9 pages each), not one a second per ticket.
    pages: list[Call] = sorted(pages_to(running, "U0LEAD"), key=lambda call: call.at)
    assert len(pages) == 2
    listed = [ref for call in pages for ref in re.findall(r"Escalation (SUP-\d+)", call.args["text"])]
    assert sorted(listed) == sorted(f"SUP-{t.id}" for t in await Ticket.all())  # each ticket once
    assert all(call.at - due <= 1.0 for call in pages)  # within the DM's short burst
    assert [c for c in running.standin.calls if c.rate_limited or c.status == 429] == []


async def test_several_notices_to_one_person_within_seconds_go_out_as_one_dm(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    confirmations = len(running.standin.posts_to("U0KEY1"))
    ts = ticket.message_ts or ""
    clicks = [
        block_actions("U0ENG1", Action.CLAIM, str(ticket.id), message_ts=ts),
        block_actions(
            "U0ENG1", Action.SET_PRIORITY, f"{ticket.id}:P2", message_ts=ts, action_type="static_select"
        ),
        # Waiting on customer: its form, sent with the question
        view_submission(
            "U0ENG1",
            Callback.WAIT_MODAL,
            {Block.QUESTION: {Action.QUESTION: text_value("Which browser?")}},
            private_metadata=str(ticket.id),
        ),
    ]
    for body, content_type in clicks:  # within seconds: the worker has not run in between
        status, _ = await running.slack.send(body, content_type)
        assert status == 200
        await BOLT_TASKS.drain()
    await running.settle()
    (news,) = running.standin.posts_to("U0KEY1")[confirmations:]
    shown = news.args["text"] + json.dumps(news.args["blocks"])
    assert "<@U0ENG1> has taken your ticket" in shown
    assert "changed the priority from P1 to P2" in shown
    assert "needs more information from you" in shown and "Which browser?" in shown
    assert (await Ticket.get(id=ticket.id)).status == "waiting"


async def test_a_persons_profile_is_asked_of_slack_once_an_hour(running: RunningBot) -> None:
    def asked() -> list[str]:
        return [c.args["user"] for c in running.standin.calls_to("users.info")]

    for title in ("Checkout fails", "Invoices are empty", "Login loops"):
        await raise_ticket(running, title=title)  # each confirmation shows due times in the reporter's zone
        running.clock.advance(timedelta(minutes=10))
    assert asked() == ["U0KEY1"]
    running.clock.advance(timedelta(seconds=KEEP_SECONDS))
    await raise_ticket(running, title="Exports time out")
    assert asked() == ["U0KEY1", "U0KEY1"]


async def test_a_form_slack_is_too_busy_to_open_is_explained_not_apologised_for(running: RunningBot) -> None:
    """A storm of /support hits views.open's limit first: the person hears it is Slack, and to retry."""
    running.standin.fail("views.open", status=429, retry_after=3)
    answer = await command(running, "U0KEY1", "")
    assert answer == "Slack is too busy to show that right now. Please try again in a few seconds."
    await open_modal(running)  # typed again a few seconds later, the form opens
    assert [c.failed for c in running.standin.calls_to("views.open")] == [True, False]
