"""On-call rotations: the holder is a pure function of the instant, handoffs follow the zone's wall clock."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from croniter import croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import oncall
from bot.oncall import DEFAULT_EPOCH, Shift, current_shift, upcoming_shifts

CHICAGO = "America/Chicago"
CT = ZoneInfo(CHICAGO)
TEAM = ["U1", "U2", "U3"]
WEEKLY = "0 9 * * MON"
# Monday 2026-03-02 (still CST). Mondays at 09:00 since the epoch (Sunday 2023-12-31 18:00 CST):
# 2024-01-01 is the 1st, 2026-03-02 is 791 days = 113 weeks later, the 114th; 114 % 3 == 0.
MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=CT)
US = timedelta(microseconds=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Chicago wall-clock time (fold=0: the first of a repeated time)."""
    return datetime(year, month, day, hour, minute, tzinfo=CT)


def chicago(handoff: str, at: datetime, rotation: list[str] = TEAM) -> Shift:
    return current_shift(rotation, handoff, CHICAGO, at)


def brute_force(handoff: str, timezone: str, start: datetime, end: datetime) -> list[datetime]:
    """Every handoff in (start, end) by plain croniter iteration, keeping a time only if its instant
    and wall time both move forward -- the module's rule, without its per-date shortcuts."""
    cron = croniter(handoff, start.astimezone(ZoneInfo(timezone)))
    found: list[datetime] = []
    last_wall = None
    while (candidate := cron.get_next(datetime)).astimezone(UTC) < end:
        instant, wall = candidate.astimezone(UTC), candidate.replace(tzinfo=None)
        if last_wall is None or (instant > found[-1] and wall > last_wall):
            found.append(instant)
            last_wall = wall
    return found


# --- weekly rotation ----------------------------------------------------------------------------


def test_weekly_handoff_passes_to_the_next_person_at_0900_local() -> None:
    before = chicago(WEEKLY, MONDAY - US)
    after = chicago(WEEKLY, MONDAY)

    assert before == Shift("U3", since=utc(2026, 2, 23, 15), until=utc(2026, 3, 2, 15))
    assert after.person == "U1"
    assert after.since == utc(2026, 3, 2, 15) == MONDAY
    # The next Monday is after the 2026-03-08 spring-forward: 09:00 CDT is 14:00 UTC, not 15:00.
    assert after.until == utc(2026, 3, 9, 14)


def test_weekly_rotation_wraps_around_after_three_weeks() -> None:
    holders = [chicago(WEEKLY, MONDAY + timedelta(weeks=week)).person for week in range(7)]

    assert holders == ["U1", "U2", "U3", "U1", "U2", "U3", "U1"]


def test_shift_times_are_utc_and_independent_of_the_zone_of_at() -> None:
    shift = chicago(WEEKLY, local(2026, 3, 4, 12))

    assert shift == chicago(WEEKLY, utc(2026, 3, 4, 18))
    assert shift.since.tzinfo is UTC and shift.until.tzinfo is UTC
    assert shift.until.astimezone(CT) == local(2026, 3, 9, 9)


def test_first_person_holds_the_pager_from_the_epoch_to_the_first_handoff() -> None:
    first_handoff = local(2024, 1, 1, 9)

    assert chicago(WEEKLY, DEFAULT_EPOCH) == Shift("U1", since=DEFAULT_EPOCH, until=first_handoff)
    assert chicago(WEEKLY, first_handoff - US).person == "U1"
    assert chicago(WEEKLY, first_handoff) == Shift("U2", since=first_handoff, until=local(2024, 1, 8, 9))


def test_a_handoff_exactly_at_the_epoch_is_not_counted() -> None:
    epoch = local(2026, 3, 2, 9)

    shift = current_shift(TEAM, WEEKLY, CHICAGO, epoch, epoch=epoch)

    assert shift == Shift("U1", since=epoch, until=local(2026, 3, 9, 9))
    assert current_shift(TEAM, WEEKLY, CHICAGO, local(2026, 3, 9, 9), epoch=epoch).person == "U2"


def test_single_person_rotation_still_ends_each_shift_at_the_next_handoff() -> None:
    shifts = upcoming_shifts(["U7"], WEEKLY, CHICAGO, MONDAY - US, 3)

    assert [s.person for s in shifts] == ["U7", "U7", "U7"]
    assert [s.until for s in shifts] == [MONDAY, local(2026, 3, 9, 9), local(2026, 3, 16, 9)]


# --- daily rotation, upcoming shifts, determinism -----------------------------------------------


