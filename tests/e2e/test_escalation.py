"""The escalation ladder with a fake clock: who is paged, when, and never twice."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.ids import Action, Callback
from bot.jobs.queue import backoff
from bot.policy import Policy, parse_config
from bot.standin import SlackStandIn
from bot.standin.payloads import text_value, view_submission
from models import Page, TicketEvent
from tests.conftest import EXAMPLE_POLICY, RunningBot, start_bot
from tests.e2e.journey import (
    advance,
    channel_message,
    click,
    click_page,
    command,
    pages_to,
    raise_ticket,
    thread_notes,
    told,
)

TUESDAY_10AM_CENTRAL = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


async def test_unclaimed_p1_pages_lead_then_manager_then_executives_once_each(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(
        running, user="U0KEY1", priority="P1", title="Payroll down"
    )  # Enterprise, 24x7
    await advance(running, timedelta(minutes=29))
    assert pages_to(running, "U0LEAD") == []
    await advance(running, timedelta(minutes=1))
    (lead_page,) = pages_to(running, "U0LEAD")
    text = json.dumps(lead_page.args["blocks"])
    for expected in (
        f"SUP-{ticket.id}",
        "P1 Emergency",
        "Acme Corp",
        "Payroll down",
        "Waiting 30m",
        "P1 first-response target missed by 0m",
        "Open the ticket",
        Action.ACKNOWLEDGE,
        Action.TAKE,
    ):
        assert expected in text, expected
    assert any(
        "Escalated to <@U0LEAD>: P1 first-response target missed" in n for n in thread_notes(running, ticket)
    )

    await advance(running, timedelta(hours=2, minutes=29))  # 2h59m: the manager an hour apart from the lead
    assert pages_to(running, "U0MGR") == []
    await advance(running, timedelta(minutes=1))  # 3h after raise: manager
    assert len(pages_to(running, "U0MGR")) == 1 and pages_to(running, "U0EXEC1") == []
    await advance(running, timedelta(hours=1))  # 4h: both executives
    await advance(running, timedelta(hours=5), step=timedelta(minutes=30))
    assert [len(pages_to(running, u)) for u in ("U0LEAD", "U0MGR", "U0EXEC1", "U0EXEC2")] == [1, 1, 1, 1]
    assert await Page.filter(ticket_id=ticket.id, late=True).count() == 0


async def test_claimed_ticket_skips_the_lead_and_resolving_stops_the_ladder(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY1", priority="P1")
    await advance(running, timedelta(minutes=10))
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await advance(running, timedelta(hours=3))  # 3h10m: lead skipped (claimed), manager paged (unresolved)
    assert pages_to(running, "U0LEAD") == [] and len(pages_to(running, "U0MGR")) == 1
    await running.bot.deps.transitions.resolve(ticket.id, "U0ENG1", "fixed", "Restarted the queue", 30)
    await running.settle()
    await advance(running, timedelta(hours=2), step=timedelta(minutes=15))
    assert pages_to(running, "U0EXEC1") == [] and pages_to(running, "U0EXEC2") == []
    skipped = await TicketEvent.filter(ticket_id=ticket.id, kind="step_skipped").count()
    assert skipped == 1


async def test_priority_raised_mid_ladder_follows_the_new_ladder_and_pages_once(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY1", priority="P3")
    await advance(running, timedelta(minutes=10))
    await click(
        running, "U0ENG1", Action.SET_PRIORITY, ticket, value=f"{ticket.id}:P1", action_type="static_select"
    )
    await advance(running, timedelta(minutes=25))  # 35m: the P1 lead step fired; the P3 one is stale
    assert len(pages_to(running, "U0LEAD")) == 1
    await advance(running, timedelta(hours=2, minutes=30), step=timedelta(minutes=10))  # P1: manager at 3h
    assert len(pages_to(running, "U0MGR")) == 1 and len(pages_to(running, "U0LEAD")) == 1


async def test_business_hours_offsets_wait_over_the_weekend(running: RunningBot) -> None:
    running.clock.set(datetime(2026, 11, 20, 22, 30, tzinfo=UTC))  # Friday 16:30 Central
    await raise_ticket(running, user="U0KEY2", priority="P1")  # Standard: 2h first response
    await advance(running, timedelta(hours=2), step=timedelta(minutes=10))  # Friday 18:30: nothing yet
    assert pages_to(running, "U0LEAD") == []
    running.clock.set(datetime(2026, 11, 23, 15, 20, tzinfo=UTC))  # Monday 09:20 Central
    await running.settle()
    assert pages_to(running, "U0LEAD") == []
    await advance(running, timedelta(minutes=10))  # Monday 09:30: 30m Friday + 1h30m Monday
    assert len(pages_to(running, "U0LEAD")) == 1


async def test_key_user_asks_for_escalation_and_the_next_level_is_paged_at_once(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY2", priority="P3")
    assert "paging <@U0LEAD>" in await command(running, "U0KEY2", f"escalate SUP-{ticket.id} month-end close")
    await running.settle()
    (page,) = pages_to(running, "U0LEAD")
    assert "escalation requested by <@U0KEY2>: month-end close" in json.dumps(page.args["blocks"])
    assert any("being paged now" in c.args["text"] for c in running.standin.posts_to("U0KEY2"))
    # Again, from the DM's button and modal: the level after the lead.
    body, content_type = view_submission(
        "U0KEY2",
        Callback.ESCALATE_MODAL,
        {"escalation_reason_block": {"escalation_reason": text_value("still blocked")}},
        private_metadata=str(ticket.id),
    )
    status, _ = await running.slack.send(body, content_type)
    assert status == 200
    await running.settle()
    assert len(pages_to(running, "U0MGR")) == 1 and len(pages_to(running, "U0LEAD")) == 1
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id, kind="escalation_requested")]
    assert len(kinds) == 2
    # Someone from another company may not.
    assert "Only" in await command(running, "U0KEY1", f"escalate SUP-{ticket.id} me too")
    assert len(pages_to(running, "U0EXEC1")) == 0


async def test_acknowledge_and_take_from_the_page(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY1", priority="P1")
    await advance(running, timedelta(minutes=30))
    page = await Page.get(ticket_id=ticket.id, recipient="U0LEAD")
    await click_page(running, "U0ENG2", Action.ACKNOWLEDGE, page.id)  # not theirs, not a lead: refused
    assert (await Page.get(id=page.id)).acknowledged_at is None
    assert "Only" in (await told(running, "U0ENG2"))[-1]
    await click_page(running, "U0LEAD", Action.ACKNOWLEDGE, page.id)
    page = await Page.get(id=page.id)
    assert page.acknowledged_by == "U0LEAD"
    redrawn = running.standin.message(page.channel_id, page.message_ts)
    assert "Acknowledged by <@U0LEAD>" in json.dumps(redrawn["blocks"])
    await click_page(running, "U0LEAD", Action.TAKE, page.id)
    assert "claimed by <@U0LEAD>" in channel_message(running, ticket)


async def test_undeliverable_page_goes_to_the_support_channel(running: RunningBot) -> None:
    running.standin.fail_for(
        "chat.postMessage", lambda a: a.get("channel") == "U0LEAD", error="cannot_dm_bot"
    )
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY1", priority="P1")
    await advance(running, timedelta(minutes=30))
    fallback = [
        c for c in running.standin.posts_to("C0SUPPORT") if "Could not reach <@U0LEAD>" in json.dumps(c.args)
    ]
    assert len(fallback) == 1
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="page_fell_back").count() == 1
    assert (await Page.get(ticket_id=ticket.id, recipient="U0LEAD")).fell_back


async def test_page_hit_by_429_and_500_is_retried_and_arrives_once(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    await raise_ticket(running, user="U0KEY1", priority="P1")
    running.standin.fail_for(
        "chat.postMessage", lambda a: a.get("channel") == "U0LEAD", status=429, times=1, retry_after=20
    )
    running.standin.fail_for("chat.postMessage", lambda a: a.get("channel") == "U0LEAD", status=500, times=1)
    await advance(running, timedelta(minutes=29), step=timedelta(minutes=1))
    await advance(running, timedelta(minutes=2), step=timedelta(seconds=2))
    attempts = [c for c in running.standin.calls_to("chat.postMessage") if c.args.get("channel") == "U0LEAD"]
    assert [c.status for c in attempts] == [429, 500, 200]
    # On the fake clock: not before Slack's Retry-After (20 s), then the backoff after a second attempt (4 s).
    assert 20 <= attempts[1].at - attempts[0].at <= 22
    assert backoff(2).total_seconds() <= attempts[2].at - attempts[1].at <= backoff(2).total_seconds() + 2
    assert len(pages_to(running, "U0LEAD")) == 1


ACK_POLICY = EXAMPLE_POLICY.read_text().replace(
    "      - {page: manager, after: 3h, unless: resolved}",
    "      - {page: manager, after: 1h, unless: acknowledged}",
)

assert ACK_POLICY != EXAMPLE_POLICY.read_text()  # the replacement above must find its line


@pytest.fixture
async def ack_ladder(standin: SlackStandIn, sqlite_url: str, clock: FakeClock) -> AsyncIterator[RunningBot]:
    policy: Policy = parse_config(ACK_POLICY)
    async for running_bot in start_bot(standin, sqlite_url, clock, policy):
        yield running_bot


async def test_acknowledged_page_skips_a_step_with_unless_acknowledged(ack_ladder: RunningBot) -> None:
    running = ack_ladder
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY1", priority="P1")
    await advance(running, timedelta(minutes=35))
    page = await Page.get(ticket_id=ticket.id, recipient="U0LEAD")
    await click_page(running, "U0LEAD", Action.ACKNOWLEDGE, page.id)
    await advance(running, timedelta(minutes=40))  # 1h15m: manager step skipped
    assert pages_to(running, "U0MGR") == []
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="step_skipped").count() == 1


EMAIL_POLICY = EXAMPLE_POLICY.read_text().replace("manager: [U0MGR]", "manager: [pat.manager@vendor.example]")


@pytest.fixture
async def email_levels(standin: SlackStandIn, sqlite_url: str, clock: FakeClock) -> AsyncIterator[RunningBot]:
    standin.users["U0PAT"] = {"email": "pat.manager@vendor.example", "real_name": "Pat"}
    async for running_bot in start_bot(standin, sqlite_url, clock, parse_config(EMAIL_POLICY)):
        yield running_bot


async def test_a_level_named_by_email_pages_that_slack_user(email_levels: RunningBot) -> None:
    running = email_levels
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY1", priority="P1")
    await advance(running, timedelta(hours=3), step=timedelta(minutes=5))
    assert len(pages_to(running, "U0PAT")) == 1
    assert [c.args["email"] for c in running.standin.calls_to("users.lookupByEmail")] == [
        "pat.manager@vendor.example"
    ]  # looked up once, at start
    # Known by id now, Pat may acknowledge as a manager.
    page = await Page.get(ticket_id=ticket.id, recipient="U0PAT")
    await click_page(running, "U0PAT", Action.ACKNOWLEDGE, page.id)
    assert (await Page.get(id=page.id)).acknowledged_by == "U0PAT"


async def test_the_key_user_hears_when_the_ladder_escalates(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    await raise_ticket(running, user="U0KEY1", priority="P1")
    await advance(running, timedelta(minutes=30))
    news = [c.args["text"] for c in running.standin.posts_to("U0KEY1") if "escalated" in c.args["text"]]
    assert len(news) == 1 and "escalated to the lead level" in news[0]
    await advance(running, timedelta(hours=4), step=timedelta(minutes=10))
    news = [c.args["text"] for c in running.standin.posts_to("U0KEY1") if "escalated" in c.args["text"]]
    assert len(news) == 3  # lead, manager, executives: once per step, not once per person paged
