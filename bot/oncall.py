"""On-call rotations: who holds the pager at an instant, for a level like
`{rotation: [U1, U2, U3], handoff: "0 9 * * MON", timezone: America/Chicago}`.

Every handoff (the cron expression on the zone's wall clock) passes the pager to the next person,
cycling. The holder is a pure function of the instant, never of when the bot started: count the
handoffs strictly after a fixed epoch up to and including `at`; rotation[count % len(rotation)] holds
it (rotation[0] from the epoch to the first handoff). Nothing here reads the clock.

Handoff instants are worked out per local date:
  * a date whose UTC offset is constant all day gets the cron's times of day at that offset, by
    arithmetic -- the times of day (minute/hour/second fields) never depend on the date;
  * a date with a DST transition is left to croniter, started just before the date, keeping a time
    only if both its instant and its wall time are later than the last one kept. So a time in the
    spring-forward gap fires where croniter puts it ("0 2 * * *" fires at 03:00 CDT on 2026-03-08 in
    Chicago; with an hour wildcard the gap's times are skipped) and a wall time in the repeated
    fall-back hour fires once, at its first occurrence (the rule bot.calendars uses too).
  A date counts as regular when it is 24 h long, starts at 00:00 and keeps one offset at both ends;
  two transitions cancelling out within a date would be missed (no tzdata zone has two within days
  of each other in 2024-2037).

Cost: each matching date (day-of-month/month/day-of-week/year fields) is found with one croniter step,
~0.1 ms, and a DST date costs one step per handoff on it; both are memoized per (handoff, timezone,
epoch) in growing sorted lists that later calls bisect. So the first call for an instant N matching
dates after the epoch costs O(N) steps -- daily handoffs up to 2027: ~0.15 s; a minutely cron: ~1 s,
mostly its six DST dates -- and later calls up to that date cost O(log N) with no croniter call.
"""

from __future__ import annotations

import bisect
import functools
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadDateError, CroniterError, croniter

from bot.clock import as_utc

DEFAULT_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_MICROSECOND = timedelta(microseconds=1)
# croniter's "R" fields draw a random value each time the expression is parsed: the holder would
# change with every restart.
_RANDOM_FIELD = re.compile(r"^r(\(\d+-\d+\))?(/\d+)?$", re.IGNORECASE)
_MINUTE, _HOUR, _SECOND_FIELD = 0, 1, 5

# A matching date's handoffs: a regular date is its first instant (handoffs at start + times of day),
# a DST date the tuple of its handoff instants, ascending.
_Slot = datetime | tuple[datetime, ...]


@dataclass(frozen=True)
class Shift:
    person: str
    since: datetime  # UTC: the handoff that started this shift (the epoch for the first shift)
    until: datetime  # UTC: the next handoff


def current_shift(
    rotation: Sequence[str], handoff: str, timezone: str, at: datetime, *, epoch: datetime = DEFAULT_EPOCH
) -> Shift:
    """The shift holding the pager at `at` (since <= at < until).

    A shift lasts from one handoff to the next, even when the same person holds the next one too
    (a one-person rotation), so `until` is always the next handoff.
    """
    return upcoming_shifts(rotation, handoff, timezone, at, 1, epoch=epoch)[0]


