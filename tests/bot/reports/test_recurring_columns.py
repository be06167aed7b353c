"""The report's next-response and update columns, from scripted tickets worked by the real services on the
fake clock (Standard P2: next response 2h, an update every 4h, business hours) and read back as the CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from bot import db
from bot.clock import FakeClock
from bot.reports.export import RECURRING_COLUMNS, to_csv
from bot.reports.load import load_report
from bot.reports.sla_report import percent
from models import Ticket
from tests.bot.reports.histories import recurring_oracle
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
    assert ",pages_lead,pages_manager,pages_executive," + ",".join(RECURRING_COLUMNS) + "," in header
    assert header.endswith(
        "next_response_met,next_response_breached,next_response_pct,updates_missed,csat_responses,csat_avg,"
        "engineering_waiting,engineering_longest_wait_h"
    )
    # before the satisfaction and the engineering pairs
    tails = {line.split(",")[0]: line.split(",")[-8:-4] for line in lines}
    assert tails == {
        "globex": ["1", "1", "50.0", "2"],  # one answer met, one late; one missed update on each ticket
        "acme": ["0", "0", "", "0"],
    }
    assert acme.plan == "enterprise" and quiet.id != answered.id


def chicago_at(day: int, hour: int, minute: int = 0) -> datetime:
    return central(day, hour, minute)


# (claimed at, events, now, hand-worked (next met, next breached, updates missed))
SCRIPTS = {
    "answered, then late across a wait": (
        chicago_at(17, 10),
        [
            (chicago_at(17, 10, 10), "customer"),
            (chicago_at(17, 11), "vendor"),  # 50m: met; the update period restarts at 11:00
            (chicago_at(17, 15), "customer"),  # the period is missed at 15:00
            (chicago_at(17, 16), "wait"),  # 1h used of the answer's 2h
            (chicago_at(18, 9), "resume"),
            (chicago_at(18, 10, 30), "vendor"),  # 1h + 1h30m: late
        ],
        chicago_at(18, 12),
        (1, 1, 1),
    ),
    "over a weekend": (
        chicago_at(20, 16),
        [
            (chicago_at(20, 16, 30), "customer"),
            (chicago_at(23, 9, 45), "vendor"),  # 30m Friday + 1h45m Monday: late; the update was in time
        ],
        chicago_at(23, 15),  # the next period (from 09:45) was missed at 13:45
        (0, 1, 1),
    ),
    "resolved with a note in time": (
        chicago_at(17, 10),
        [(chicago_at(17, 11), "customer"), (chicago_at(17, 12, 59), "resolve")],  # 1h59m: in time
        chicago_at(18, 17),
        (1, 0, 0),
    ),
    "unanswered and silent": (
        chicago_at(17, 9),
        [(chicago_at(17, 9, 30), "customer")],
        chicago_at(17, 16),  # the answer was due 11:30, the update 13:00
        (0, 1, 1),
    ),
}


@pytest.mark.parametrize("script", list(SCRIPTS))
async def test_scripted_tickets_match_an_independent_reckoning(renv: Env, script: str) -> None:
    env = renv
    claimed_at, events, now, hand_worked = SCRIPTS[script]
    expected = recurring_oracle(claimed_at, events, now, 2 * 3600, 4 * 3600)
    assert (expected.next_met, expected.next_breached, expected.updates_missed) == hand_worked

    env.clock.set(claimed_at)
    ticket = await env.claimed(priority="P2")
    await Ticket.filter(id=ticket.id).update(channel_id=THREAD[0], message_ts=THREAD[1])
    for at, kind in events:
        await env.advance(at - env.clock.now())
        if kind == "customer":
            await env.replies.reply_in_thread(*THREAD, "U0KEY2")
        elif kind == "vendor":
            await vendor_says(env, ticket.id)
        elif kind == "wait":
            await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
        elif kind == "resume":
            await env.transitions.resume(ticket.id, "U0ENG1")
        else:
            await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "Patched the exporter.", 30)
    await env.advance(now - env.clock.now())

    report = await load_report(recurring_policy(), central(16, 0), central(21, 0), now)
    (line,) = to_csv(report).splitlines()[1:]
    pct = "" if not sum(hand_worked[:2]) else str(percent(hand_worked[0], hand_worked[1]))
    assert line.split(",")[-8:-4] == [str(hand_worked[0]), str(hand_worked[1]), pct, str(hand_worked[2])]
