"""Bolt runs a listener's body as a task that outlives the ack; tests and benchmarks must be able to wait
for it before looking at its effects. This wraps the asyncio module as Bolt's listener runner sees it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from slack_bolt.listener import asyncio_runner


class BoltTasks:
    def __init__(self) -> None:
        self.pending: set[asyncio.Future[object]] = set()

    def __getattr__(self, name: str) -> object:
        return getattr(asyncio, name)

    def ensure_future(self, awaitable: Awaitable[object]) -> asyncio.Future[object]:
        future = asyncio.ensure_future(awaitable)
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)
        return future

    async def drain(self) -> int:
        """Wait for every listener still running; returns how many there were."""
        drained = 0
        while self.pending:
            batch = list(self.pending)
            drained += len(batch)
            await asyncio.gather(*batch, return_exceptions=True)
        return drained


def track_bolt_tasks() -> BoltTasks:
    tasks = BoltTasks()
    asyncio_runner.asyncio = tasks  # type: ignore[assignment]
    return tasks
