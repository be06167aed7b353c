"""Time BusinessCalendar.add: business hours with US holidays vs a 24x7 baseline, and day-span scaling.

    V/bin/python bench/bench_calendar.py [--calls 100000] [--repeats 7] [--seed 1]

Inputs (random starts over 2026-2027, durations) are built before timing; only the add() loop is
timed. Durations for the business calendar are the business time in [start, start + span), so both
calendars cover the same spread of calendar days. Medians over repeats; ratios are
medians of per-repeat ratios, which survive a noisy machine better than ratios of medians.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

import holidays

from bot.calendars import BusinessCalendar, parse_hours

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
TWO_YEARS_S = 2 * 365 * 24 * 3600

Workload = list[tuple[datetime, timedelta]]


def business_calendar() -> BusinessCalendar:
    us = holidays.country_holidays("US")
    extra = {date(2026, 12, 24)}
    weekly = {d: parse_hours("08:00-17:00") for d in range(5)}
    return BusinessCalendar("America/Chicago", weekly, lambda d: d in us or d in extra)


def random_start(rng: random.Random) -> datetime:
    return EPOCH + timedelta(seconds=rng.randrange(TWO_YEARS_S), microseconds=rng.randrange(10**6))


def workload(
    rng: random.Random, cal: BusinessCalendar, calls: int, min_span: timedelta, max_span: timedelta
) -> Workload:
    """(start, business duration) pairs whose add() result lies within [min_span, max_span] of start."""
    out: Workload = []
    while len(out) < calls:
        start = random_start(rng)
        span = min_span + (max_span - min_span) * rng.random()
        duration = cal.between(start, start + span)
        if duration:  # a zero duration returns at once and would flatter the numbers
            out.append((start, duration))
    return out


def time_adds(cal: BusinessCalendar, work: Workload) -> float:
    """Seconds per call for one pass over `work`."""
    add = cal.add
    t0 = time.perf_counter()
    for start, duration in work:
        add(start, duration)
    return (time.perf_counter() - t0) / len(work)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    biz = business_calendar()
    always = BusinessCalendar("UTC", None)
    day, month = timedelta(days=1), timedelta(days=30)

    mixed = workload(rng, biz, args.calls, timedelta(0), month)
    # 24x7 gets the same starts and the same calendar spans as plain durations.
    baseline = [(s, biz.add(s, d) - s) for s, d in mixed]
    one_day = workload(rng, biz, args.calls, day * 0.99, day)
    thirty_days = workload(rng, biz, args.calls, month * 0.99, month)

    uncached = business_calendar()
    uncached._day_spans = uncached._compute_day_spans  # worst case: every day recomputed from zoneinfo

    rows = [
        ("24x7 baseline, spans 0-30 d", always, baseline),
        ("business, spans 0-30 d", biz, mixed),
        ("business, span ~1 d", biz, one_day),
        ("business, span ~30 d", biz, thirty_days),
        # An order of magnitude slower per call, so a tenth of the calls keeps the run short.
        ("business, no day cache, 0-30 d", uncached, mixed[: args.calls // 10]),
    ]
    # Round-robin over workloads inside each repeat, so a noisy spell hits every row alike, and ratios
    # are taken within a repeat before the median.
    per_call: dict[str, list[float]] = {label: [] for label, _, _ in rows}
    for _ in range(args.repeats):
        for label, cal, work in rows:
            per_call[label].append(time_adds(cal, work))

    def median_ratio(label: str, base: str) -> float:
        return statistics.median(a / b for a, b in zip(per_call[label], per_call[base], strict=True))

    print(
        f"Python {platform.python_version()} on {platform.machine()}, {args.calls} calls x "
        f"{args.repeats} repeats (no-cache row: {len(rows[-1][2])} calls)"
    )
    print(f"{'workload':34} {'median us/call':>15} {'min':>8} {'max':>8} {'vs 24x7':>8}")
    baseline_label = rows[0][0]
    for label, _, _ in rows:
        times = per_call[label]
        print(
            f"{label:34} {statistics.median(times) * 1e6:15.2f} {min(times) * 1e6:8.2f} "
            f"{max(times) * 1e6:8.2f} {median_ratio(label, baseline_label):7.1f}x"
        )
    scaling = median_ratio("business, span ~30 d", "business, span ~1 d")
    print(f"scaling: span ~30 d / span ~1 d = {scaling:.1f}x (median of per-repeat ratios)")


if __name__ == "__main__":
    main(sys.argv[1:])
