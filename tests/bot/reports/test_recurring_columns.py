"""The report's next-response and update columns, from scripted tickets worked by the real services on the
fake clock (Standard P2: next response 2h, an update every 4h, business hours) and read back as the CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot import db
from bot.clock import FakeClock
from bot.reports.export import RECURRING_COLUMNS, to_csv
from bot.reports.load import load_report
from models import Ticket
from tests.bot.services.conftest import TUESDAY_10AM, Env, build_env, central
from tests.bot.services.test_recurring_clocks import THREAD, recurring_policy, vendor_says


@pytest.fixture
async def renv(sqlite_url: str, clock: FakeClock) -> AsyncIterator[Env]:
    await db.start_database(sqlite_url)
    try:
        yield build_env(recurring_policy(), clock)
    finally:
        await db.stop_database()


async def test_csv_counts_every_answer_and_every_missed_update(renv: Env) -> None:
    env = renv
    env.clock.set(TUESDAY_10AM)
    answered = await env.claimed(priority="P2")  # update period 10:00-14:00
    await Ticket.filter(id=answered.id).update(channel_id=THREAD[0], message_ts=THREAD[1])
    quiet = await env.claimed(priority="P2")  # claimed, then silence: its first period is missed at 14:00
    acme = await env.claimed(priority="P2", reporter_id="U0KEY1")  # Enterprise: no such targets

    await env.advance(timedelta(minutes=30))
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")  # 10:30: an answer is due by 12:30
    await env.advance(timedelta(minutes=30))
    await vendor_says(env, answered.id)  # 11:00: answered in time; the next update period runs to 15:00
    await env.advance(timedelta(minutes=30))
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")  # 11:30: never answered, late from 13:30
    await env.advance(central(17, 16) - env.clock.now())  # 16:00: its update was missed at 15:00 too

    report = await load_report(
        recurring_policy(), central(17, 0), central(18, 0), env.clock.now(), timezone="America/Chicago"
    )
    header, *lines = to_csv(report).splitlines()
    assert header.endswith(",pages_lead,pages_manager,pages_executive," + ",".join(RECURRING_COLUMNS))
    assert header.endswith("next_response_met,next_response_breached,next_response_pct,updates_missed")
    tails = {line.split(",")[0]: line.split(",")[-4:] for line in lines}
    assert tails == {
        "globex": ["1", "1", "50.0", "2"],  # one answer met, one late; one missed update on each ticket
        "acme": ["0", "0", "", "0"],
    }
    assert acme.plan == "enterprise" and quiet.id != answered.id
