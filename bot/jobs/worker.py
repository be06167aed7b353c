"""Runs due jobs: sleeps until the next due time, or until woken by a sooner job."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.clock import Clock
from bot.jobs.kinds import KINDS, URGENT_KINDS, JobPayload, LadderStepDue, PayloadError, decode
from bot.jobs.outcomes import IN_JOB, Deferred, Permanent, RetryLater
from bot.jobs.queue import LEASE, JobQueue
from models import Job

log = logging.getLogger(__name__)

P = TypeVar("P", bound=JobPayload)
Handler = Callable[[Any, Job], Awaitable[None]]
# Told when a job of its kind failed for good (code, reason): tell the people it concerned.
FailureHook = Callable[[Any, Job, str, str], Awaitable[None]]

IDLE_POLL_SECONDS = 5.0  # picks up work of other replicas and leases that ran out (about 2 ms per look)
URGENT_POLL_SECONDS = 0.2  # while a batch runs, how often to look for urgent work fallen due meanwhile
LANES = 4  # jobs of different tickets (or people) run side by side; a slow Slack call holds up one lane
# One attempt may take this long; shorter than the lease, so no other replica takes a job still running.
ATTEMPT_TIMEOUT = LEASE.total_seconds() / 3
GIVE_UP_AFTER = timedelta(hours=24)  # passing failures are retried this long, then the job fails
MAX_BUG_ATTEMPTS = 5  # an unexpected exception (a bug) is retried this often, then the job fails


def _lane(job: Job) -> str:
    if job.ticket_id is not None:
        return f"ticket:{job.ticket_id}"
    return job.topic or f"job:{job.id}"


class HandlerTable:
    """The one table from job kind to handler; `check()` refuses a kind without one."""

    def __init__(self) -> None:
        self._handlers: dict[type[JobPayload], Handler] = {}
        self._failed: dict[type[JobPayload], FailureHook] = {}

    def on(
        self,
        kind: type[P],
        handler: Callable[[P, Job], Awaitable[None]],
        *,
        failed: Callable[[P, Job, str, str], Awaitable[None]] | None = None,
    ) -> HandlerTable:
        if kind in self._handlers:
            raise ValueError(f"{kind.kind} has two handlers")
        self._handlers[kind] = handler
        if failed is not None:
            self._failed[kind] = failed
        return self

    def failure_hook(self, kind: type[JobPayload]) -> FailureHook | None:
        return self._failed.get(kind)

    def check(self) -> HandlerTable:
        missing = [kind.kind for kind in KINDS if kind not in self._handlers]
        if missing:
            raise RuntimeError(f"no handler for job kinds: {', '.join(missing)}")
        return self

    def get(self, kind: type[JobPayload]) -> Handler | None:
        return self._handlers.get(kind)

    def wrap(self, kind: type[JobPayload], wrapper: Callable[[Handler], Handler]) -> None:
        """Put a wrapper around a kind's handler (benchmarks count what it does)."""
        self._handlers[kind] = wrapper(self._handlers[kind])


