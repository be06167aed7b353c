"""A clock for loops that sleep between rounds (the background Slack check): each sleep ends only when the
test lets it, so a test walks the loop round by round without waiting and without a busy loop."""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.clock import FakeClock

WAIT = 5.0  # seconds a test waits for the loop to reach its next sleep


class SteppedClock:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self._sleeps: asyncio.Queue[tuple[float, asyncio.Future[None]]] = asyncio.Queue()

    def now(self) -> datetime:
        return self.clock.now()

    def monotonic(self) -> float:
        return self.clock.monotonic()

    async def sleep(self, seconds: float) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        await self._sleeps.put((seconds, done))
        await done

    async def wake(self) -> float:
        """Wait until the loop sleeps, then end that sleep; returns how long it meant to sleep."""
        seconds, done = await asyncio.wait_for(self._sleeps.get(), WAIT)
        self.clock.advance(seconds)
        done.set_result(None)
        return seconds

    async def asleep(self) -> float:
        """Wait until the loop sleeps (its round is done) and leave it asleep; returns for how long."""
        seconds, done = await asyncio.wait_for(self._sleeps.get(), WAIT)
        await self._sleeps.put((seconds, done))
        return seconds