def upcoming_shifts(
    rotation: Sequence[str],
    handoff: str,
    timezone: str,
    at: datetime,
    count: int,
    *,
    epoch: datetime = DEFAULT_EPOCH,
) -> list[Shift]:
    """`count` consecutive shifts, the one holding the pager at `at` first; each until is the next since."""
    if isinstance(rotation, str) or not rotation:
        raise ValueError("a rotation needs at least one person")
    people = tuple(rotation)
    at, epoch = as_utc(at, "at"), as_utc(epoch, "epoch")
    if at < epoch:
        raise ValueError(f"{at.isoformat()} is before the rotation epoch {epoch.isoformat()}")
    if count < 0:
        raise ValueError("count must not be negative")
    schedule = _schedule(handoff, timezone, epoch)
    with schedule.lock:
        first = schedule.count_through(epoch)  # index of the first handoff after the epoch
        index = schedule.count_through(at)  # index of the handoff that ends the current shift
        shifts = []
        for n in range(index, index + count):
            since = epoch if n == first else schedule.handoff(n - 1)
            shifts.append(Shift(people[(n - first) % len(people)], since, schedule.handoff(n)))
    return shifts


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as error:
        raise ValueError(f"{name!r} is not an IANA timezone like 'America/Chicago'") from error


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of a local date (fold=0 puts a midnight inside a DST gap at the gap's end)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _values(field: Iterable[int | str], size: int) -> list[int]:
    field = list(field)
    return list(range(size)) if "*" in field else [int(value) for value in field]


# Bounded: a policy has a handful of rotations; tests and reloads may add a few more.
@functools.lru_cache(maxsize=128)
def _schedule(handoff: str, timezone: str, epoch: datetime) -> _Schedule:
    return _Schedule(handoff, _zone(timezone), epoch.astimezone(_zone(timezone)).date())


class _Schedule:
    """The handoffs from the start of local date `origin` on, as one sequence numbered from 0.

    Memoizes the matching dates found so far; every method must be called holding `lock`.
    """

    def __init__(self, handoff: str, zone: ZoneInfo, origin: date) -> None:
        if any(_RANDOM_FIELD.match(field) for field in handoff.split()):
            raise ValueError(f"{handoff!r}: random (R) cron fields would change the holder on restart")
        start = _day_start(origin, zone)
        try:
            # Two parsers, each only ever given explicit start times: UTC has no DST, so that one
            # answers "does this date match?"; the zone's one handles DST dates.
            self._utc_cron = croniter(handoff, start)
            self._local_cron = croniter(handoff, start.astimezone(zone))
        except (CroniterError, ValueError, TypeError) as error:
            raise ValueError(f"{handoff!r} is not a cron expression like '0 9 * * MON'") from error
        expanded = self._utc_cron.expanded
        seconds = expanded[_SECOND_FIELD] if len(expanded) > _SECOND_FIELD else [0]
        # Seconds after local midnight at which a matching date hands off, ascending.
        self._times = sorted(
            hour * 3600 + minute * 60 + second
            for hour in _values(expanded[_HOUR], 24)
            for minute in _values(expanded[_MINUTE], 60)
            for second in _values(seconds, 60)
        )
        self._zone = zone
        self.lock = threading.Lock()
        self._days: list[date] = []  # matching dates found so far, ascending
        self._slots: list[_Slot] = []  # their handoffs, parallel to _days
        self._before: list[int] = [0]  # _before[i]: handoffs on _days[:i]; one longer than _days
        self._next_date = origin  # every matching date before this one is in _days
        self._exhausted = False  # croniter found no matching date from _next_date on

    def count_through(self, at: datetime) -> int:
        """How many handoffs fall from the origin up to and including `at`."""
        day = at.astimezone(self._zone).date()
        while not self._exhausted and self._next_date <= day:
            self._extend()
        i = bisect.bisect_left(self._days, day)
        total = self._before[i]
        if i < len(self._days) and self._days[i] == day:
            slot = self._slots[i]
            if isinstance(slot, datetime):
                total += bisect.bisect_right(self._times, (at - slot) // _SECOND)
            else:
                total += bisect.bisect_right(slot, at)
        return total

    def handoff(self, n: int) -> datetime:
        """The n-th handoff (0-based) from the origin, as a UTC instant."""
        while self._before[-1] <= n:
            if not self._extend():
                raise ValueError("the handoff schedule has no further handoff (does the cron ever match?)")
        i = bisect.bisect_right(self._before, n) - 1
        slot, k = self._slots[i], n - self._before[i]
        return slot + timedelta(seconds=self._times[k]) if isinstance(slot, datetime) else slot[k]

    def _extend(self) -> bool:
        """Memoize the next matching date; False once there is none."""
        if self._exhausted:
            return False
        after = datetime.combine(self._next_date, time(0), tzinfo=UTC) - _SECOND
        try:
            day = self._utc_cron.get_next(datetime, start_time=after).date()
        except CroniterBadDateError:  # nothing within croniter's search horizon (50 years)
            self._exhausted = True
            return False
        slot = self._slot(day)
        self._days.append(day)
        self._slots.append(slot)
        handoffs = len(self._times) if isinstance(slot, datetime) else len(slot)
        self._before.append(self._before[-1] + handoffs)
        self._next_date = day + _DAY
        return True

    def _slot(self, day: date) -> _Slot:
        start, end = _day_start(day, self._zone), _day_start(day + _DAY, self._zone)
        local_start = start.astimezone(self._zone)
        if (
            end - start == _DAY
            and local_start.time() == time(0)
            and local_start.utcoffset() == (end - _MICROSECOND).astimezone(self._zone).utcoffset()
        ):
            return start
        return self._dst_day(start, end)

    def _dst_day(self, start: datetime, end: datetime) -> tuple[datetime, ...]:
        kept: list[datetime] = []
        last_wall: datetime | None = None
        cursor = (start - _SECOND).astimezone(self._zone)
        # A date yields at most every time of day twice (the repeated hour); the bound only guards
        # against a croniter that stops advancing.
        for _ in range(2 * len(self._times) + 2):
            try:
                candidate = self._local_cron.get_next(datetime, start_time=cursor)
            except CroniterBadDateError:
                break
            instant = candidate.astimezone(UTC)
            if instant >= end:
                break
            wall = candidate.replace(tzinfo=None)
            if instant >= start and (last_wall is None or (instant > kept[-1] and wall > last_wall)):
                kept.append(instant)
                last_wall = wall
            cursor = candidate
        return tuple(kept)
