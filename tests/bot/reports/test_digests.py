"""Digest runs and periods, across both Chicago DST changes of 2026 (hand-written instants)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.policy.digests import DigestSpec
from bot.reports.digests import next_run, period_for

CHICAGO = ZoneInfo("America/Chicago")


def spec(cron: str, period: str = "week", timezone: str = "America/Chicago") -> DigestSpec:
    return DigestSpec(cron=cron, timezone=timezone, period=period, to=["C0SUPPORT"])  # type: ignore[arg-type]


def runs(s: DigestSpec, after: datetime, count: int) -> list[datetime]:
    out = []
    for _ in range(count):
        after = next_run(s, after)
        out.append(after)
    return out


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_0200_on_spring_forward_runs_once_at_the_end_of_the_gap() -> None:
    # 2026-03-08: 02:00 CST does not exist (clocks jump from 02:00 CST to 03:00 CDT).
    got = runs(spec("0 2 * * *"), utc(2026, 3, 7, 0), 3)
    assert got == [
        utc(2026, 3, 7, 8),  # 02:00 CST = 08:00 UTC
        utc(2026, 3, 8, 8),  # the gap's end: 03:00 CDT = 08:00 UTC, once
        utc(2026, 3, 9, 7),  # 02:00 CDT = 07:00 UTC
    ]


def test_daily_0200_on_fall_back_runs_once() -> None:
    # 2026-11-01: 02:00 CDT becomes 01:00 CST; wall 02:00 then happens once, in CST.
    got = runs(spec("0 2 * * *"), utc(2026, 10, 31, 0), 3)
    assert got == [utc(2026, 10, 31, 7), utc(2026, 11, 1, 8), utc(2026, 11, 2, 8)]


def test_a_wall_time_in_the_repeated_hour_runs_at_its_first_occurrence_only() -> None:
    # 01:30 happens at 06:30 UTC (CDT) and again at 07:30 UTC (CST); croniter offers both.
    s = spec("30 1 * * *")
    assert runs(s, utc(2026, 10, 31, 12), 2) == [utc(2026, 11, 1, 6, 30), utc(2026, 11, 2, 7, 30)]
    # Asked from inside the repeated hour (after the first 01:30), the second one is not a new run.
    assert next_run(s, utc(2026, 11, 1, 7, 10)) == utc(2026, 11, 2, 7, 30)


def test_every_half_hour_through_fall_back_fires_once_per_wall_time() -> None:
    got = runs(spec("*/30 * * * *"), utc(2026, 11, 1, 5, 0), 5)  # from 00:00 CDT
    # 00:30 CDT, 01:00 CDT, 01:30 CDT, then (01:00 and 01:30 CST are repeats) 02:00 CST, 02:30 CST.
    assert got == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6), utc(2026, 11, 1, 6, 30),
                   utc(2026, 11, 1, 8), utc(2026, 11, 1, 8, 30)]  # fmt: skip


def test_weekly_monday_0800_across_the_fall_back_week() -> None:
    weekly = spec("0 8 * * MON")
    first, second = runs(weekly, utc(2026, 10, 20), 2)
    assert first == utc(2026, 10, 26, 13)  # 08:00 CDT
    assert second == utc(2026, 11, 2, 14)  # 08:00 CST
    # The week before the second run: Mon 2026-10-26 00:00 CDT to Mon 2026-11-02 00:00 CST, 169 h long.
    start, end = period_for(weekly, second)
    assert (start, end) == (utc(2026, 10, 26, 5), utc(2026, 11, 2, 6))
    assert end - start == timedelta(hours=169)


def test_weekly_across_the_spring_forward_week_is_167_hours() -> None:
    weekly = spec("0 8 * * MON")
    run = next_run(weekly, utc(2026, 3, 3))
    assert run == utc(2026, 3, 9, 13)  # 08:00 CDT, the day after the change
    start, end = period_for(weekly, run)
    assert (start, end) == (utc(2026, 3, 2, 6), utc(2026, 3, 9, 5))  # Mon 00:00 CST to Mon 00:00 CDT
    assert end - start == timedelta(hours=167)


@pytest.mark.parametrize(
    ("run_at", "expected"),
    [
        (utc(2026, 11, 18, 20), (utc(2026, 11, 9, 6), utc(2026, 11, 16, 6))),  # a Wednesday: last full week
        (utc(2026, 11, 16, 5, 59), (utc(2026, 11, 2, 6), utc(2026, 11, 9, 6))),  # Sun 23:59 local
    ],
)
def test_week_period_is_the_last_full_week_in_local_time(
    run_at: datetime, expected: tuple[datetime, datetime]
) -> None:
    assert period_for(spec("0 8 * * MON"), run_at) == expected


def test_month_period_is_the_previous_calendar_month() -> None:
    monthly = spec("0 7 1 * *", period="month")
    run = next_run(monthly, utc(2026, 11, 15))
    assert run == utc(2026, 12, 1, 13)  # 07:00 CST
    assert period_for(monthly, run) == (utc(2026, 11, 1, 5), utc(2026, 12, 1, 6))  # Nov 1 was CDT at 00:00
    january = next_run(monthly, utc(2026, 12, 15))
    assert period_for(monthly, january) == (utc(2026, 12, 1, 6), utc(2027, 1, 1, 6))


def test_utc_digest_and_naive_instants_refused() -> None:
    daily = spec("0 6 * * *", timezone="UTC")
    assert next_run(daily, utc(2026, 3, 8, 6)) == utc(2026, 3, 9, 6)  # strictly after
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(daily, datetime(2026, 3, 8))
    with pytest.raises(ValueError, match="timezone-aware"):
        period_for(daily, datetime(2026, 3, 8))
