"""The SLA report's arithmetic: clock outcomes, percentages, percentiles, rows and the weekly trend."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.policy import load_config
from bot.reports.sla_report import (
    ClockFacts,
    Outcome,
    TicketFacts,
    build_report,
    nearest_rank,
    percent,
)
from models import ClockState
from tests.bot.reports.histories import CHICAGO, STEP, History, business_seconds, oracle, simulate
from tests.conftest import EXAMPLE_POLICY

NOW = datetime(2026, 12, 15, 12, 0, tzinfo=UTC)
LEVELS = ("lead", "manager", "executive")
EXAMPLE = load_config(EXAMPLE_POLICY)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def met(elapsed: float, stopped: datetime, target: int = 7200) -> ClockFacts:
    return ClockFacts(ClockState.MET, target, elapsed, None, None, stopped)


def breached(elapsed: float, stopped: datetime, target: int = 7200) -> ClockFacts:
    return ClockFacts(ClockState.BREACHED, target, elapsed, None, stopped - timedelta(minutes=5), stopped)


def ticket(n: int, customer: str = "globex", priority: str = "P1", **kw: object) -> TicketFacts:
    values: dict[str, object] = {"plan": "standard", "created_at": at(2, 9)} | kw
    return TicketFacts(id=n, customer=customer, priority=priority, **values)  # type: ignore[arg-type]


# --- percent and percentiles ---


@pytest.mark.parametrize(
    ("met_", "breached_", "expected"),
    [
        (2, 1, "66.7"),
        (1, 2, "33.3"),
        (1, 15, "6.3"),  # 6.25: half-up, where banker's rounding would give 6.2
        (1, 7, "12.5"),
        (3, 0, "100.0"),
        (0, 4, "0.0"),
        (5, 3, "62.5"),
    ],
)
def test_percent_is_one_decimal_half_up(met_: int, breached_: int, expected: str) -> None:
    assert percent(met_, breached_) == Decimal(expected)
    assert str(percent(met_, breached_)) == expected


def test_percent_is_none_without_met_or_breached() -> None:
    assert percent(0, 0) is None


def test_nearest_rank_median_of_an_even_count_is_the_lower_middle() -> None:
    assert nearest_rank([40, 10, 30, 20], 50) == 20
    assert nearest_rank([10, 20, 30], 50) == 20
    assert nearest_rank([7], 50) == 7
    assert nearest_rank([], 50) is None


def test_nearest_rank_p90() -> None:
    values = list(range(1, 11))  # 10 values: rank ceil(9.0) = 9
    assert nearest_rank(values, 90) == 9
    assert nearest_rank([*values, 11], 90) == 10  # 11 values: rank ceil(9.9) = 10
    assert nearest_rank([5, 1], 90) == 5


def test_nearest_rank_rounds_to_whole_seconds_half_up() -> None:
    assert nearest_rank([2.5], 50) == 3
    assert nearest_rank([3599.4999], 50) == 3599


# --- one clock's outcome ---


def test_outcome_of_a_stopped_clock_is_its_state_even_past_the_target() -> None:
    # What the ticket showed ("met ✓") wins; the report never second-guesses a stopped clock.
    assert met(7300, at(2, 12)).outcome(NOW) == Outcome.MET
    assert breached(7000, at(2, 12)).outcome(NOW) == Outcome.BREACHED


def test_a_running_clock_is_breached_once_its_due_time_has_passed() -> None:
    running = ClockFacts(ClockState.RUNNING, 7200, 0.0, due_at=at(2, 11))
    assert running.outcome(at(2, 10, 59)) == Outcome.OPEN
    assert running.outcome(at(2, 11)) == Outcome.BREACHED  # due now: its time is up
    assert running.outcome(at(2, 12)) == Outcome.BREACHED  # the timer has not marked it yet


def test_a_clock_marked_breached_stays_breached() -> None:
    marked = ClockFacts(ClockState.BREACHED, 7200, 0.0, due_at=at(2, 11), breached_at=at(2, 11))
    assert marked.outcome(at(2, 12)) == Outcome.BREACHED


def test_a_paused_clock_counts_in_neither_until_its_target_is_used_up() -> None:
    assert ClockFacts(ClockState.PAUSED, 7200, 7199.0).outcome(NOW) == Outcome.OPEN
    assert ClockFacts(ClockState.PAUSED, 7200, 7200.0).outcome(NOW) == Outcome.BREACHED


# --- rows ---


def test_rows_per_customer_plan_and_priority_with_counts_times_and_pages() -> None:
    tickets = [
        ticket(
            1, first_response=met(1800, at(2, 9, 30)), resolution=met(20000, at(3, 10)), pages=(("lead", 1),)
        ),
        ticket(2, first_response=breached(9000, at(2, 12)), pages=(("lead", 1), ("executive", 2))),
        ticket(3, first_response=ClockFacts(ClockState.RUNNING, 7200, 0.0, due_at=NOW + timedelta(hours=1))),
        ticket(4, priority="P3", first_response=met(600, at(2, 9, 10))),
        ticket(5, customer="acme", plan="enterprise", first_response=met(60, at(2, 9, 1))),
    ]
    report = build_report(tickets, start=at(1, 0), end=at(1, 0, month=12), now=NOW, levels=LEVELS)
    keys = [(r.customer, r.plan, r.priority) for r in report.rows]
    assert keys == [("acme", "enterprise", "P1"), ("globex", "standard", "P1"), ("globex", "standard", "P3")]
    p1 = report.rows[1]
    assert p1.tickets == 3
    assert (p1.first_response.met, p1.first_response.breached, p1.first_response.percent) == (
        1,
        1,
        Decimal(50),
    )
    assert (p1.resolution.met, p1.resolution.breached, p1.resolution.percent) == (1, 0, Decimal(100))
    assert (p1.median_first_response_s, p1.p90_first_response_s) == (1800, 9000)
    assert p1.median_resolution_s == 20000
    assert p1.pages == (2, 0, 2)
    assert report.rows[2].resolution.percent is None and report.rows[2].median_resolution_s is None


def test_pages_follow_the_level_order_given_and_ignore_unknown_levels() -> None:
    one = ticket(1, pages=(("executive", 2), ("retired-level", 5), ("lead", 1)))
    report = build_report([one], start=at(1, 0), end=at(30, 0), now=NOW, levels=("executive", "lead"))
    assert report.rows[0].pages == (2, 1)


def test_the_period_is_half_open_and_the_customer_filter_applies() -> None:
    start, end = at(1, 0), at(1, 0, month=12)
    tickets = [
        ticket(1, created_at=start),
        ticket(2, created_at=end - timedelta(microseconds=1)),
        ticket(3, created_at=end),
        ticket(4, created_at=start - timedelta(seconds=1)),
        ticket(5, customer="acme", created_at=start),
    ]
    report = build_report(tickets, start=start, end=end, now=NOW, levels=LEVELS, customer="globex")
    assert [(r.customer, r.tickets) for r in report.rows] == [("globex", 2)]


def test_an_empty_period_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        build_report([], start=at(2, 0), end=at(2, 0), now=NOW, levels=LEVELS)


def test_business_seconds_not_wall_seconds_over_a_weekend() -> None:
    # Raised Friday 16:30, claimed Monday 08:30 Chicago: 30 + 30 business minutes, not 64 wall hours.
    raised, claimed = at(20, 16, 30), at(23, 8, 30)
    facts = simulate(History(raised, "P1", ((claimed, "claim"),), NOW), EXAMPLE)
    report = build_report([facts], start=at(1, 0), end=at(1, 0, month=12), now=NOW, levels=LEVELS)
    assert report.rows[0].median_first_response_s == 3600
    assert report.rows[0].first_response.met == 1


# --- the weekly trend ---


def test_weeks_cover_the_period_in_the_given_timezone_including_empty_ones() -> None:
    # Sunday 2026-11-08 23:00 Chicago is Monday 05:00 UTC: its week is the one of Monday 2026-11-02.
    sunday_night = ticket(1, created_at=at(8, 23), first_response=met(60, at(9, 8, 1)))
    monday = ticket(2, created_at=at(9, 9), first_response=breached(9000, at(9, 12)))
    report = build_report(
        [sunday_night, monday], start=at(1, 0), end=at(1, 0, month=12), now=NOW, levels=LEVELS,
        timezone="America/Chicago",
    )  # fmt: skip
    assert [w.week_start for w in report.weeks] == [
        date(2026, 10, 26) + timedelta(days=7 * i) for i in range(6)
    ]
    by_week = {w.label: w for w in report.weeks}
    assert by_week["2026-W45"].tickets == 1 and by_week["2026-W45"].first_response.percent == 100
    assert by_week["2026-W46"].tickets == 1 and by_week["2026-W46"].first_response.percent == 0
    assert by_week["2026-W48"].tickets == 0 and by_week["2026-W48"].first_response.percent is None


# --- generated histories ---

START = datetime(2026, 11, 2, 0, 0, tzinfo=CHICAGO)
KINDS = ("claim", "pause", "resume", "resolve", "P1", "P2", "P3", "P4")


@st.composite
def histories(draw: st.DrawFn) -> History:
    created = START + STEP * draw(st.integers(0, 2 * 60 * 24 * 40))  # 40 days from 2026-11-02, 30 s steps
    steps = draw(st.lists(st.tuples(st.integers(0, 2 * 60 * 30), st.sampled_from(KINDS)), max_size=7))
    t, events = created, []
    for gap, kind in steps:
        t += STEP * gap
        events.append((t, kind))
    now = t + STEP * draw(st.integers(0, 2 * 60 * 30))
    return History(created, draw(st.sampled_from(("P1", "P2", "P3", "P4"))), tuple(events), now)


def _rank(values: list[float], p: int) -> int | None:
    return round(sorted(values)[math.ceil(p * len(values) / 100) - 1]) if values else None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(histories(), min_size=1, max_size=6))
def test_report_matches_an_independent_reckoning_of_generated_histories(hs: list[History]) -> None:
    now = max(h.now for h in hs)  # one report, read at one instant
    hs = [History(h.created_at, h.priority, h.events, now) for h in hs]
    expectations = [oracle(h, EXAMPLE) for h in hs]
    assume(not any(e.bot_defect for e in expectations))
    facts = [simulate(h, EXAMPLE) for h in hs]
    report = build_report(facts, start=START, end=START + timedelta(days=60), now=now, levels=LEVELS)

    groups: dict[str, list] = defaultdict(list)
    for e in expectations:
        groups[e.priority].append(e)
    assert [r.priority for r in report.rows] == sorted(groups)
    for row in report.rows:
        members = groups[row.priority]
        assert row.tickets == len(members)
        for name, got in (("first_response", row.first_response), ("resolution", row.resolution)):
            outcomes = [e.outcomes[name] for e in members]
            assert (got.met, got.breached) == (outcomes.count(Outcome.MET), outcomes.count(Outcome.BREACHED))
            assert got.met + got.breached <= row.tickets
            assert got.percent is None or 0 <= got.percent <= 100
        first = [e.measured["first_response"] for e in members if e.measured["first_response"] is not None]
        resolved = [e.measured["resolution"] for e in members if e.measured["resolution"] is not None]
        assert row.median_first_response_s == _rank(first, 50)
        assert row.p90_first_response_s == _rank(first, 90)
        assert row.median_resolution_s == _rank(resolved, 50)
        if row.median_first_response_s is not None:
            assert row.median_first_response_s <= row.p90_first_response_s  # type: ignore[operator]


@settings(max_examples=80, deadline=None)
@given(histories())
def test_measured_seconds_are_business_seconds_less_paused_time(h: History) -> None:
    facts = simulate(h, EXAMPLE)
    assert facts.first_response is not None and facts.resolution is not None
    claims = [t for t, kind in h.events if kind in ("claim", "resolve")]
    if claims:
        assert facts.first_response.measured_seconds == business_seconds(h.created_at, claims[0])
        assert facts.first_response.measured_seconds <= (claims[0] - h.created_at).total_seconds()
    else:
        assert facts.first_response.measured_seconds is None
    # The resolution clock runs from raising to resolving except between a pause and the next resume.
    running_since: datetime | None = h.created_at
    expected = 0.0
    for t, kind in h.events:
        if kind in ("pause", "resolve") and running_since is not None:
            expected += business_seconds(running_since, t)
            running_since = None
        elif kind == "resume" and running_since is None:
            running_since = t
        if kind == "resolve":
            assert facts.resolution.measured_seconds == expected
            break
    else:
        assert facts.resolution.measured_seconds is None
