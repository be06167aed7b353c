"""A permanent Slack error is visible, not looped: the ticket is tried once, its key user and the operators
hear it, /healthz and /metrics show it, and once an operator fixes Slack the ticket is posted exactly once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import web
from bot.clock import FakeClock
from bot.policy import Policy
from bot.standin import SlackStandIn
from bot.startup import RECHECK_SECONDS
from models import Ticket
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import raise_ticket
from tests.stepped_clock import SteppedClock

TITLES = ("Checkout fails", "Invoices are empty", "Login loops")


async def healthz(running: RunningBot) -> tuple[int, dict[str, Any]]:
    client = running.slack.session
    async with client.get(running.server.make_url("/healthz")) as response:
        return response.status, await response.json()


async def failed_total(running: RunningBot, kind: str, reason: str) -> float:
    """secondline_jobs_failed_total{kind, reason} as /metrics serves it."""
    async with running.slack.session.get(running.server.make_url("/metrics")) as response:
        assert response.status == 200
        text = await response.text()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "secondline_jobs_failed_total" and sample.labels == {
                "kind": kind,
                "reason": reason,
            }:
                return float(sample.value)
    return 0.0


def channel_attempts(standin: SlackStandIn, ticket: Ticket) -> list[str | None]:
    """Each try to post the ticket into the support channel: None for a success, else Slack's error."""
    return [
        c.error
        for c in standin.calls_to("chat.postMessage")
        if c.args.get("channel") == "C0SUPPORT"
        and "thread_ts" not in c.args
        and f"{ticket.ref} " in str(c.args.get("text"))
    ]


def operator_alerts(standin: SlackStandIn) -> list[str]:
    return [c.args["text"] for c in standin.posts_to("U0LEAD") if "needs an operator" in c.args["text"]]


@pytest.fixture
async def checking(running: RunningBot) -> AsyncIterator[SteppedClock]:
    """The background Slack check, wired as the running bot wires it, on a clock the test steps."""
    stepped = SteppedClock(running.clock)
    running.bot.startup.clock = stepped
    task = asyncio.create_task(
        running.bot.startup.keep_checking(web._any_failed(running.bot), web._retry_failed(running.bot))
    )
    yield stepped
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_an_archived_support_channel_is_tried_once_told_to_everyone_and_posted_once_fixed(
    running: RunningBot, checking: SteppedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    failed_before = await failed_total(running, "post_ticket", "is_archived")
    running.standin.archive("C0SUPPORT")
    tickets = [await raise_ticket(running, title=title) for title in TITLES]

    # Tried once each, and not again: ten minutes would have seen eight retries with backoff. (Less than
    # the 22 minutes after which the SLA notes and pages begin, which wait for the post.)
    running.clock.advance(timedelta(minutes=10))
    await running.settle()
    for ticket in tickets:
        assert channel_attempts(running.standin, ticket) == ["is_archived"], ticket.ref
    # The key user hears that each ticket is saved and support alerted.
    dms = [c.args["text"] for c in running.standin.posts_to("U0KEY1")]
    for ticket in tickets:
        assert any(ticket.ref in dm and "your ticket is saved" in dm and "alerted" in dm for dm in dms), dms
    # One ERROR line per ticket, naming it.
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    for ticket in tickets:
        (line,) = [e for e in errors if f"for {ticket.ref} " in e]
        assert "post_ticket" in line and "is_archived" in line
    # The first escalation level hears it once, not once per ticket.
    (alert,) = operator_alerts(running.standin)
    assert "C0SUPPORT" in alert and "is_archived" in alert
    # /healthz answers, and says what is wrong; /metrics counts it.
    status, health = await healthz(running)
    assert status == 200 and health["ok"] is True
    assert "3 post_ticket job(s) failed: is_archived" in health["degraded"]
    assert await failed_total(running, "post_ticket", "is_archived") == failed_before + 3

    # The background check looks again a minute later: still archived, and now it says so.
    assert await checking.wake() == RECHECK_SECONDS
    await checking.asleep()
    status, health = await healthz(running)
    assert status == 200 and any("C0SUPPORT: the channel is archived" in d for d in health["degraded"])
    await running.settle()
    assert all(channel_attempts(running.standin, t) == ["is_archived"] for t in tickets)

    # The operator unarchives the channel; at the next check every ticket is posted, exactly once.
    running.standin.channels["C0SUPPORT"].archived = False
    await checking.wake()
    await checking.asleep()
    await running.settle()
    for ticket in tickets:
        assert channel_attempts(running.standin, ticket) == ["is_archived", None], ticket.ref
        assert (await Ticket.get(id=ticket.id)).message_ts is not None
    status, health = await healthz(running)
    assert status == 200 and "degraded" not in health, health
    assert len(operator_alerts(running.standin)) == 1


async def test_a_ticket_that_failed_because_the_bot_was_removed_is_posted_on_restart(
    running: RunningBot, standin: SlackStandIn, database_url: str, clock: FakeClock, policy: Policy
) -> None:
    standin.remove_bot("C0SUPPORT")
    ticket = await raise_ticket(running)
    assert channel_attempts(standin, ticket) == ["not_in_channel"]
    await running.server.close()  # the operator stops the bot, invites it back, starts it again
    standin.add_bot("C0SUPPORT")
    async for restarted in start_bot(standin, database_url, clock, policy):
        await restarted.settle()
        assert channel_attempts(standin, ticket) == ["not_in_channel", None]
        assert (await Ticket.get(id=ticket.id)).message_ts is not None
