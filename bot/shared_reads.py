"""Identical reads that overlap share one run.

A burst of the same read (fifty engineers typing `/support list` during an incident, every staff App Home
redrawn after one change) would each walk the same queue and its clocks, and on one event loop each
walk delays everyone's acknowledgement. A caller arriving while a read of the same key is running awaits
that read instead of starting another. Nothing is kept once it ends, so no answer is older than a read
that was already running when it was asked for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class SharedReads:
    def __init__(self) -> None:
        self._running: dict[Hashable, asyncio.Future[Any]] = {}

    async def read(self, key: Hashable, run: Callable[[], Awaitable[T]]) -> T:
        running = self._running.get(key)
        if running is None:
            running = asyncio.ensure_future(run())
            self._running[key] = running
            running.add_done_callback(lambda done: self._ended(key, done))
        # Shielded: one caller giving up (its request cancelled) does not cancel the read for the others.
        result: T = await asyncio.shield(running)
        return result

    def _ended(self, key: Hashable, done: asyncio.Future[Any]) -> None:
        self._running.pop(key, None)
        if not done.cancelled():
            done.exception()  # retrieved here, so a failure every caller gave up on is not logged as lost
