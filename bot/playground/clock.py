"""The playground's clock: real time running at real speed, plus an offset the page moves forward.

`now()` and `monotonic()` move together, so everything on the clock (SLA due times, the ladder, the bot's
pacing, the stand-in's rate limits and response-URL expiry) follows simulated time. `sleep()` counts
simulated seconds: moving the clock forward ends the sleeps that are then over.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.clock import Clock, SystemClock, as_utc


class PlaygroundClock:
    def __init__(self, start: datetime | None = None, *, real: Clock | None = None) -> None:
        """`start`: the simulated instant to begin at (default: now); `real`: where real time comes from
        (bot/clock.py's SystemClock; tests pass a FakeClock)."""
        self._real = real or SystemClock()
        self._offset = 0.0
        self._ticks_offset = 0.0  # only ever grows: monotonic() never goes back, even on reset
        self._advanced = 0.0
        self._moved = asyncio.Event()
        self.reset(start)

    @property
    def offset(self) -> timedelta:
        """How far simulated time is ahead of real time (negative if it started in the past)."""
        return timedelta(seconds=self._offset)

    @property
    def advanced(self) -> timedelta:
        """How far the clock was moved forward since it started (or was reset)."""
        return timedelta(seconds=self._advanced)

    def now(self) -> datetime:
        return self._real.now() + timedelta(seconds=self._offset)

    def monotonic(self) -> float:
        return self._real.monotonic() + self._ticks_offset

    def advance(self, delta: timedelta) -> None:
        """Move simulated time forward (never back: due times already passed stay passed)."""
        if delta < timedelta(0):
            raise ValueError(f"the playground's clock only moves forward, not by {delta}")
        self._offset += delta.total_seconds()
        self._ticks_offset += delta.total_seconds()
        self._advanced += delta.total_seconds()
        self._moved.set()
        self._moved = asyncio.Event()

    def set(self, instant: datetime) -> None:
        """Move simulated time forward to `instant`; an instant already passed changes nothing."""
        ahead = as_utc(instant, "instant") - self.now()
        if ahead > timedelta(0):
            self.advance(ahead)

    def reset(self, start: datetime | None = None) -> None:
        """Back to real time (or to `start`), for a fresh playground; `monotonic()` still never goes back."""
        self._offset = 0.0 if start is None else (as_utc(start, "start") - self._real.now()).total_seconds()
        self._advanced = 0.0

    async def sleep(self, seconds: float) -> None:
        """Wait `seconds` of simulated time: real time passing, or the clock moved past the end."""
        end = self.monotonic() + max(0.0, seconds)
        while (left := end - self.monotonic()) > 0:
            moved = self._moved
            try:
                await asyncio.wait_for(moved.wait(), timeout=left)
            except TimeoutError:
                pass
