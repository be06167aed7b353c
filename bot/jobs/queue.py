"""The durable job queue: enqueue rows, lease them exactly once, finish, defer, retry or fail them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F, Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from bot import metrics
from bot.clock import Clock
from bot.jobs.kinds import URGENT_KINDS, JobPayload
from models import Job, JobStatus

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
DEFERRED = "deferred: "  # marks a job waiting for a rate budget, not one that failed
MAX_BACKOFF = timedelta(minutes=15)
TOPIC_BATCH = 20  # jobs sent together at most
# Wake-ups held back until the surrounding transaction commits, so the worker never looks too early.
_held_wakeups: ContextVar[list[datetime] | None] = ContextVar("held_wakeups", default=None)
# Jobs of a new row, written together when `fresh` ends (see there).
_fresh: ContextVar[list[Job] | None] = ContextVar("fresh_jobs", default=None)


def backoff(attempts: int, asked: float | None = None) -> timedelta:
    """Exponential backoff from 2 s, capped; never shorter than what Slack's Retry-After asked."""
    delay = min(timedelta(seconds=2 ** min(attempts, 10)), MAX_BACKOFF)
    return max(delay, timedelta(seconds=asked or 0))


def _pending() -> Q:
    return Q(status=JobStatus.PENDING)


@dataclass
class JobQueue:
    clock: Clock
    on_enqueue: Callable[[datetime], None] | None = None  # wakes the worker when a sooner job arrives
    # When this process's worker started: work due before then was missed while no bot was running.
    started_at: datetime | None = None

    def missed_while_down(self, due: datetime) -> bool:
        return self.started_at is not None and due < self.started_at

    async def enqueue(self, payload: JobPayload, due_at: datetime | None = None) -> Job | None:
        """Add a job; if a pending twin has the same dedupe key, keep that one instead (None is returned)."""
        now = self.clock.now()
        due = due_at or now
        dedupe_key = payload.dedupe_key()
        fresh = _fresh.get()
        if fresh is not None:
            fresh.append(self._row(payload, due, now))
            self._wake(due)
            return fresh[-1]
        try:
            # A savepoint: a duplicate must not abort the caller's transaction (PostgreSQL would).
            async with in_transaction():
                job = await Job.create(
                    kind=payload.kind,
                    ticket_id=payload.ticket_id,
                    due_at=due,
                    payload=payload.fields(),
                    dedupe_key=dedupe_key,
                    created_at=now,
                    topic=payload.topic(),
                )
        except IntegrityError:
            if dedupe_key is None:
                raise
            # Coalesce: keep the pending twin but make it due no later than this one.
            await Job.filter(dedupe_key=dedupe_key, due_at__gt=due).update(due_at=due)
            job = None
        self._wake(due)
        return job

    def _row(self, payload: JobPayload, due: datetime, now: datetime) -> Job:
        return Job(
            kind=payload.kind,
            ticket_id=payload.ticket_id,
            due_at=due,
            payload=payload.fields(),
            dedupe_key=payload.dedupe_key(),
            created_at=now,
            topic=payload.topic(),
        )

    @asynccontextmanager
    async def fresh(self) -> AsyncIterator[None]:
        """Inside a transaction that creates a row (a new ticket): the jobs enqueued in the block are written
        in one INSERT as it ends, instead of one savepoint and INSERT each. Only for jobs that cannot have a
        pending twin, as their dedupe keys name the row just created; a twin would fail the transaction.
        *Why:* raising a ticket queues a dozen jobs before its form is answered, and on SQLite every
        statement of a transaction holds the one connection while the event loop serves other requests."""
        rows: list[Job] = []
        token = _fresh.set(rows)
        try:
            yield
        finally:
            _fresh.reset(token)
        if rows:
            await Job.bulk_create(rows)

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

    def _free(self) -> Q:
        return Q(lease_until__isnull=True) | Q(lease_until__lt=self.clock.now())

    async def due(self, limit: int = 20) -> list[Job]:
        """Due jobs, oldest first; pages and ladder steps (URGENT_KINDS) before all others."""
        now = self.clock.now()
        urgent = (
            await Job.filter(_pending(), self._free(), due_at__lte=now, kind__in=URGENT_KINDS)
            .order_by("due_at", "id")
            .limit(limit)
        )
        if len(urgent) == limit:
            return urgent
        rest = (
            await Job.filter(_pending(), self._free(), due_at__lte=now, kind__not_in=URGENT_KINDS)
            .order_by("due_at", "id")
            .limit(limit - len(urgent))
        )
        return [*urgent, *rest]

    async def next_due_at(self) -> datetime | None:
        job = await Job.filter(_pending(), self._free()).order_by("due_at").only("id", "due_at").first()
        return job.due_at if job else None

    async def lease(self, job: Job) -> bool:
        """Take the job for this worker; a conditional update, so two workers never both win."""
        now = self.clock.now()
        # Dropping the dedupe key lets a change made while this job runs queue a fresh twin.
        won = await Job.filter(_pending(), self._free(), id=job.id, attempts=job.attempts).update(
            lease_until=now + LEASE, attempts=F("attempts") + 1, dedupe_key=None
        )
        if won:
            job.attempts += 1
        return bool(won)

    async def finish(self, job: Job) -> None:
        await Job.filter(id=job.id).delete()

    async def take_topic(self, job: Job, horizon: timedelta) -> list[Job]:
        """Lease the other pending jobs of `job`'s topic due within `horizon`, to send them along with it.

        Each is leased by the same conditional update as `lease`, so no other worker runs it meanwhile;
        `finish_all` ends them once sent, `release` hands them back if the send failed.
        """
        if not job.topic:
            return []
        now = self.clock.now()
        candidates = (
            await Job.filter(
                _pending(),
                self._free(),
                kind=job.kind,
                topic=job.topic,
                due_at__lte=now + horizon,
                id__not=job.id,
            )
            .order_by("due_at", "id")
            .limit(TOPIC_BATCH)
        )
        return [candidate for candidate in candidates if await self.lease(candidate)]

    async def finish_all(self, jobs: Iterable[Job]) -> None:
        await Job.filter(id__in=[job.id for job in jobs]).delete()

    async def release(self, jobs: Iterable[Job]) -> None:
        """Hand leased jobs back untouched (not counted as an attempt)."""
        for job in jobs:
            await Job.filter(id=job.id).update(lease_until=None, attempts=F("attempts") - 1)

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

    async def fail(self, job: Job, code: str, reason: str) -> None:
        """End the job for good, logged once at ERROR with its ticket, and counted."""
        await Job.filter(id=job.id).update(
            status=JobStatus.FAILED,
            failed_at=self.clock.now(),
            lease_until=None,
            last_error=reason[:2000],
            error_code=code[:48],
        )
        metrics.JOBS_FAILED.labels(job.kind, code).inc()
        ticket = f" for SUP-{job.ticket_id}" if job.ticket_id else ""
        log.error(
            "job %s (%s)%s failed for good after %d attempt(s): %s",
            job.id,
            job.kind,
            ticket,
            job.attempts,
            reason,
        )

    async def failed(self, limit: int = 50) -> list[Job]:
        return await Job.filter(status=JobStatus.FAILED).order_by("-failed_at").limit(limit)

    async def failures(self) -> list[tuple[str, str, int]]:
        """Failed jobs counted by kind and reason: what /healthz shows operators."""
        rows = (
            await Job.filter(status=JobStatus.FAILED)
            .annotate(count=Count("id"))
            .group_by("kind", "error_code")
            .values("kind", "error_code", "count")
        )
        return sorted((str(r["kind"]), str(r["error_code"] or "?"), int(r["count"])) for r in rows)

    async def requeue_failed(self, codes: Iterable[str] | None = None) -> int:
        """Give failed jobs another go (after an operator fixed what made them fail), those that failed
        with one of `codes` if given."""
        query = Job.filter(status=JobStatus.FAILED)
        if codes is not None:
            query = query.filter(error_code__in=list(codes))
        now = self.clock.now()
        count = await query.update(status=JobStatus.PENDING, due_at=now, failed_at=None, attempts=0)
        if count:
            log.info("re-queued %d failed job(s)", count)
            self._wake(now)
        return count

    async def gauges(self) -> tuple[int, float, int]:
        """Pending jobs, how long the oldest due one has waited, failed jobs: index-only, for /metrics."""
        now = self.clock.now()
        pending = await Job.filter(_pending()).count()
        oldest = await Job.filter(_pending(), due_at__lte=now).order_by("due_at").only("id", "due_at").first()
        failed = await Job.filter(status=JobStatus.FAILED).count()
        waited = (now - oldest.due_at).total_seconds() if oldest else 0.0
        return pending, waited, failed

    async def forget_failed(self, before: datetime) -> int:
        return await Job.filter(status=JobStatus.FAILED, failed_at__lt=before).delete()