class Worker:
    def __init__(self, queue: JobQueue, clock: Clock, handlers: HandlerTable) -> None:
        self.queue = queue
        self.clock = clock
        self.handlers = handlers
        self._wake = asyncio.Event()
        self._stopping = False
        queue.on_enqueue = self.wake_for
        self._next_due: datetime | None = None
        self._steps_running = 0  # ladder steps running now (pages wait for them: see _run_lanes)

    def wake_for(self, due: datetime) -> None:
        """A job became due at `due`: wake now if that is sooner than what the worker sleeps towards."""
        if self._next_due is None or due < self._next_due:
            self._wake.set()

    async def run_due(self) -> int:
        """Run every job due now; returns how many ran. Tests call this directly with a fake clock.

        Jobs of one ticket (or one topic) run in order, one after the other, so its notes keep their order;
        different tickets run side by side in up to LANES lanes.
        """
        ran = 0
        gate = asyncio.Semaphore(LANES)

        async def run_lane(jobs: list[Job]) -> None:
            async with gate:
                for job in jobs:
                    await self._run(job)

        while True:
            batch = await self.queue.due()
            if not batch:
                return ran
            lanes: dict[str, list[Job]] = {}
            topics: set[str] = set()
            for job in batch:
                if job.topic and job.topic in topics:
                    continue  # left free for the first of its topic to take along (one message, not several)
                if await self.queue.lease(job):
                    lanes.setdefault(_lane(job), []).append(job)
                    if job.topic:
                        topics.add(job.topic)
            ran += sum(len(jobs) for jobs in lanes.values())
            ran += await self._run_lanes([run_lane(jobs) for jobs in lanes.values()])

    async def _run_lanes(self, lanes: list[Coroutine[Any, Any, None]]) -> int:
        """Run a batch's lanes to their end. Meanwhile, urgent work that falls due (a ladder step, a page)
        starts at once rather than after the batch's slowest lane (a note waiting its turn for the
        channel, say); returns how many such jobs ran. A page waits for the ladder steps running beside
        it, since their pages to the same person may join its DM."""
        pending: set[asyncio.Future[Any]] = {asyncio.ensure_future(lane) for lane in lanes}
        started = 0
        failure: BaseException | None = None
        try:
            while pending:
                self._wake.clear()
                woken: asyncio.Future[Any] = asyncio.ensure_future(self._wake.wait())
                done, pending = await asyncio.wait(
                    {*pending, woken}, timeout=URGENT_POLL_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                woken.cancel()
                pending.discard(woken)
                for task in done - {woken}:
                    if failure is None and not task.cancelled():
                        failure = task.exception()  # the queue itself failed: raised once all are done
                if not pending:
                    break
                try:
                    started += await self._start_urgent(pending)
                except Exception:  # a database hiccup: the batch's lanes go on; look again next time
                    log.exception("looking for urgent jobs failed")
        except asyncio.CancelledError:
            for task in pending:
                task.cancel()
            raise
        if failure is not None:
            raise failure
        return started

    async def _start_urgent(self, running: set[asyncio.Future[Any]]) -> int:
        """Start the urgent jobs due now (adding them to `running`); how many were started."""
        started = 0
        topics: set[str] = set()
        for job in await self.queue.due():
            if job.kind not in URGENT_KINDS or (job.topic and job.topic in topics):
                continue
            if job.kind != LadderStepDue.kind and self._steps_running:
                continue  # after the steps running now, which may add pages to its DM
            if await self.queue.lease(job):
                running.add(asyncio.ensure_future(self._run(job)))
                started += 1
                if job.topic:
                    topics.add(job.topic)
        return started

    async def _run(self, job: Job) -> None:
        step = job.kind == LadderStepDue.kind
        self._steps_running += step
        try:
            await self._attempt(job)
        finally:
            self._steps_running -= step

    async def _attempt(self, job: Job) -> None:
        try:
            payload = decode(job)
        except PayloadError as exc:
            await self.queue.fail(job, "bad_payload", str(exc))
            return
        handler = self.handlers.get(type(payload))
        if handler is None:
            await self.queue.fail(job, "no_handler", f"no handler for {job.kind}")
            return
        token = IN_JOB.set(True)
        try:
            await asyncio.wait_for(handler(payload, job), ATTEMPT_TIMEOUT)
        except Deferred as exc:
            await self.queue.defer(job, str(exc), exc.after)
        except Permanent as exc:
            await self._fail(payload, job, exc.code, str(exc))
        except (RetryLater, TimeoutError) as exc:
            reason = str(exc) if isinstance(exc, RetryLater) else f"attempt took over {ATTEMPT_TIMEOUT:.0f} s"
            if self.clock.now() - job.created_at > GIVE_UP_AFTER:
                await self._fail(payload, job, "gave_up", f"still failing after {GIVE_UP_AFTER}: {reason}")
                return
            asked = exc.after if isinstance(exc, RetryLater) else None
            due = await self.queue.retry(job, reason, asked)
            log.warning("job %s (%s) will be retried at %s: %s", job.id, job.kind, due.isoformat(), reason)
        except Exception as exc:  # a bug must not stop the worker: keep the job a few more times
            log.exception("job %s (%s) failed", job.id, job.kind)
            reason = f"{type(exc).__name__}: {exc}"
            if job.attempts >= MAX_BUG_ATTEMPTS:
                await self._fail(payload, job, "error", reason)
            else:
                await self.queue.retry(job, reason)
        else:
            await self.queue.finish(job)
        finally:
            IN_JOB.reset(token)

    async def _fail(self, payload: JobPayload, job: Job, code: str, reason: str) -> None:
        await self.queue.fail(job, code, reason)
        hook = self.handlers.failure_hook(type(payload))
        if hook is None:
            return
        try:
            await hook(payload, job, code, reason)
        except Exception:  # telling people is best effort; the failure itself is recorded
            log.exception("could not tell anyone that job %s failed", job.id)

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
            self._next_due = self.clock.now() + timedelta(seconds=timeout)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            except TimeoutError:
                pass
            self._next_due = None

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
