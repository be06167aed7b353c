"""Ticket histories for the report's property tests: one run through the bot's SLA rules, one oracle.

`simulate` replays a history the way SlaService does (bank, pause, resume, re-target, stop, and the breach
timer that fires at the due time, before any later event), with the bot's own sla_time functions and the
example policy's calendar, and returns the clock rows it would leave: what the report reads.

`oracle` works out, independently of bot.calendars and bot.sla_time, what each clock should say: business
seconds counted per local day on Mon–Fri 08:00–17:00 Chicago (US holidays and 2026-12-24 off), and met
meaning "stopped by its due time" (the first instant the running business time reached the target in
force). Event times fall on a 30-second grid, as do the calendar's edges and the targets, so every due
instant is on the grid too and "due before t" is "target reached by t - 30 s".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from bot import sla_time
from bot.policy import CalendarSpec, Policy, Priority
from bot.reports.sla_report import ClockFacts, Outcome, TicketFacts
from models import ClockState

CHICAGO = ZoneInfo("America/Chicago")
US_HOLIDAYS = holidays.country_holidays("US")
STEP = timedelta(seconds=30)
NAMES = ("first_response", "resolution")


@dataclass(frozen=True)
class History:
    created_at: datetime
    priority: str
    events: tuple[tuple[datetime, str], ...]  # (at, kind): claim, pause, resume, resolve, or P1..P4
    now: datetime


# --- the bot's rules, on in-memory rows -------------------------------------------------------------


@dataclass
class Row:
    target_seconds: int
    state: ClockState = ClockState.RUNNING
    running_since: datetime | None = None
    elapsed_seconds: float = 0.0
    due_at: datetime | None = None
    breached_at: datetime | None = None
    stopped_at: datetime | None = None

    def facts(self) -> ClockFacts:
        return ClockFacts(
            self.state,
            self.target_seconds,
            self.elapsed_seconds,
            self.due_at,
            self.breached_at,
            self.stopped_at,
        )


def _targets(policy: Policy, priority: str) -> dict[str, int]:
    plan = policy.plans["standard"]
    p = Priority(priority)
    return {"first_response": int(plan.first_response[p].total_seconds())} | (
        {"resolution": int(plan.resolution[p].total_seconds())} if p in plan.resolution else {}
    )


def simulate(history: History, policy: Policy) -> TicketFacts:
    calendar: CalendarSpec = policy.calendars["business-hours"]
    rows = {
        name: Row(target, running_since=history.created_at)
        for name, target in _targets(policy, history.priority).items()
    }
    for row in rows.values():
        row.due_at = sla_time.due_at(row, calendar)

    def fire_timers(before: datetime, inclusive: bool = False) -> None:
        for row in rows.values():
            due = row.due_at
            if row.running_since is None or due is None or row.breached_at is not None:
                continue
            if due < before or (inclusive and due == before):
                row.breached_at, row.state = due, ClockState.BREACHED

    def bank(row: Row, at: datetime) -> None:
        if row.running_since is not None:
            row.elapsed_seconds = sla_time.elapsed(row, calendar, at).total_seconds()
            row.running_since = None

    def stop(row: Row, at: datetime) -> None:
        if row.stopped_at is None:
            bank(row, at)
            row.state = ClockState.MET if row.breached_at is None else ClockState.BREACHED
            row.stopped_at = at

    priority = history.priority
    for at, kind in history.events:
        fire_timers(at)
        first, resolution = rows["first_response"], rows.get("resolution")
        if kind == "claim":
            stop(first, at)
        elif kind == "resolve":
            for row in rows.values():
                stop(row, at)
            break
        elif kind == "pause" and resolution and resolution.running_since and not resolution.stopped_at:
            bank(resolution, at)
            resolution.state, resolution.due_at = ClockState.PAUSED, None
        elif kind == "resume" and resolution and resolution.state == ClockState.PAUSED:
            resolution.running_since = at
            resolution.state = ClockState.BREACHED if resolution.breached_at else ClockState.RUNNING
            resolution.due_at = sla_time.due_at(resolution, calendar)
        elif kind.startswith("P") and kind != priority:
            priority = kind
            for name, target in _targets(policy, priority).items():
                row = rows[name]
                if row.stopped_at is not None:
                    continue
                running = row.running_since is not None
                bank(row, at)
                row.target_seconds = target
                row.running_since = at if running else None
                past = row.elapsed_seconds >= row.target_seconds
                if past and row.breached_at is None:
                    row.breached_at = at
                elif not past:
                    row.breached_at = None
                if running:
                    row.state = ClockState.BREACHED if row.breached_at else ClockState.RUNNING
                row.due_at = sla_time.due_at(row, calendar)
    fire_timers(history.now, inclusive=True)
    return TicketFacts(
        id=0,
        customer="c",
        plan="standard",
        priority=priority,
        created_at=history.created_at,
        first_response=rows["first_response"].facts(),
        resolution=rows["resolution"].facts() if "resolution" in rows else None,
    )


# --- the oracle -------------------------------------------------------------------------------------


def open_day(day: date) -> bool:
    return day.weekday() < 5 and day not in US_HOLIDAYS and day != date(2026, 12, 24)


def business_seconds(a: datetime, b: datetime) -> float:
    """Seconds of [a, b) inside Mon–Fri 08:00–17:00 Chicago on open days; 0 if b <= a."""
    total = 0.0
    day = a.astimezone(CHICAGO).date()
    while b > a and day <= b.astimezone(CHICAGO).date():
        if open_day(day):
            lo = max(a, datetime.combine(day, time(8), CHICAGO))
            hi = min(b, datetime.combine(day, time(17), CHICAGO))
            total += max(0.0, (hi - lo).total_seconds())
        day += timedelta(days=1)
    return total


@dataclass
class OracleClock:
    target: int
    since: datetime | None
    elapsed: float = 0.0
    breached: bool = False
    stopped: bool = False
    resumed_past_target: bool = False  # see `Expected.bot_defect`

    def at(self, t: datetime) -> float:
        return self.elapsed + (business_seconds(self.since, t) if self.since else 0.0)

    def catch_up(self, t: datetime) -> None:
        """Mark the breach if the due instant came strictly before t."""
        if (
            self.since is not None
            and not self.breached
            and t > self.since
            and self.at(t - STEP) >= self.target
        ):
            self.breached = True

    def bank(self, t: datetime) -> None:
        self.elapsed, self.since = self.at(t), None


@dataclass
class Expected:
    priority: str
    outcomes: dict[str, Outcome | None] = field(default_factory=dict)
    measured: dict[str, float | None] = field(default_factory=dict)
    # A resolution clock resumed with its target already used up and no breach recorded (paused at the
    # very instant it fell due): SlaService.resume starts it without a breach or a breach timer, so it
    # later stops as "met". The report shows what the clock says, so such histories are left out here.
    bot_defect: bool = False


def oracle(history: History, policy: Policy) -> Expected:
    clocks = {n: OracleClock(t, history.created_at) for n, t in _targets(policy, history.priority).items()}
    priority = history.priority
    for t, kind in history.events:
        for c in clocks.values():
            if not c.stopped:
                c.catch_up(t)
        res = clocks.get("resolution")
        if kind in ("claim", "resolve"):
            for name in ("first_response",) if kind == "claim" else tuple(clocks):
                c = clocks[name]
                if not c.stopped:
                    c.bank(t)
                    c.stopped = True
            if kind == "resolve":
                break
        elif kind == "pause" and res and res.since is not None and not res.stopped:
            res.bank(t)
        elif kind == "resume" and res and res.since is None and not res.stopped:
            res.since = t
            if res.elapsed >= res.target and not res.breached:
                res.resumed_past_target = True
        elif kind.startswith("P") and kind != priority:
            priority = kind
            for name, target in _targets(policy, priority).items():
                c = clocks[name]
                if c.stopped:
                    continue
                running = c.since is not None
                c.bank(t)
                c.target, c.since = target, (t if running else None)
                c.breached = c.elapsed >= c.target
    expected = Expected(priority, bot_defect=any(c.resumed_past_target for c in clocks.values()))
    for name in NAMES:
        found = clocks.get(name)
        if found is None:
            expected.outcomes[name], expected.measured[name] = None, None
            continue
        c = found
        if c.stopped:
            expected.outcomes[name] = Outcome.BREACHED if c.breached else Outcome.MET
            expected.measured[name] = c.elapsed
        else:
            c.catch_up(history.now)
            late = c.breached or c.at(history.now) >= c.target
            expected.outcomes[name] = Outcome.BREACHED if late else Outcome.OPEN
            expected.measured[name] = None
    return expected


# --- recurring targets: next response and update cadence --------------------------------------------


@dataclass
class Recurring:
    """What a claimed ticket's next responses and update periods should count, reckoned with
    `business_seconds` alone. Events: customer (a customer message), vendor (a customer-visible
    message), wait, resume, resolve (with a note: a vendor message first). Scripts keep events off the
    instants a target falls due, so "late" is simply "more business time than the target"."""

    next_target: float
    update_target: float
    next_met: int = 0
    next_breached: int = 0
    updates_missed: int = 0


def recurring_oracle(
    claimed_at: datetime,
    events: list[tuple[datetime, str]],
    now: datetime,
    next_target: float,
    update_target: float,
) -> Recurring:
    counts = Recurring(next_target, update_target)
    waiting = resolved = False
    answer: OracleClock | None = None  # the customer's oldest unanswered message
    update: OracleClock | None = OracleClock(int(update_target), claimed_at)

    def used(clock: OracleClock, t: datetime) -> float:
        return clock.at(t)

    for t, kind in events:
        if kind == "customer" and answer is None and not resolved:
            answer = OracleClock(int(next_target), None if waiting else t)
        elif kind in ("vendor", "resolve"):
            if answer is not None:
                if used(answer, t) > next_target:
                    counts.next_breached += 1
                else:
                    counts.next_met += 1
                answer = None
            if update is not None and used(update, t) > update_target:
                counts.updates_missed += 1
            update = None if kind == "resolve" else OracleClock(int(update_target), None if waiting else t)
            resolved = kind == "resolve"
        elif kind == "wait":
            waiting = True
            for clock in (answer, update):
                if clock is not None:
                    clock.bank(t)
        elif kind == "resume":
            waiting = False
            for clock in (answer, update):
                if clock is not None:
                    clock.since = t
    if answer is not None and used(answer, now) >= next_target:
        counts.next_breached += 1
    if update is not None and used(update, now) >= update_target:
        counts.updates_missed += 1
    return counts
