"""The durable job queue on each database: leases are exclusive, retries back off, duplicates coalesce."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot import db
from bot.clock import FakeClock
from bot.jobs import Deferred, JobQueue, RetryLater, backoff
from bot.worker import Worker
from models import Job


@pytest.fixture
async def queue(database_url: str, clock: FakeClock) -> AsyncIterator[JobQueue]:
    await db.start_database(database_url)
    try:
        yield JobQueue(clock)
    finally:
        await db.stop_database()


async def test_twenty_workers_racing_for_one_job_lease_it_once(queue: JobQueue) -> None:
    await queue.enqueue("x")
    (job,) = await queue.due()
    copies = [await Job.get(id=job.id) for _ in range(20)]
    results = await asyncio.gather(*(queue.lease(copy) for copy in copies))
    assert results.count(True) == 1


async def test_a_crashed_workers_lease_runs_out(queue: JobQueue, clock: FakeClock) -> None:
    await queue.enqueue("x")
    (job,) = await queue.due()
    assert await queue.lease(job)
    assert await queue.due() == []  # leased: nobody else sees it
    clock.advance(timedelta(seconds=61))
    (again,) = await queue.due()
    assert again.id == job.id and await queue.lease(again)


async def test_dedupe_keeps_one_pending_job_due_at_the_earliest(queue: JobQueue, clock: FakeClock) -> None:
    later = clock.now() + timedelta(minutes=5)
    assert await queue.enqueue("redraw", dedupe_key="redraw:1", due_at=later) is not None
    async with queue.transaction():  # inside a transaction too (a savepoint keeps it usable)
        assert await queue.enqueue("redraw", dedupe_key="redraw:1") is None
        await queue.enqueue("other")
    jobs = await Job.filter(kind="redraw")
    assert len(jobs) == 1 and jobs[0].due_at == clock.now()
    assert await Job.filter(kind="other").count() == 1


async def test_worker_retries_with_backoff_and_honours_retry_after(queue: JobQueue, clock: FakeClock) -> None:
    calls: list[int] = []

    async def flaky(job: Job) -> None:
        calls.append(job.attempts)
        if len(calls) == 1:
            raise RetryLater("slack said 429", after=30)
        if len(calls) == 2:
            raise RuntimeError("a bug")

    worker = Worker(queue, clock, {"flaky": flaky})
    await queue.enqueue("flaky")
    assert await worker.run_due() == 1
    clock.advance(timedelta(seconds=29))
    assert await worker.run_due() == 0  # Slack asked for 30 s
    clock.advance(timedelta(seconds=1))
    assert await worker.run_due() == 1
    job = await Job.get(kind="flaky")
    assert "RuntimeError: a bug" in (job.last_error or "")  # kept, not lost
    clock.advance(backoff(2))
    assert await worker.run_due() == 1
    assert calls == [1, 2, 3] and await Job.filter(kind="flaky").count() == 0


async def test_unknown_job_kind_is_dropped_with_a_log(queue: JobQueue, clock: FakeClock, caplog) -> None:
    worker = Worker(queue, clock, {})
    await queue.enqueue("mystery")
    await worker.run_due()
    assert "unknown kind 'mystery'" in caplog.text and await Job.all().count() == 0


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1) == timedelta(seconds=2) and backoff(3) == timedelta(seconds=8)
    assert backoff(30) == timedelta(minutes=15) and backoff(1, asked=60) == timedelta(seconds=60)


async def test_a_deferred_job_waits_its_turn_without_counting_as_a_failure(
    queue: JobQueue, clock: FakeClock
) -> None:
    turns: list[int] = []

    async def paced(job: Job) -> None:
        turns.append(job.attempts)
        if len(turns) <= 5:
            raise Deferred("chat.update budget reached", after=1.5)

    worker = Worker(queue, clock, {"paced": paced})
    await queue.enqueue("paced")
    for _ in range(6):
        await worker.run_due()
        clock.advance(timedelta(seconds=1.5))  # exactly the wait the pacer asked for: no backoff on top
    assert turns == [1, 1, 1, 1, 1, 1] and await Job.filter(kind="paced").count() == 0