def test_daily_handoff_alternates_and_follows_the_wall_clock_across_fall_back() -> None:
    # 2024-01-01 .. 2026-10-30 is 1034 days: the 09:00 handoff on 2026-10-30 is the 1034th, even.
    shifts = upcoming_shifts(["U1", "U2"], "0 9 * * *", CHICAGO, local(2026, 10, 30, 12), 4)

    assert [s.person for s in shifts] == ["U1", "U2", "U1", "U2"]
    assert [s.since for s in shifts] == [
        local(2026, 10, 30, 9),
        local(2026, 10, 31, 9),
        local(2026, 11, 1, 9),
        local(2026, 11, 2, 9),
    ]
    # The shift spanning the fall-back lasts 25 hours of real time.
    hours = [(s.until - s.since) / timedelta(hours=1) for s in shifts]
    assert hours == [24, 25, 24, 24]


def test_upcoming_shifts_are_contiguous_and_start_with_the_current_one() -> None:
    at = local(2026, 2, 20, 17, 45)

    shifts = upcoming_shifts(TEAM, WEEKLY, CHICAGO, at, 10)

    assert shifts[0] == chicago(WEEKLY, at)
    assert shifts[0].since <= at < shifts[0].until
    assert all(a.until == b.since for a, b in itertools.pairwise(shifts))
    assert all(b.person == TEAM[(TEAM.index(a.person) + 1) % 3] for a, b in itertools.pairwise(shifts))
    assert upcoming_shifts(TEAM, WEEKLY, CHICAGO, at, 0) == []


def test_the_holder_does_not_depend_on_call_order() -> None:
    instants = [utc(2024, 1, 5), utc(2024, 6, 30, 23, 59), utc(2025, 3, 9, 8), MONDAY, utc(2027, 12, 31)]
    handoffs = [WEEKLY, "0 2 * * *", "*/20 8-17 * * MON-FRI"]

    def shifts(order: list[datetime]) -> dict[tuple[str, datetime], Shift]:
        oncall._schedule.cache_clear()
        return {(h, at): chicago(h, at) for at in order for h in handoffs}

    late_first = shifts(sorted(instants, reverse=True))
    early_first = shifts(sorted(instants))
    each_fresh: dict[tuple[str, datetime], Shift] = {}
    for at in instants:
        each_fresh |= shifts([at])

    assert late_first == early_first == each_fresh


# --- DST ----------------------------------------------------------------------------------------


def test_spring_forward_fires_a_skipped_time_once_where_croniter_puts_it() -> None:
    # 2026-03-08 02:00 does not exist in Chicago; croniter fires at the end of the gap, 03:00 CDT.
    shifts = upcoming_shifts(TEAM, "0 2 * * *", CHICAGO, local(2026, 3, 7, 12), 3)

    assert [s.since for s in shifts] == [utc(2026, 3, 7, 8), utc(2026, 3, 8, 8), utc(2026, 3, 9, 7)]
    assert shifts[1].since.astimezone(CT) == local(2026, 3, 8, 3)
    assert [s.until - s.since for s in shifts[:2]] == [timedelta(hours=24), timedelta(hours=23)]
    assert len({s.person for s in shifts}) == 3


def test_spring_forward_skips_gap_times_of_an_hour_wildcard() -> None:
    shifts = upcoming_shifts(TEAM, "*/30 * * * *", CHICAGO, local(2026, 3, 8, 0, 50), 5)

    # 01:00 CST, 01:30 CST, then 03:00 CDT: 02:00 and 02:30 never show on the clock.
    assert [s.until for s in shifts] == [
        utc(2026, 3, 8, 7),
        utc(2026, 3, 8, 7, 30),
        utc(2026, 3, 8, 8),
        utc(2026, 3, 8, 8, 30),
        utc(2026, 3, 8, 9),
    ]


def test_fall_back_counts_a_repeated_wall_time_once() -> None:
    # 2026-11-01 01:30 happens at 06:30 UTC (CDT) and again at 07:30 UTC (CST): one handoff, the first.
    first, second = local(2026, 11, 1, 1, 30), local(2026, 11, 1, 1, 30).replace(fold=1)
    assert second - first == timedelta(0) and second.astimezone(UTC) == utc(2026, 11, 1, 7, 30)

    shifts = upcoming_shifts(TEAM, "30 1 * * *", CHICAGO, local(2026, 10, 31, 12), 3)

    assert [s.since for s in shifts] == [
        utc(2026, 10, 31, 6, 30),
        utc(2026, 11, 1, 6, 30),
        utc(2026, 11, 2, 7, 30),
    ]
    assert chicago("30 1 * * *", second) == shifts[1]
    assert shifts[1].until - shifts[1].since == timedelta(hours=25)


