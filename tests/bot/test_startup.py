"""The start-up check against the Slack stand-in: Slack not answering starts the bot degraded and is checked
again in the background until it answers; a problem is said once; a missing scope is a warning.

Real processes (exit codes, stderr) are in tests/e2e/test_startup.py; the loop runs here, in-process, on a
clock the test steps, because RECHECK_SECONDS (a minute) cannot be shortened from outside a process.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest

from bot.clock import FakeClock
from bot.policy import Policy, parse_config
from bot.slack.api import SlackApi
from bot.slack.budgets import Budgets
from bot.standin import SlackStandIn
from bot.startup import RECHECK_SECONDS, StartupCheck
from tests.conftest import EXAMPLE_POLICY, start_bot
from tests.stepped_clock import SteppedClock

NOT_ANSWERED = "Slack has not answered the start-up check yet; checking again"


@dataclass
class Loop:
    """keep_checking running in the background, with what it was told and what it did."""

    check: StartupCheck
    clock: SteppedClock
    failed_deliveries: bool = False
    healthy_calls: int = 0
    task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def worth_checking(self) -> bool:
        return self.failed_deliveries

    async def on_healthy(self) -> None:
        self.healthy_calls += 1

    async def round(self) -> None:
        """Let a minute pass and the loop check once (or decide not to)."""
        assert await self.clock.wake() == RECHECK_SECONDS
        await self.clock.asleep()


@pytest.fixture
async def loop(standin: SlackStandIn, policy: Policy, clock: FakeClock) -> AsyncIterator[Loop]:
    stepped = SteppedClock(clock)
    api = SlackApi(standin.web_client(), stepped, Budgets(None, stepped))
    found = Loop(StartupCheck(api, policy, stepped), stepped)
    yield found
    if found.task is not None:
        found.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await found.task


def start(loop: Loop) -> None:
    loop.task = asyncio.create_task(loop.check.keep_checking(loop.worth_checking, loop.on_healthy))


def slack_calls(standin: SlackStandIn) -> int:
    return len(standin.calls_to("auth.test"))


BUSY: dict[str, Callable[[SlackStandIn], None]] = {
    "429": lambda s: s.fail("auth.test", status=429, times=None, retry_after=30),
    "503 on auth.test": lambda s: s.fail("auth.test", status=503, times=None),
    "500 on conversations.info": lambda s: s.fail("conversations.info", status=500, times=None),
}


@pytest.mark.parametrize("busy", list(BUSY.values()), ids=list(BUSY))
async def test_slack_busy_at_start_is_degraded_and_checked_every_minute_until_it_answers(
    loop: Loop, standin: SlackStandIn, busy: Callable[[SlackStandIn], None]
) -> None:
    busy(standin)
    assert await loop.check.run() is False  # the bot starts anyway
    assert loop.check.health.degraded() == [NOT_ANSWERED]
    start(loop)
    await loop.clock.asleep()
    await loop.round()
    assert slack_calls(standin) == 2 and loop.check.health.degraded() == [NOT_ANSWERED]
    assert loop.healthy_calls == 0
    standin.reset_controls()  # Slack answers again
    await loop.round()
    assert loop.check.health.degraded() == [] and loop.check.healthy
    assert loop.healthy_calls == 1  # failed deliveries, if any, are retried now
    # Healthy and nothing failed: no more checks, Slack is left alone.
    await loop.round()
    await loop.round()
    assert slack_calls(standin) == 3 and loop.healthy_calls == 1
    # Deliveries failed meanwhile: checked again, and retried when the check passes.
    loop.failed_deliveries = True
    await loop.round()
    assert slack_calls(standin) == 4 and loop.healthy_calls == 2


async def test_a_problem_found_later_is_logged_once_and_its_end_once(
    loop: Loop, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.startup")
    assert await loop.check.run() is True
    loop.failed_deliveries = True
    start(loop)
    await loop.clock.asleep()
    standin.archive("C0SUPPORT")
    for _ in range(3):
        await loop.round()
    assert loop.check.health.degraded() == [
        "support_channel C0SUPPORT: the channel is archived; unarchive it or name another"
    ]
    standin.channels["C0SUPPORT"].archived = False
    await loop.round()
    await loop.round()
    logged = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.startup"]
    assert logged == [
        ("ERROR", "support_channel C0SUPPORT: the channel is archived; unarchive it or name another"),
        ("INFO", "Slack check passes again"),
    ]
    assert loop.check.health.degraded() == [] and loop.healthy_calls == 2


EMAIL_POLICY = EXAMPLE_POLICY.read_text().replace("manager: [U0MGR]", "manager: [pat.manager@vendor.example]")


@pytest.fixture
async def without_email_scope(standin: SlackStandIn) -> SlackStandIn:
    standin.add_user("U0PAT", email="pat.manager@vendor.example")
    standin.scopes = standin.scopes - {"users:read.email"}
    return standin


async def test_a_policy_naming_people_by_email_without_the_scope_warns_once(
    without_email_scope: SlackStandIn, sqlite_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    async for running in start_bot(without_email_scope, sqlite_url, clock, parse_config(EMAIL_POLICY)):
        assert running.bot.startup.healthy
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "users:read.email" in warnings[0]
