"""Business-time arithmetic: SLA clocks that only run while support is open.

Opening hours are local wall-clock intervals per weekday. Each local date is turned into its open
spans as UTC instants once (and cached), so all arithmetic is plain UTC datetime arithmetic, exact to
the microsecond, and the cost of a call grows with the number of days it spans, never with minutes.

DST rules (wall time -> instant):
  * an ambiguous wall time (fall-back hour) means its first occurrence (zoneinfo fold=0), so an
    interval spanning the repeated hour is an hour longer in real time;
  * a wall time inside a spring-forward gap means the instant the gap ends (03:00 CDT for 02:30 in
    Chicago), so an interval spanning the gap is an hour shorter, one inside it vanishes.
This matches "open while the wall clock reads inside an interval" everywhere except at interval
boundaries inside a repeated hour, where a span must stay one contiguous stretch of real time.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import as_utc

# (start, end) in local wall time; end=None means midnight at the end of the day ("24:00").
Interval = tuple[time, time | None]
# An open span as UTC instants, half-open [start, end).
Span = tuple[datetime, datetime]

# Consecutive fully-closed days after which a search gives up: ~10 years of closures means the
# calendar is misconfigured, and without a limit add()/next_opening() would never return.
MAX_CLOSED_DAYS = 3660

# ~11 years of days: enough that a long-lived calendar never recomputes in practice, small in memory.
_DAY_CACHE_SIZE = 4096
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FRIENDLY_ZONES = {
    "America/New_York": "US Eastern",
    "America/Chicago": "US Central",
    "America/Denver": "US Mountain",
    "America/Phoenix": "US Mountain (Arizona)",
    "America/Los_Angeles": "US Pacific",
    "America/Anchorage": "US Alaska",
    "Pacific/Honolulu": "US Hawaii",
    "Etc/UTC": "UTC",
    "UTC": "UTC",
}
_ZERO = timedelta(0)
_FULL_DAY: tuple[Interval, ...] = ((time.min, None),)


def _never_closed(day: date) -> bool:
    return False


def parse_hours(text: str) -> tuple[Interval, ...]:
    """Parse "08:00-12:00,13:00-17:00" into intervals; "24:00" as an end means midnight (None).

    An empty string means closed all day. Validation of order/overlap happens in BusinessCalendar.
    """
    intervals: list[Interval] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            start_text, end_text = (s.strip() for s in part.split("-"))
            start = time.fromisoformat(start_text)
            end = None if end_text == "24:00" else time.fromisoformat(end_text)
        except ValueError as exc:
            raise ValueError(f"bad opening hours {part!r} (want HH:MM-HH:MM)") from exc
        intervals.append((start, end))
    return tuple(intervals)


def _normalise_weekly(weekly: Mapping[int, Sequence[Interval]]) -> tuple[tuple[Interval, ...], ...]:
    days: list[tuple[Interval, ...]] = [()] * 7
    for weekday, intervals in weekly.items():
        if isinstance(weekday, bool) or not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise ValueError(f"weekday keys must be 0 (Mon) .. 6 (Sun), got {weekday!r}")
        checked: list[Interval] = []
        for start, end in intervals:
            if not isinstance(start, time) or not (end is None or isinstance(end, time)):
                raise ValueError(f"interval must be (time, time | None), got {(start, end)!r}")
            if start.tzinfo is not None or (end is not None and end.tzinfo is not None):
                raise ValueError("opening hours are local wall-clock times; pass naive times")
            if end is not None and end <= start:
                span = f"{_format_time(start)}-{_format_time(end)}"
                raise ValueError(f"{span} ends before it starts (write 24:00 for midnight)")
            if checked:
                prev_end = checked[-1][1]
                if prev_end is None or start < prev_end:
                    raise ValueError(f"opening hours on {_DAY_NAMES[weekday]} overlap or are out of order")
            checked.append((start.replace(fold=0), None if end is None else end.replace(fold=0)))
        days[weekday] = tuple(checked)
    if not any(days):
        raise ValueError("the calendar is never open: every weekday has no hours")
    return tuple(days)


def _format_time(value: time | None) -> str:
    if value is None:
        return "24:00"
    if value.second or value.microsecond:
        return value.isoformat()
    return value.strftime("%H:%M")


class BusinessCalendar:
    """Open hours in one time zone, minus closed dates; answers "how much business time" questions.

    `weekly` maps weekday (0=Mon .. 6=Sun) to sorted, non-overlapping (start, end) local wall-time
    intervals; end=None means midnight at the end of that day. Missing weekdays are closed. weekly=None
    means 24x7 (still minus `is_closed_date` if one is given).

    `is_closed_date(local_date)` closes whole local dates (holidays). It must be pure: answers are
    cached per date. Instances are immutable apart from that cache and safe to share.

    Every method takes timezone-aware datetimes (naive ones raise ValueError) and returns UTC.
    """

    __slots__ = ("_closed", "_day_spans", "_is_24x7", "_tz", "_weekly", "_zone_name")

    def __init__(
        self,
        timezone: str,
        weekly: Mapping[int, Sequence[Interval]] | None,
        is_closed_date: Callable[[date], bool] = _never_closed,
    ) -> None:
        try:
            self._tz = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
            raise ValueError(f"unknown time zone {timezone!r}") from exc
        self._zone_name = timezone
        self._is_24x7 = weekly is None
        self._weekly = (_FULL_DAY,) * 7 if weekly is None else _normalise_weekly(weekly)
        self._closed = is_closed_date
        self._day_spans: Callable[[int], tuple[Span, ...]] = functools.lru_cache(maxsize=_DAY_CACHE_SIZE)(
            self._compute_day_spans
        )

    @property
    def timezone(self) -> str:
        return self._zone_name

    @property
    def always_open(self) -> bool:
        """24x7 with no closed dates: business time is real time."""
        return self._is_24x7 and self._closed is _never_closed

    def __repr__(self) -> str:
        return f"BusinessCalendar({self.describe()!r})"

    # -- public API --------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        at = as_utc(at, "at")
        if self.always_open:
            return True
        ordinal = self._local_ordinal(at)
        # The next day is only consulted if `at` is not in today's spans: it matters solely for a
        # fall-back that crosses midnight, where local dates briefly run backwards.
        return any(s <= at < e for s, e in self._day_spans(ordinal)) or any(
            s <= at < e for s, e in self._day_spans(ordinal + 1)
        )

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself if open then, else the start of the next open span (UTC)."""
        at = as_utc(at, "at")
        if self.always_open:
            return at
        for spans in self._days_from(at):
            for s, e in spans:
                if e > at:
                    return max(s, at)
        raise AssertionError("unreachable: _days_from raises before running out")  # pragma: no cover

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which `duration` of business time has elapsed since `start` (UTC).

        A zero duration returns `start` itself even when closed (zero time has elapsed at once); a
        positive one ends inside, or exactly at the end of, an open span. Negative raises ValueError.
        """
        start = as_utc(start, "start")
        if duration < _ZERO:
            raise ValueError(f"duration must not be negative, got {duration}")
        if not duration or self.always_open:
            return start + duration
        remaining = duration
        for spans in self._days_from(start):
            for s, e in spans:
                if e <= start:
                    continue
                if s < start:
                    s = start
                available = e - s
                if remaining <= available:
                    return s + remaining
                remaining -= available
        raise AssertionError("unreachable: _days_from raises before running out")  # pragma: no cover

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time elapsed in [start, end); negative (mirrored) when end < start."""
        start = as_utc(start, "start")
        end = as_utc(end, "end")
        if end < start:
            return -self.between(end, start)
        if self.always_open:
            return end - start
        total = _ZERO
        # One day past end's local date, for the same midnight-crossing fall-back as in is_open.
        for ordinal in range(self._local_ordinal(start), self._local_ordinal(end) + 2):
            for s, e in self._day_spans(ordinal):
                lo = s if s > start else start
                hi = e if e < end else end
                if hi > lo:
                    total += hi - lo
        return total

    def describe(self) -> str:
        """Human text, e.g. "Mon–Fri 08:00–12:00, 13:00–17:00; Sat 09:00–13:00 US Central"."""
        zone = _FRIENDLY_ZONES.get(self._zone_name, self._zone_name)
        if self._is_24x7:
            return "24x7" if self.always_open else f"24x7 except holidays {zone}"
        groups: list[str] = []
        day = 0
        while day < 7:
            hours = self._weekly[day]
            last = day
            while last < 6 and self._weekly[last + 1] == hours:
                last += 1
            if hours:
                days = _DAY_NAMES[day] if last == day else f"{_DAY_NAMES[day]}–{_DAY_NAMES[last]}"
                spans = ", ".join(f"{_format_time(s)}–{_format_time(e)}" for s, e in hours)
                groups.append(f"{days} {spans}")
            day = last + 1
        return f"{'; '.join(groups)} {zone}"

    def open_spans(self, start: datetime, days: int) -> list[Span]:
        """The open spans (UTC) of the `days` local days from `start`'s local date: to show hours in
        another timezone. A 24x7 calendar has none to list."""
        if self._is_24x7:
            return []
        return [
            span
            for _, spans in zip(range(days), self._days_from(as_utc(start, "start")), strict=False)
            for span in spans
        ]

    # -- internals ---------------------------------------------------------------------------

    def _local_ordinal(self, instant: datetime) -> int:
        return instant.astimezone(self._tz).toordinal()

    def _days_from(self, instant: datetime) -> Iterator[tuple[Span, ...]]:
        """Yield each local day's spans from `instant`'s local date onward.

        Earlier days cannot matter: a day's spans end by its (fold=0) midnight, which is never
        later than any instant bearing the next date.
        """
        ordinal = self._local_ordinal(instant)
        closed_run = 0
        while True:
            spans = self._day_spans(ordinal)
            if spans:
                closed_run = 0
            else:
                closed_run += 1
                if closed_run > MAX_CLOSED_DAYS:
                    raise ValueError(
                        f"calendar is closed for more than {MAX_CLOSED_DAYS} consecutive days "
                        f"from {date.fromordinal(ordinal - closed_run + 1)}"
                    )
            yield spans
            ordinal += 1

    def _compute_day_spans(self, ordinal: int) -> tuple[Span, ...]:
        day = date.fromordinal(ordinal)
        hours = self._weekly[day.weekday()]
        if not hours or self._closed(day):
            return ()
        next_day = day + timedelta(days=1)
        spans: list[Span] = []
        for start, end in hours:
            s = self._wall_to_utc(day, start)
            e = self._wall_to_utc(next_day, time.min) if end is None else self._wall_to_utc(day, end)
            if e <= s:
                continue  # swallowed by a spring-forward gap
            if spans and spans[-1][1] >= s:
                spans[-1] = (spans[-1][0], e)  # touching intervals (or a gap closed up) -> one span
            else:
                spans.append((s, e))
        return tuple(spans)

    def _wall_to_utc(self, day: date, wall: time) -> datetime:
        local = datetime.combine(day, wall, tzinfo=self._tz)  # fold=0: first of two ambiguous readings
        instant = local.astimezone(UTC)
        if instant.astimezone(self._tz).replace(tzinfo=None) == local.replace(tzinfo=None):
            return instant
        return self._gap_end(local)

    def _gap_end(self, local: datetime) -> datetime:
        """The instant a spring-forward gap containing the wall time `local` ends.

        The two readings of a nonexistent wall time (old and new offset) bracket the transition;
        transitions fall on whole seconds, so a bisection over seconds finds it exactly.
        """
        a = local.replace(fold=0).astimezone(UTC)
        b = local.replace(fold=1).astimezone(UTC)
        lo, hi = min(a, b).replace(microsecond=0), max(a, b)  # whole seconds: transitions are on them
        before = lo.astimezone(self._tz).utcoffset()
        if hi.astimezone(self._tz).utcoffset() == before:
            return hi  # not a simple gap (should not happen); fall back to the later reading
        lo_s, hi_s = 0, math.ceil((hi - lo).total_seconds())
        while hi_s - lo_s > 1:  # invariant: offset at lo+lo_s is `before`, at lo+hi_s it is not
            mid = (lo_s + hi_s) // 2
            if (lo + timedelta(seconds=mid)).astimezone(self._tz).utcoffset() == before:
                lo_s = mid
            else:
                hi_s = mid
        return lo + timedelta(seconds=hi_s)