def test_fall_back_repeated_hour_has_no_handoffs_of_its_own() -> None:
    shifts = upcoming_shifts(TEAM, "*/30 * * * *", CHICAGO, local(2026, 11, 1, 0, 50), 4)

    # 01:00 CDT, 01:30 CDT, then 02:00 CST: the second 01:00-01:59 repeats wall times already handed off.
    assert [s.until for s in shifts] == [
        utc(2026, 11, 1, 6),
        utc(2026, 11, 1, 6, 30),
        utc(2026, 11, 1, 8),
        utc(2026, 11, 1, 8, 30),
    ]


@pytest.mark.parametrize("timezone", [CHICAGO, "America/Santiago", "Australia/Lord_Howe", "Asia/Kolkata"])
@pytest.mark.parametrize("handoff", [WEEKLY, "0 2 * * *", "30 1 * * *", "0 0 * * *", "15,45 0-3 * * *"])
def test_handoffs_match_plain_croniter_iteration(handoff: str, timezone: str) -> None:
    # Santiago moves its clocks at midnight, Lord Howe by half an hour: the per-date shortcut must
    # still agree with croniter stepping through every handoff of 2026.
    start, end = utc(2026, 1, 1), utc(2027, 1, 1)
    expected = brute_force(handoff, timezone, start, end)

    shifts = upcoming_shifts(["U1"], handoff, timezone, start, len(expected) + 1)

    assert [s.until for s in shifts[:-1]] == expected
    assert shifts[-1].until >= end


@pytest.mark.parametrize(
    ("timezone", "start", "end"),
    [
        (CHICAGO, utc(2026, 3, 6), utc(2026, 3, 10)),
        (CHICAGO, utc(2026, 10, 30), utc(2026, 11, 3)),
        ("Australia/Lord_Howe", utc(2026, 4, 3), utc(2026, 4, 7)),
        ("Australia/Lord_Howe", utc(2026, 10, 2), utc(2026, 10, 6)),
        ("America/Santiago", utc(2026, 4, 3), utc(2026, 4, 7)),
        ("America/Santiago", utc(2026, 9, 4), utc(2026, 9, 8)),
    ],
)
@pytest.mark.parametrize("handoff", ["*/30 * * * *", "0 * * * *", "*/20 1-3 * * *"])
def test_dense_handoffs_match_plain_croniter_iteration_around_dst(
    handoff: str, timezone: str, start: datetime, end: datetime
) -> None:
    expected = brute_force(handoff, timezone, start, end)

    shifts = upcoming_shifts(["U1"], handoff, timezone, start, len(expected) + 1)

    assert [s.until for s in shifts[:-1]] == expected
    assert shifts[-1].until >= end


def test_handoff_instants_strictly_increase_through_dst_for_a_dense_cron() -> None:
    shifts = upcoming_shifts(TEAM, "*/10 * * * *", CHICAGO, local(2026, 3, 7), 6 * 24 * 3)
    fall = upcoming_shifts(TEAM, "*/10 * * * *", CHICAGO, local(2026, 10, 31), 6 * 24 * 3)

    for run in (shifts, fall):
        walls = [s.until.astimezone(CT).replace(tzinfo=None) for s in run]
        assert all(a.until < b.until for a, b in itertools.pairwise(run))
        assert all(a < b for a, b in itertools.pairwise(walls))


# --- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize("rotation", [[], (), "U1"])
def test_rejects_an_empty_rotation(rotation: list[str]) -> None:
    with pytest.raises(ValueError, match="at least one person"):
        current_shift(rotation, WEEKLY, CHICAGO, MONDAY)


