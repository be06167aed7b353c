"""The start-up check of customers' own (Slack Connect) channels: one line per problem, shown in /healthz,
and whether each is shared; a customer's channel never stops the bot."""

from __future__ import annotations

import logging

import pytest

from bot.clock import FakeClock
from bot.policy import Policy
from bot.slack.api import SlackApi
from bot.slack.budgets import Budgets
from bot.standin import SlackStandIn
from bot.startup import StartupCheck


def check(standin: SlackStandIn, policy: Policy, clock: FakeClock) -> StartupCheck:
    return StartupCheck(SlackApi(standin.web_client(), clock, Budgets(None, clock)), policy, clock)


async def test_a_shared_customer_channel_passes_and_is_known_as_shared(
    standin: SlackStandIn, policy: Policy, clock: FakeClock
) -> None:
    startup = check(standin, policy, clock)
    assert await startup.run() is True
    assert startup.health.shared == {"C0SOYLENT": True}
    assert startup.health.degraded() == [] and startup.health.team_id == "T0TEAM"


async def test_each_problem_is_one_line_and_the_bot_still_starts(
    standin: SlackStandIn, policy: Policy, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.startup")
    standin.remove_bot("C0SOYLENT")
    startup = check(standin, policy, clock)
    assert await startup.run() is True  # one customer's channel must not stop support for everyone
    line = "customers.soylent.channels C0SOYLENT: the bot is not a member; invite it with /invite @Secondline"
    assert startup.health.degraded() == [line]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [line]
    # Checked again (still wrong): not logged twice. Then fixed: gone from /healthz.
    await startup.run()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == [line]
    standin.add_bot("C0SOYLENT")
    await startup.run()
    assert startup.health.degraded() == []


async def test_a_missing_channel_and_an_unshared_one(
    standin: SlackStandIn, policy: Policy, clock: FakeClock
) -> None:
    del standin.channels["C0SOYLENT"]
    startup = check(standin, policy, clock)
    await startup.run()
    assert startup.health.degraded() == [
        "customers.soylent.channels C0SOYLENT: Slack says channel_not_found; invite the bot with "
        "/invite @Secondline, or check the channel id"
    ]
    standin.add_channel("C0SOYLENT")  # an internal channel for the customer: fine, just not shared
    await startup.run()
    assert startup.health.degraded() == [] and startup.health.shared == {"C0SOYLENT": False}
