"""The durable job queue: enqueue rows, lease them exactly once, finish or retry them with backoff."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.transactions import in_transaction

from bot.clock import Clock
from models import Job

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
DEFERRED = "deferred: "  # marks a job waiting for a rate budget, not one that failed
# Wake-ups held back until the surrounding transaction commits, so the worker never looks too early.
_held_wakeups: ContextVar[list[datetime] | None] = ContextVar("held_wakeups", default=None)
MAX_BACKOFF = timedelta(minutes=15)


class Deferred(Exception):
    """Not a failure: the job waits its turn (a rate budget is spent) and runs again after `after` s."""

    def __init__(self, reason: str, after: float) -> None:
        super().__init__(reason)
        self.after = after


class RetryLater(Exception):
    """A job failed for a passing reason (Slack 429/5xx, network); `after` is the wait Slack asked for."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


def backoff(attempts: int, asked: float | None = None) -> timedelta:
    """Exponential backoff from 2 s, capped; never shorter than what Slack's Retry-After asked."""
    delay = min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)
    return max(delay, timedelta(seconds=asked or 0))


@dataclass
class JobQueue:
    clock: Clock
    on_enqueue: Callable[[datetime], None] | None = None  # wakes the worker when a sooner job arrives
    # When this process's worker started: work due before then was missed while no bot was running.
    started_at: datetime | None = None

    def missed_while_down(self, due: datetime) -> bool:
        return self.started_at is not None and due < self.started_at

    async def enqueue(
        self,
        kind: str,
        *,
        ticket_id: int | None = None,
        due_at: datetime | None = None,
        payload: dict[str, Any] | None = None,
        dedupe_key: str | None = None,
    ) -> Job | None:
        """Add a job; with a dedupe_key an already-pending twin is kept instead (None is returned)."""
        now = self.clock.now()
        due = due_at or now
        try:
            # A savepoint: a duplicate must not abort the caller's transaction (PostgreSQL would).
            async with in_transaction():
                job = await Job.create(
                    kind=kind,
                    ticket_id=ticket_id,
                    due_at=due,
                    payload=payload or {},
                    dedupe_key=dedupe_key,
                    created_at=now,
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
            # Coalesce: keep the pending twin but make it due no later than this one.
            await Job.filter(dedupe_key=dedupe_key, due_at__gt=due).update(due_at=due)
            job = None
        self._wake(due)
        return job

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        """A database transaction whose enqueued jobs wake the worker only after commit."""
        held: list[datetime] = []
        token = _held_wakeups.set(held)
        try:
            async with in_transaction():
                yield
        finally:
            _held_wakeups.reset(token)
        for due in held:
            self._wake(due)

    def _wake(self, due: datetime) -> None:
        held = _held_wakeups.get()
        if held is not None:
            held.append(due)
        elif self.on_enqueue is not None:
            self.on_enqueue(due)

    async def due(self, limit: int = 20) -> list[Job]:
        now = self.clock.now()
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        return await Job.filter(free, due_at__lte=now).order_by("due_at", "id").limit(limit)

    async def next_due_at(self) -> datetime | None:
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=self.clock.now())
        job = await Job.filter(free).order_by("due_at").only("id", "due_at").first()
        return job.due_at if job else None

    async def lease(self, job: Job) -> bool:
        """Take the job for this worker; a conditional update, so two workers never both win."""
        now = self.clock.now()
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
        # Dropping the dedupe key lets a change made while this job runs queue a fresh twin.
        won = await Job.filter(free, id=job.id, attempts=job.attempts).update(
            lease_until=now + LEASE, attempts=F("attempts") + 1, dedupe_key=None
        )
        if won:
            job.attempts += 1
        return bool(won)

    async def finish(self, job: Job) -> None:
        await Job.filter(id=job.id).delete()

    async def defer(self, job: Job, reason: str, seconds: float) -> datetime:
        """Run again after `seconds`, without counting this as a failed attempt (no backoff growth)."""
        due = self.clock.now() + timedelta(seconds=seconds)
        await Job.filter(id=job.id).update(
            due_at=due, lease_until=None, attempts=F("attempts") - 1, last_error=f"{DEFERRED}{reason}"
        )
        self._wake(due)
        return due

    async def retry(self, job: Job, error: str, asked: float | None = None) -> datetime:
        due = self.clock.now() + backoff(job.attempts, asked)
        await Job.filter(id=job.id).update(due_at=due, lease_until=None, last_error=error[:2000])
        self._wake(due)
        return due
