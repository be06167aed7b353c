"""Runs due jobs: sleeps until the next due time, or until woken by a sooner job."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.clock import Clock
from bot.jobs import Deferred, JobQueue, RetryLater
from models import Job

log = logging.getLogger(__name__)

JobHandler = Callable[[Job], Awaitable[None]]
IDLE_POLL_SECONDS = 5.0  # picks up work of other replicas and leases that ran out (about 2 ms per look)


class Worker:
    def __init__(self, queue: JobQueue, clock: Clock, handlers: dict[str, JobHandler]) -> None:
        self.queue = queue
        self.clock = clock
        self.handlers = handlers
        self._wake = asyncio.Event()
        self._stopping = False
        queue.on_enqueue = self.wake_for

    def wake_for(self, due: datetime) -> None:
        self._wake.set()

    async def run_due(self) -> int:
        """Run every job due now; returns how many ran. Tests call this directly with a fake clock."""
        ran = 0
        while True:
            batch = await self.queue.due()
            if not batch:
                return ran
            for job in batch:
                if await self.queue.lease(job):
                    await self._run(job)
                    ran += 1

    async def _run(self, job: Job) -> None:
        handler = self.handlers.get(job.kind)
        if handler is None:
            log.error("job %s has unknown kind %r; dropped", job.id, job.kind)
            await self.queue.finish(job)
            return
        try:
            await handler(job)
        except Deferred as exc:
            await self.queue.defer(job, str(exc), exc.after)
            return
        except RetryLater as exc:
            due = await self.queue.retry(job, str(exc), exc.after)
            log.warning("job %s (%s) will be retried at %s: %s", job.id, job.kind, due.isoformat(), exc)
            return
        except Exception as exc:  # a bug must not stop the worker or lose the job: back off and keep it
            log.exception("job %s (%s) failed", job.id, job.kind)
            await self.queue.retry(job, f"{type(exc).__name__}: {exc}")
            return
        await self.queue.finish(job)

    async def run_forever(self) -> None:
        self.queue.started_at = self.clock.now()
        while not self._stopping:
            self._wake.clear()
            try:
                await self.run_due()
                next_due = await self.queue.next_due_at()
            except Exception:  # database hiccup: wait and try again rather than die
                log.exception("worker cycle failed")
                next_due = None
            timeout = IDLE_POLL_SECONDS
            if next_due is not None:
                timeout = min(timeout, max(0.0, (next_due - self.clock.now()).total_seconds()))
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
