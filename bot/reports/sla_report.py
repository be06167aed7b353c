"""The SLA report, pure: ticket facts (with their clocks and page counts) in, one row per customer, plan
and priority out, plus the achievement per ISO week for the chart.

Met and breached are read from the SLA clock rows, never recomputed from timestamps, so a report cannot
disagree with what a ticket showed (docs: DESIGN.md decision 10):
  * a stopped clock (claimed / resolved) is met or breached as its state says;
  * a clock still going is breached once its due time has passed as of `now` (or it was marked breached,
    or it is paused with its target used up), and otherwise counts in neither: it is still inside target.
Business seconds are the clock's banked elapsed seconds when it stopped: what the SLA measured on the
plan calendar, paused time excluded. A ticket whose plan sets no resolution target has no resolution clock,
so it counts in neither resolution column and adds no resolution time.

Rows group by (customer, plan, priority): the ticket's priority now (a priority change re-targets the
clocks, and met/breached is against the target in force), and the plan it was raised under (a customer
that changed plans within the period gets one row per plan: the targets differ). Rows are ordered by
customer, plan, then priority.

Recurring clocks count every cycle: next response met/breached per customer message answered (or still
unanswered past its due time), and the update periods missed (a period still inside its time counts in
neither); a ticket whose plan sets no such target adds nothing.

Waiting on engineering counts the row's tickets that are fix pending at `now` (resolved as a product defect,
their fix not shipped yet) and the longest such wait in hours of calendar time, to one decimal; the report
also says the same of every ticket waiting now, whenever raised (`SlaReport.waiting_on_engineering`).

Satisfaction counts the tickets whose reporter answered "How did we do?" (1-5) and averages their scores to
two decimals, half-up, via Decimal; a ticket asked but not answered adds nothing.

Percentiles are nearest-rank: the p-th percentile of n sorted values is the ceil(p·n/100)-th, so the
median of an even count is the lower middle value; both are whole seconds, rounded half-up.
Percentages are met / (met + breached) × 100 to one decimal, half-up, via Decimal.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.clock import as_utc
from models import ClockState

PRIORITY_ORDER = ("P1", "P2", "P3", "P4")
_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")


class Outcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    OPEN = "open"  # still inside its target: counts in neither column


@dataclass(frozen=True)
class ClockFacts:
    """What one SLA clock row says (the columns the report reads)."""

    state: ClockState
    target_seconds: int
    elapsed_seconds: float  # banked business seconds (all of them once the clock stopped)
    due_at: datetime | None = None
    breached_at: datetime | None = None
    stopped_at: datetime | None = None
    # A recurring clock (next response, update cadence): its earlier, finished cycles by outcome; the
    # fields above are its current (or last) cycle.
    met_count: int = 0
    breached_count: int = 0

    def cycles(self, now: datetime) -> Achievement:
        """Every cycle of a recurring clock: the finished ones plus the current one if it is decided."""
        return Achievement(self.met_count, self.breached_count).plus(self.outcome(now))

    def outcome(self, now: datetime) -> Outcome:
        if self.stopped_at is not None:
            return Outcome.BREACHED if self.state == ClockState.BREACHED else Outcome.MET
        if self.state == ClockState.BREACHED or (self.breached_at is not None and self.breached_at <= now):
            return Outcome.BREACHED
        if self.due_at is not None:  # running: breached once the due time has passed
            return Outcome.BREACHED if self.due_at <= now else Outcome.OPEN
        # Paused: its due time is unknown until it runs again; breached only if the target is used up.
        return Outcome.BREACHED if self.elapsed_seconds >= self.target_seconds else Outcome.OPEN

    @property
    def measured_seconds(self) -> float | None:
        """Business seconds to the event that stopped the clock; None while it has not stopped."""
        return self.elapsed_seconds if self.stopped_at is not None else None


@dataclass(frozen=True)
class TicketFacts:
    id: int
    customer: str
    plan: str
    priority: str
    created_at: datetime
    first_response: ClockFacts | None = None
    resolution: ClockFacts | None = None
    pages: tuple[tuple[str, int], ...] = ()  # (level, pages sent), any order
    next_response: ClockFacts | None = None
    update_every: ClockFacts | None = None
    csat: int | None = None  # the reporter's satisfaction score (1-5), if they answered
    engineering_since: datetime | None = None  # fix pending at `now`: since it was resolved as a defect

    def pages_at(self, level: str) -> int:
        return sum(count for name, count in self.pages if name == level)


@dataclass(frozen=True)
class Achievement:
    met: int = 0
    breached: int = 0

    @property
    def percent(self) -> Decimal | None:
        return percent(self.met, self.breached)

    def __add__(self, other: Achievement) -> Achievement:
        return Achievement(self.met + other.met, self.breached + other.breached)

    def plus(self, outcome: Outcome | None) -> Achievement:
        if outcome == Outcome.MET:
            return Achievement(self.met + 1, self.breached)
        if outcome == Outcome.BREACHED:
            return Achievement(self.met, self.breached + 1)
        return self


@dataclass(frozen=True)
class CsatTally:
    """Satisfaction answers: how many, and the sum of their scores (the average is derived)."""

    responses: int = 0
    total: int = 0

    @property
    def average(self) -> Decimal | None:
        """The mean score to two decimals, half-up; None without answers."""
        if not self.responses:
            return None
        return (Decimal(self.total) / Decimal(self.responses)).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)

    def words(self) -> str:
        """ "4.50 of 5 (2 answers)", for the chart and the digests."""
        return f"{self.average} of 5 ({self.responses} answer{'s' if self.responses != 1 else ''})"

    def __add__(self, other: CsatTally) -> CsatTally:
        return CsatTally(self.responses + other.responses, self.total + other.total)

    @classmethod
    def of(cls, tickets: Iterable[TicketFacts]) -> CsatTally:
        scores = [t.csat for t in tickets if t.csat is not None]
        return cls(len(scores), sum(scores))


@dataclass(frozen=True)
class EngineeringWait:
    """Tickets waiting on engineering (fix pending) now, and the longest wait so far in hours."""

    tickets: int = 0
    longest_hours: float | None = None  # None when none waits

    def words(self) -> str:
        if not self.tickets:
            return "none"
        return f"{self.tickets}, the longest for {self.longest_hours or 0:g} hours (calendar time)"

    @classmethod
    def of(cls, since: Iterable[datetime], now: datetime) -> EngineeringWait:
        """From when each waiting ticket started waiting; hours to one decimal (calendar time)."""
        started = list(since)
        if not started:
            return cls()
        return cls(len(started), round((now - min(started)).total_seconds() / 3600, 1))


@dataclass(frozen=True)
class ReportRow:
    customer: str
    plan: str
    priority: str
    tickets: int
    first_response: Achievement
    resolution: Achievement
    median_first_response_s: int | None
    p90_first_response_s: int | None
    median_resolution_s: int | None
    pages: tuple[int, ...]  # pages sent per level, in the report's level order
    next_response: Achievement = Achievement()  # every customer message's answer, met or late
    updates_missed: int = 0  # update periods that passed without a customer-visible message
    csat: CsatTally = CsatTally()  # the reporters' satisfaction answers
    engineering: EngineeringWait = EngineeringWait()  # the row's tickets fix pending at `now`


@dataclass(frozen=True)
class WeekPoint:
    """Tickets raised in one ISO week (Monday to Monday in the report's timezone)."""

    week_start: date  # the Monday
    tickets: int
    first_response: Achievement
    resolution: Achievement

    @property
    def label(self) -> str:
        year, week, _ = self.week_start.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class SlaReport:
    start: datetime  # tickets raised in [start, end)
    end: datetime
    generated_at: datetime  # the `now` met/breached was judged at
    levels: tuple[str, ...]
    rows: tuple[ReportRow, ...]
    weeks: tuple[WeekPoint, ...]
    customer: str | None = None  # the filter, if one was asked for
    timezone: str = "UTC"  # the weeks' timezone
    # Every ticket waiting on engineering at `generated_at` (of `customer`, if given), whenever raised.
    waiting_on_engineering: EngineeringWait = EngineeringWait()

    @property
    def csat(self) -> CsatTally:
        """Every row's satisfaction answers together."""
        total = CsatTally()
        for row in self.rows:
            total += row.csat
        return total


def percent(met: int, breached: int) -> Decimal | None:
    """met / (met + breached) × 100 to one decimal, half-up; None when both are 0."""
    total = met + breached
    if not total:
        return None
    return (Decimal(met * 100) / Decimal(total)).quantize(_TENTH, rounding=ROUND_HALF_UP)


def nearest_rank(values: Sequence[float], p: int) -> int | None:
    """The p-th percentile (1..100) by nearest rank, as whole seconds rounded half-up; None if empty."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile must be in 1..100, got {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-p * len(ordered) // 100)  # ceil(p·n/100) in integers, no float rounding
    return int(Decimal(repr(float(ordered[rank - 1]))).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _outcome(clock: ClockFacts | None, now: datetime) -> Outcome | None:
    return None if clock is None else clock.outcome(now)


def _cycles(clock: ClockFacts | None, now: datetime) -> Achievement:
    return Achievement() if clock is None else clock.cycles(now)


def _measured(tickets: Iterable[TicketFacts], name: str) -> list[float]:
    values = []
    for ticket in tickets:
        clock: ClockFacts | None = getattr(ticket, name)
        seconds = None if clock is None else clock.measured_seconds
        if seconds is not None:
            values.append(seconds)
    return values


def _priority_key(priority: str) -> tuple[int, str]:
    if priority in PRIORITY_ORDER:
        return PRIORITY_ORDER.index(priority), ""
    return len(PRIORITY_ORDER), priority


def report_rows(tickets: Iterable[TicketFacts], now: datetime, levels: Sequence[str]) -> list[ReportRow]:
    """One row per (customer, plan, priority) that has tickets; `levels` orders the page columns."""
    now = as_utc(now, "now")
    groups: dict[tuple[str, str, str], list[TicketFacts]] = defaultdict(list)
    for ticket in tickets:
        groups[ticket.customer, ticket.plan, ticket.priority].append(ticket)
    rows = []
    for (customer, plan, priority), members in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1], _priority_key(item[0][2]))
    ):
        first, resolution = Achievement(), Achievement()
        for ticket in members:
            first = first.plus(_outcome(ticket.first_response, now))
            resolution = resolution.plus(_outcome(ticket.resolution, now))
        next_response, updates = Achievement(), Achievement()
        for ticket in members:
            next_response += _cycles(ticket.next_response, now)
            updates += _cycles(ticket.update_every, now)
        first_times = _measured(members, "first_response")
        resolution_times = _measured(members, "resolution")
        rows.append(
            ReportRow(
                customer=customer,
                plan=plan,
                priority=priority,
                tickets=len(members),
                first_response=first,
                resolution=resolution,
                median_first_response_s=nearest_rank(first_times, 50),
                p90_first_response_s=nearest_rank(first_times, 90),
                median_resolution_s=nearest_rank(resolution_times, 50),
                pages=tuple(sum(t.pages_at(level) for t in members) for level in levels),
                next_response=next_response,
                updates_missed=updates.breached,
                csat=CsatTally.of(members),
                engineering=EngineeringWait.of(
                    (t.engineering_since for t in members if t.engineering_since is not None), now
                ),
            )
        )
    return rows


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_trend(
    tickets: Iterable[TicketFacts], now: datetime, start: datetime, end: datetime, timezone: str = "UTC"
) -> list[WeekPoint]:
    """Achievement per ISO week of raising, in `timezone`, for every week that overlaps [start, end);
    weeks without tickets are included (with no percentages) so a chart's time axis has no holes."""
    now = as_utc(now, "now")
    zone = ZoneInfo(timezone)
    first_week = _monday(as_utc(start, "start").astimezone(zone).date())
    last_instant = as_utc(end, "end") - timedelta(microseconds=1)
    last_week = _monday(max(last_instant, as_utc(start, "start")).astimezone(zone).date())
    buckets: dict[date, list[TicketFacts]] = defaultdict(list)
    for ticket in tickets:
        buckets[_monday(ticket.created_at.astimezone(zone).date())].append(ticket)
    weeks = sorted({*buckets, *_mondays(first_week, last_week)})
    points = []
    for monday in weeks:
        members = buckets.get(monday, [])
        first, resolution = Achievement(), Achievement()
        for ticket in members:
            first = first.plus(_outcome(ticket.first_response, now))
            resolution = resolution.plus(_outcome(ticket.resolution, now))
        points.append(WeekPoint(monday, len(members), first, resolution))
    return points


def _mondays(first: date, last: date) -> Iterable[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=7)


def build_report(
    tickets: Iterable[TicketFacts],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    levels: Sequence[str],
    customer: str | None = None,
    timezone: str = "UTC",
    waiting: EngineeringWait = EngineeringWait(),
) -> SlaReport:
    """The report over tickets raised in [start, end) (others, and other customers when `customer` is
    given, are left out); met/breached as of `now`; page columns in `levels` order; weeks in `timezone`;
    `waiting`: every ticket waiting on engineering now, whenever raised."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    if end <= start:
        raise ValueError(f"the period is empty: {start.isoformat()} is not before {end.isoformat()}")
    chosen = [
        t
        for t in tickets
        if start <= as_utc(t.created_at, "created_at") < end and (customer is None or t.customer == customer)
    ]
    return SlaReport(
        start=start,
        end=end,
        generated_at=as_utc(now, "now"),
        levels=tuple(levels),
        rows=tuple(report_rows(chosen, now, levels)),
        weeks=tuple(weekly_trend(chosen, now, start, end, timezone)),
        customer=customer,
        timezone=timezone,
        waiting_on_engineering=waiting,
    )
