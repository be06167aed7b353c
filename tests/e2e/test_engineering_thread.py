"""A Slack Connect customer follows their product defect in their own channel's thread: told that engineering
has it, that the fix shipped (with the release and until when they may say it still fails), and **Still
fails** there, pressed by their key user from their own organisation only; without it, the ticket
resolves itself after `engineering.confirm_within`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.clock import FakeClock
from bot.ids import Action, Block, Callback
from bot.policy import Policy
from bot.standin import SlackStandIn
from bot.standin.payloads import select_value, text_value, view_submission
from models import Job, Ticket, TicketEvent, TicketStatus
from tests.bot.engineering.documented import JIRA_DONE
from tests.conftest import RunningBot, start_bot
from tests.e2e.connect_journey import (
    CHANNEL,
    DEV,
    KEY,
    OUTSIDER,
    OUTSIDER_TEAM,
    card_of,
    customer_thread,
    press,
    raised_from_channel,
    seed_people,
)
from tests.e2e.journey import click, command, told

JIRA_SECRET = "jira-webhook-secret"
ISSUE = "https://acme.atlassian.net/browse/PAY-123"  # the documented Jira payload's issue, fix version 2.4.1


@pytest.fixture
async def customer(
    standin: SlackStandIn, database_url: str, clock: FakeClock, policy: Policy
) -> AsyncIterator[RunningBot]:
    async for running in start_bot(standin, database_url, clock, policy, jira_webhook_secret=JIRA_SECRET):
        seed_people(running)
        yield running


async def defect_shipped(running: RunningBot) -> Ticket:
    """Kay's ticket from the channel, resolved as a product defect, linked, and its Jira issue done."""
    ticket = await raised_from_channel(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed_product_defect")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("The export skips rows over 2 MB.")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value(None)},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    status, _ = await running.slack.send(
        *view_submission("U0ENG1", Callback.RESOLVE_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_PENDING
    pending = customer_thread(running, ticket)[-1]
    assert f"<@{KEY}>" in pending and "engineering team has it" in pending
    assert "The export skips rows over 2 MB." in pending  # the note for the customer, nothing internal
    assert "with our engineering team" in card_of(running, await Ticket.get(id=ticket.id))

    assert "now links" in await command(running, "U0ENG1", f"link SUP-{ticket.id} {ISSUE}")
    async with aiohttp.ClientSession() as session:
        url = running.server.make_url(f"/hooks/jira?secret={JIRA_SECRET}")
        async with session.post(url, json=JIRA_DONE) as answer:
            assert answer.status == 200
    await running.settle()
    shipped = await Ticket.get(id=ticket.id)
    assert shipped.status == TicketStatus.FIX_SHIPPED
    return shipped


def shipped_note(running: RunningBot, ticket: Ticket) -> dict:
    [note] = [
        m
        for m in running.standin.replies(CHANNEL, ticket.customer_thread_ts or "")
        if "has shipped" in str(m.get("text"))
    ]
    return note


async def test_the_thread_is_told_and_still_fails_there_reopens_for_the_key_user_only(
    customer: RunningBot,
) -> None:
    running = customer
    ticket = await defect_shipped(running)
    note = shipped_note(running, ticket)
    shown = json.dumps(note)
    assert "2.4.1" in shown and f"<@{KEY}>" in shown  # the release, for the reporter
    assert "press *Still fails* by *" in shown and "CST" in shown  # until when, in the plan's timezone
    assert Action.FIX_STILL_FAILS in shown
    assert "atlassian" not in shown and "PAY-123" not in shown  # the issue itself is internal
    card = card_of(running, ticket)
    assert "fix shipped" in card and Action.FIX_STILL_FAILS in card and Action.ADD_DETAILS not in card

    # Not theirs to say: a third organisation, Kay's id from another organisation, Soylent's non-key user,
    # and the vendor's engineer (the customer's word, not ours).
    for user, team in (
        (OUTSIDER, OUTSIDER_TEAM),
        (KEY, OUTSIDER_TEAM),
        (DEV, "T0SOYLENT"),
        ("U0ENG1", "T0TEAM"),
    ):
        await press(
            running, user, Action.FIX_STILL_FAILS, str(ticket.id), ticket.customer_card_ts or "", team=team
        )
        assert (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED, user
    assert "another organisation" in (await told(running, KEY))[-1]
    assert "key users" in (await told(running, "U0ENG1"))[-1]

    await press(running, KEY, Action.FIX_STILL_FAILS, str(ticket.id), ticket.customer_card_ts or "")
    reopened = await Ticket.get(id=ticket.id)
    assert reopened.status == TicketStatus.OPEN
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]
    assert kinds.index("fix_shipped") < kinds.index("fix_still_fails")  # its history kept
    assert "open again" in customer_thread(running, reopened)[-1]
    assert Action.ADD_DETAILS in card_of(running, reopened)


async def test_nobody_says_it_fails_and_the_thread_is_told_it_resolved_itself(customer: RunningBot) -> None:
    running = customer
    ticket = await defect_shipped(running)
    timer = await Job.get(kind="confirm_fix", ticket_id=ticket.id)
    running.clock.set(timer.due_at)
    await running.settle()
    resolved = await Ticket.get(id=ticket.id)
    assert resolved.status == TicketStatus.RESOLVED
    assert "now resolved" in customer_thread(running, resolved)[-1]
    assert Action.FIX_STILL_FAILS not in card_of(running, resolved)
