"""SLA clocks: threshold timers at 50/75/90/100 % of business time, stale timers, breaches at the due time."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.clock import FakeClock
from bot.jobs.kinds import RedrawTicket, SlaThreshold, ThreadNote
from bot.policy import parse_config
from models import ClockState, Job, TicketEvent
from tests.bot.services.conftest import (
    FRIDAY_4PM,
    MONDAY_11AM,
    TUESDAY_10AM,
    Env,
    build_env,
    central,
    sent_of,
)
from tests.conftest import EXAMPLE_POLICY


def stamp(at: object) -> str:
    return f"<!date^{int(at.timestamp())}^"  # type: ignore[attr-defined]


def target_notes(sent: list) -> list[str]:
    return [n.text for n in sent_of(sent, ThreadNote) if "target" in n.text and "Escalated" not in n.text]


async def test_thresholds_fire_at_50_75_90_and_100_percent_of_business_time(env: Env) -> None:
    env.clock.set(FRIDAY_4PM)
    ticket = await env.raise_ticket(priority="P2")  # first response 4h: 1h on Friday, 3h on Monday
    await env.run_due()
    redraw = RedrawTicket(ticket_id=ticket.id)

    sent = await env.advance(central(23, 8, 59) - env.clock.now())  # the weekend does not count
    assert redraw not in sent
    sent = await env.advance(timedelta(minutes=1))  # Monday 09:00: 50 %, 2h used
    assert redraw in sent and target_notes(sent) == []

    sent = await env.advance(timedelta(hours=1))  # 10:00: 75 %
    assert target_notes(sent) == [
        f":warning: The first response target is at risk: 75 % of it is used; due {stamp(MONDAY_11AM)}"
        "{date_short_pretty} at {time}|due time>."
    ]
    at_risk = await TicketEvent.get(ticket_id=ticket.id, kind="first_response_at_risk")
    assert at_risk.at == central(23, 10) and at_risk.detail["due_at"] == MONDAY_11AM.isoformat()

    sent = await env.advance(timedelta(minutes=35))
    assert redraw not in sent
    sent = await env.advance(timedelta(minutes=1))  # 10:36: 90 %
    assert redraw in sent and target_notes(sent) == []
    assert (await env.clock_row(ticket.id, "first_response")).state == ClockState.RUNNING

    sent = await env.advance(timedelta(minutes=24))  # 11:00: 100 %
    (missed,) = target_notes(sent)
    assert missed.startswith(":red_circle: The first response target was missed: it was due ")
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.BREACHED and first.breached_at == MONDAY_11AM
    assert (await TicketEvent.get(ticket_id=ticket.id, kind="first_response_breached")).at == MONDAY_11AM


async def test_a_breach_is_recorded_at_the_due_time_even_when_the_timer_fires_late(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P2")  # first response due Tuesday 14:00
    env.clock.set(central(17, 16, 30))  # the worker was stuck: nothing ran at 14:00
    await env.run_due()
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.BREACHED and first.breached_at == central(17, 14)
    logged = await TicketEvent.get(ticket_id=ticket.id, kind="first_response_breached")
    assert logged.at == central(17, 16, 30)  # when the bot noticed; the clock says when it ran out
    # Stopping it later keeps it breached.
    await env.transitions.claim(ticket.id, "U0ENG1")
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.BREACHED and first.breached_at == central(17, 14)
    assert "first_response_breached" in await env.events(ticket.id)


async def test_the_at_risk_and_breached_events_log_the_business_time_used(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P2")  # first response 4h
    await env.advance(timedelta(hours=4))
    at_risk = await TicketEvent.get(ticket_id=ticket.id, kind="first_response_at_risk")
    breached = await TicketEvent.get(ticket_id=ticket.id, kind="first_response_breached")
    assert at_risk.detail["elapsed_seconds"] == 3 * 3600
    assert breached.detail["elapsed_seconds"] == 4 * 3600


async def test_a_stale_timer_does_nothing(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P2")
    (old_breach,) = [
        job
        for job in await Job.filter(kind=SlaThreshold.kind)
        if job.payload["clock"] == "first_response" and job.payload["percent"] == 100
    ]
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P3")  # the clock's epoch moved on
    before = await env.snapshot()
    env.clock.set(central(17, 14))
    await env.fire(old_breach.id)  # the old timer fires anyway
    assert await env.snapshot() == before
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.RUNNING and first.breached_at is None


async def test_timers_of_a_stopped_clock_do_nothing(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", priority="P2")
    await env.advance(timedelta(hours=5))  # past the first-response target, but it was met
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.MET and first.breached_at is None
    events = await env.events(ticket.id)
    assert "first_response_at_risk" not in events and "first_response_breached" not in events


async def test_timers_run_on_real_time_for_a_24x7_plan(env: Env) -> None:
    await env.raise_ticket(reporter_id="U0KEY1", priority="P1")  # Enterprise: first response 30m
    timers = [
        (due, t.percent) for due, t in await env.pending_with_due(SlaThreshold) if t.clock == "first_response"
    ]
    assert timers == [
        (TUESDAY_10AM + timedelta(minutes=15), 50),
        (TUESDAY_10AM + timedelta(minutes=22, seconds=30), 75),
        (TUESDAY_10AM + timedelta(minutes=27), 90),
        (TUESDAY_10AM + timedelta(minutes=30), 100),
    ]


async def test_retargeting_a_paused_clock_keeps_it_paused_with_the_new_target(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", priority="P2")  # resolution 27h
    env.clock.advance(timedelta(hours=2))
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P1")  # resolution 9h
    paused = await env.clock_row(ticket.id, "resolution")
    assert (paused.state, paused.target_seconds, paused.due_at) == (ClockState.PAUSED, 9 * 3600, None)
    assert not [
        t for t in await env.pending(SlaThreshold) if t.epoch == paused.epoch and t.clock == "resolution"
    ]
    env.clock.set(central(18, 8))
    await env.transitions.resume(ticket.id, "U0KEY2")
    assert (await env.clock_row(ticket.id, "resolution")).due_at == central(18, 15)  # 7h left


async def test_a_ticket_keeps_counting_on_the_calendar_it_was_raised_under(
    env: Env, database: None, clock: FakeClock
) -> None:
    env.clock.set(FRIDAY_4PM)
    ticket = await env.raise_ticket(priority="P2")
    # Then the policy moves the Standard plan to the 24x7 calendar, and the bot restarts with it.
    edited = re.sub(
        r"(  standard:[^\n]*\n    calendar: )business-hours", r"\1always", EXAMPLE_POLICY.read_text()
    )
    assert edited != EXAMPLE_POLICY.read_text()
    restarted = build_env(parse_config(edited), clock)
    env.clock.advance(timedelta(minutes=30))
    await restarted.transitions.change_priority(ticket.id, "U0ENG1", "P1")
    # 1h30m left of P1's 2h, on business hours still: Monday 09:00, not Friday 18:00.
    assert (await env.clock_row(ticket.id, "first_response")).due_at == central(23, 9)


async def test_readings_give_the_business_time_used(env: Env) -> None:
    env.clock.set(FRIDAY_4PM)
    ticket = await env.raise_ticket(priority="P2")
    env.clock.set(central(23, 9))  # 1h Friday + 1h Monday
    readings = {r.name: r for r in await env.sla.readings(ticket, env.clock.now())}
    assert readings["first_response"].elapsed == timedelta(hours=2)
    assert readings["first_response"].percent == 50.0
    assert readings["resolution"].remaining == timedelta(hours=25)


async def test_stopping_a_stopped_clock_changes_nothing(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    before = await env.snapshot()
    env.clock.advance(timedelta(hours=1))
    stopped = await env.sla.stop(ticket, "first_response", env.clock.now(), "U0ENG2")
    assert stopped is not None and stopped.stopped_at == TUESDAY_10AM
    assert await env.snapshot() == before


async def test_a_clock_stopped_after_its_target_is_breached_even_before_the_timer_ran(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P2")  # first response due Tuesday 14:00
    env.clock.set(central(17, 15))  # an hour late; the worker has not got to the 14:00 timer yet
    await env.transitions.claim(ticket.id, "U0ENG1")
    first = await env.clock_row(ticket.id, "first_response")
    assert first.elapsed_seconds == 5 * 3600
    assert first.state == ClockState.BREACHED


async def test_a_clock_paused_after_its_target_still_ends_breached(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", priority="P1")  # resolution 9h: due Wednesday 10:00
    env.clock.set(central(18, 11))  # an hour late; the 100 % timer has not run yet
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    env.clock.set(central(18, 12))
    await env.transitions.resume(ticket.id, "U0KEY2")
    await env.advance(timedelta(hours=4))
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "", None)
    resolution = await env.clock_row(ticket.id, "resolution")
    assert resolution.elapsed_seconds > resolution.target_seconds
    assert resolution.state == ClockState.BREACHED