def test_rejects_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        current_shift(TEAM, WEEKLY, CHICAGO, datetime(2026, 3, 2, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        current_shift(TEAM, WEEKLY, CHICAGO, MONDAY, epoch=datetime(2024, 1, 1))


def test_rejects_instants_before_the_epoch() -> None:
    with pytest.raises(ValueError, match="before the rotation epoch"):
        current_shift(TEAM, WEEKLY, CHICAGO, DEFAULT_EPOCH - US)


@pytest.mark.parametrize("handoff", ["", "every monday", "0 24 * * *", "0 9 * * MON * * *", "H 9 * * *"])
def test_rejects_invalid_cron(handoff: str) -> None:
    with pytest.raises(ValueError, match="not a cron expression"):
        current_shift(TEAM, handoff, CHICAGO, MONDAY)


@pytest.mark.parametrize("handoff", ["R 9 * * *", "0 r(8-10) * * MON"])
def test_rejects_random_cron_fields(handoff: str) -> None:
    with pytest.raises(ValueError, match="random"):
        current_shift(TEAM, handoff, CHICAGO, MONDAY)


def test_month_and_day_names_containing_r_are_not_random() -> None:
    assert current_shift(TEAM, "0 9 * MAR,APR FRI", CHICAGO, MONDAY).until == local(2026, 3, 6, 9)


@pytest.mark.parametrize("timezone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_rejects_unknown_timezones(timezone: str) -> None:
    with pytest.raises(ValueError, match="IANA timezone"):
        current_shift(TEAM, WEEKLY, timezone, MONDAY)


@pytest.mark.parametrize("handoff", ["0 9 31 2 *", "0 9 * * MON 0 2023"])
def test_rejects_a_cron_that_never_fires_after_the_epoch(handoff: str) -> None:
    with pytest.raises(ValueError, match="no further handoff"):
        current_shift(TEAM, handoff, CHICAGO, MONDAY)


def test_a_schedule_that_ends_has_no_shift_after_its_last_handoff() -> None:
    # Seven fields: minute hour day month weekday second year.
    last = "0 9 * * MON 0 2026"
    assert current_shift(TEAM, last, CHICAGO, local(2026, 12, 28, 8)).until == local(2026, 12, 28, 9)
    with pytest.raises(ValueError, match="no further handoff"):
        current_shift(TEAM, last, CHICAGO, local(2026, 12, 28, 9))


def test_rejects_a_negative_count() -> None:
    with pytest.raises(ValueError, match="count"):
        upcoming_shifts(TEAM, WEEKLY, CHICAGO, MONDAY, -1)


# --- properties and cost ------------------------------------------------------------------------

HANDOFFS = [
    WEEKLY,
    "0 9 * * *",
    "0 2 * * *",
    "30 1 * * *",
    "0 */6 * * *",
    "0 0 1 * *",
    "*/20 8-17 * * MON-FRI",
]
ZONES = [CHICAGO, "Europe/London", "America/Santiago", "Australia/Lord_Howe", "UTC"]


@settings(max_examples=300, deadline=None)
@given(
    handoff=st.sampled_from(HANDOFFS),
    timezone=st.sampled_from(ZONES),
    at=st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)),
    fraction=st.floats(min_value=0, max_value=1, exclude_max=True),
)
def test_holder_changes_exactly_at_handoffs(
    handoff: str, timezone: str, at: datetime, fraction: float
) -> None:
    def shift(instant: datetime) -> Shift:
        return current_shift(TEAM, handoff, timezone, instant)

    def after(person: str) -> str:
        return TEAM[(TEAM.index(person) + 1) % len(TEAM)]

    current = shift(at)

    assert current.since <= at < current.until
    # Nothing changes inside the shift...
    inside = current.since + (current.until - current.since - US) * fraction  # rounds to < until
    assert shift(inside) == current
    assert shift(current.until - US) == current
    # ...and the pager moves on exactly at its end.
    assert shift(current.until) == Shift(after(current.person), current.until, shift(current.until).until)
    if current.since > DEFAULT_EPOCH:
        previous = shift(current.since - US)
        assert previous.until == current.since and after(previous.person) == current.person
    else:
        assert current.person == TEAM[0]


def test_ten_thousand_random_calls_reuse_the_memoized_dates() -> None:
    oncall._schedule.cache_clear()
    daily = "0 9 * * *"
    rng = random.Random(2026)
    start, span = utc(2026, 1, 1), 365 * 24 * 3600
    instants = [start + timedelta(seconds=rng.randrange(span)) for _ in range(10_000)]

    holders = {at: chicago(daily, at).person for at in instants}

    assert set(holders.values()) == set(TEAM)
    schedule = oncall._schedule(daily, CHICAGO, DEFAULT_EPOCH)
    # One memoized entry per handoff date up to the latest instant, plus the one holding the next handoff.
    latest = max(instants).astimezone(CT).date()
    handoff_dates = (latest - DEFAULT_EPOCH.astimezone(CT).date()).days + 1
    assert len(schedule._days) <= handoff_dates + 1
    assert len(schedule._before) == len(schedule._days) + 1
