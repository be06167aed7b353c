"""When scheduled digests run and which period each covers; pure (the caller passes every instant).

The cron expression is read on the wall clock of the digest's timezone, by croniter started at an explicit,
timezone-aware instant. Around DST:
  * a wall time that does not exist (spring forward: 02:00–03:00 in Chicago on 2026-03-08) runs where
    croniter puts it, at the end of the gap (03:00 CDT), once;
  * a wall time that happens twice (fall back: 01:00–02:00 on 2026-11-01) runs at its first occurrence
    only; croniter also offers the second, which is skipped, so every run fires once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from croniter import croniter

from bot.clock import as_utc
from bot.policy.digests import DigestSpec

# croniter offers each repeated wall time twice; a handful of skips is the most a real expression needs.
_MAX_CANDIDATES = 1000


def day_start(day: date, timezone: str) -> datetime:
    """The first instant of a local date, in UTC (a midnight inside a DST gap means the gap's end)."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _repeat(candidate: datetime, zone: ZoneInfo) -> bool:
    """True if `candidate` is the second reading of a wall time the clock shows twice."""
    first = candidate.replace(tzinfo=None).replace(tzinfo=zone, fold=0)
    return first.astimezone(UTC) < candidate.astimezone(UTC)


def next_run(spec: DigestSpec, after: datetime) -> datetime:
    """The first run strictly after `after`, as a UTC instant."""
    after = as_utc(after, "after")
    zone = ZoneInfo(spec.timezone)
    schedule = croniter(spec.cron, after.astimezone(zone))
    for _ in range(_MAX_CANDIDATES):
        candidate: datetime = schedule.get_next(datetime)
        if candidate.astimezone(UTC) > after and not _repeat(candidate, zone):
            return candidate.astimezone(UTC)
    raise ValueError(f"{spec.cron!r} gives no run after {after.isoformat()}")  # pragma: no cover


def period_for(spec: DigestSpec, run_at: datetime) -> tuple[datetime, datetime]:
    """The last full period before a run, [from, to) as UTC instants, in the spec's timezone:
    the previous Monday-to-Monday week, or the previous calendar month."""
    local = as_utc(run_at, "run_at").astimezone(ZoneInfo(spec.timezone)).date()
    if spec.period == "week":
        end = local - timedelta(days=local.weekday())
        start = end - timedelta(days=7)
    else:
        end = local.replace(day=1)
        start = (end - timedelta(days=1)).replace(day=1)
    return day_start(start, spec.timezone), day_start(end, spec.timezone)
