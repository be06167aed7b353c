"""SLA clock arithmetic, pure (no database, no time source): business time elapsed, remaining, due
and threshold instants.

A clock's elapsed business time is what it banked before its last pause plus, while it runs
(`running_since` is set), the business time since it last started, on the ticket's plan calendar.
States: running; paused; met (stopped in time); breached (past its target, running or stopped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.durations import HOURS_ONLY, BusinessDay
from models import ClockState

# Redraw the ticket at these fractions of a target; note "at risk" and "breached" in its thread.
THRESHOLDS = (50, 75, 90, 100)
AT_RISK = 75
BREACH = 100


class Calendar(Protocol):
    def add(self, start: datetime, duration: timedelta) -> datetime: ...
    def between(self, start: datetime, end: datetime) -> timedelta: ...


class SlaClockLike(Protocol):
    target_seconds: int
    state: ClockState
    running_since: datetime | None
    elapsed_seconds: float
    due_at: datetime | None


@dataclass(frozen=True)
class ClockReading:
    name: str
    state: ClockState
    target: timedelta
    elapsed: timedelta
    due_at: datetime | None
    day: BusinessDay = HOURS_ONLY  # how the calendar's business time is written

    @property
    def remaining(self) -> timedelta:
        return self.target - self.elapsed

    @property
    def percent(self) -> float:
        return 100.0 * self.elapsed / self.target if self.target else 100.0


def elapsed(sla_clock: SlaClockLike, calendar: Calendar, now: datetime) -> timedelta:
    banked = timedelta(seconds=sla_clock.elapsed_seconds)
    if sla_clock.running_since is not None:  # running (possibly already past its target)
        return banked + calendar.between(sla_clock.running_since, now)
    return banked


def due_at(sla_clock: SlaClockLike, calendar: Calendar) -> datetime | None:
    """Where the remaining business time runs out, if the clock is running."""
    if sla_clock.running_since is None:
        return None
    remaining = timedelta(seconds=sla_clock.target_seconds - sla_clock.elapsed_seconds)
    if remaining <= timedelta(0):
        return sla_clock.running_since
    return calendar.add(sla_clock.running_since, remaining)


def threshold_at(sla_clock: SlaClockLike, calendar: Calendar, percent: int) -> datetime | None:
    """When a running clock reaches `percent` of its target; None if paused or already past it."""
    if sla_clock.running_since is None:
        return None
    needed = timedelta(seconds=sla_clock.target_seconds * percent / 100 - sla_clock.elapsed_seconds)
    if needed <= timedelta(0):
        return None
    return calendar.add(sla_clock.running_since, needed)


def read(name: str, sla_clock: SlaClockLike, calendar: Calendar, now: datetime) -> ClockReading:
    return ClockReading(
        name=name,
        state=sla_clock.state,
        target=timedelta(seconds=sla_clock.target_seconds),
        elapsed=elapsed(sla_clock, calendar, now),
        due_at=sla_clock.due_at,
        # A policy calendar knows its business day; a bare one (tests, the dry run) writes hours.
        day=getattr(calendar, "business_day", HOURS_ONLY),
    )
