"""The durable job queue on each database: leases are exclusive, duplicates coalesce, failed jobs stay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import FakeClock
from bot.jobs.kinds import DeliverPage, Housekeeping, LadderStepDue, RedrawTicket, ThreadNote
from bot.jobs.queue import JobQueue, backoff
from models import Job, JobStatus


async def test_twenty_workers_racing_for_one_job_lease_it_once(queue: JobQueue) -> None:
    await queue.enqueue(Housekeeping())
    (job,) = await queue.due()
    copies = [await Job.get(id=job.id) for _ in range(20)]
    results = await asyncio.gather(*(queue.lease(copy) for copy in copies))
    assert results.count(True) == 1


async def test_a_crashed_workers_lease_runs_out(queue: JobQueue, clock: FakeClock) -> None:
    await queue.enqueue(Housekeeping())
    (job,) = await queue.due()
    assert await queue.lease(job)
    assert await queue.due() == []  # leased: nobody else sees it
    clock.advance(timedelta(seconds=61))
    (again,) = await queue.due()
    assert again.id == job.id and await queue.lease(again)


async def test_dedupe_keeps_one_pending_job_due_at_the_earliest(queue: JobQueue, clock: FakeClock) -> None:
    later = clock.now() + timedelta(minutes=5)
    assert await queue.enqueue(RedrawTicket(ticket_id=1), due_at=later) is not None
    async with queue.transaction():  # inside a transaction too (a savepoint keeps it usable)
        assert await queue.enqueue(RedrawTicket(ticket_id=1)) is None
        await queue.enqueue(ThreadNote(ticket_id=1, text="hello"))
    jobs = await Job.filter(kind=RedrawTicket.kind)
    assert len(jobs) == 1 and jobs[0].due_at == clock.now()
    assert await Job.filter(kind=ThreadNote.kind).count() == 1


async def test_a_payload_round_trips_through_its_row(queue: JobQueue) -> None:
    await queue.enqueue(ThreadNote(ticket_id=7, text="<@U0ENG1> added details:", quote="5 < 6"))
    (job,) = await queue.due()
    assert job.ticket_id == 7 and job.kind == "thread_note"
    assert ThreadNote.from_job(job) == ThreadNote(ticket_id=7, text="<@U0ENG1> added details:", quote="5 < 6")


async def test_a_failed_job_is_kept_out_of_the_way_until_requeued(queue: JobQueue, clock: FakeClock) -> None:
    await queue.enqueue(RedrawTicket(ticket_id=3))
    (job,) = await queue.due()
    assert await queue.lease(job)
    await queue.fail(job, "is_archived", "chat.update: Slack says is_archived")
    clock.advance(timedelta(hours=1))
    assert await queue.due() == [] and await queue.next_due_at() is None
    (failed,) = await queue.failed()
    assert failed.status == JobStatus.FAILED and failed.last_error == "chat.update: Slack says is_archived"
    assert await queue.requeue_failed() == 1
    (again,) = await queue.due()
    assert again.id == job.id and again.attempts == 0


async def test_old_failed_jobs_are_forgotten(queue: JobQueue, clock: FakeClock) -> None:
    await queue.enqueue(RedrawTicket(ticket_id=3))
    (job,) = await queue.due()
    await queue.fail(job, "is_archived", "gone")
    assert await queue.forget_failed(clock.now() - timedelta(days=1)) == 0
    assert await queue.forget_failed(clock.now() + timedelta(seconds=1)) == 1
    assert await Job.all().count() == 0


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1) == timedelta(seconds=2) and backoff(3) == timedelta(seconds=8)
    assert backoff(30) == timedelta(minutes=15) and backoff(1, asked=60) == timedelta(seconds=60)


async def test_pages_and_ladder_steps_go_before_a_backlog_of_other_work(
    queue: JobQueue, clock: FakeClock
) -> None:
    """A busy channel's notes waiting their turn must not hold up a page due later than them."""
    for n in range(25):
        await queue.enqueue(ThreadNote(ticket_id=n, text="note"), due_at=clock.now() - timedelta(minutes=1))
    await queue.enqueue(DeliverPage(ticket_id=7, page=3))
    await queue.enqueue(LadderStepDue(ticket_id=8, epoch=0, index=0, priority="P1"))
    batch = await queue.due()
    assert [job.kind for job in batch[:2]] == [DeliverPage.kind, LadderStepDue.kind]
    assert len(batch) == 20 and {job.kind for job in batch[2:]} == {ThreadNote.kind}  # then the oldest


async def test_a_new_rows_jobs_are_written_together_in_due_order_or_not_at_all(
    queue: JobQueue, clock: FakeClock
) -> None:
    soon, later = clock.now() + timedelta(seconds=30), clock.now() + timedelta(minutes=5)
    async with queue.transaction(), queue.fresh():
        await queue.enqueue(LadderStepDue(ticket_id=9, epoch=0, index=0, priority="P1"), due_at=later)
        await queue.enqueue(ThreadNote(ticket_id=9, text="raised"), due_at=soon)
        assert await Job.all().count() == 0  # held until the block ends: one INSERT
    clock.advance(timedelta(minutes=5))
    assert [job.kind for job in await queue.due()] == [LadderStepDue.kind, ThreadNote.kind]  # urgent first
    (ladder,) = await Job.filter(kind=LadderStepDue.kind)
    assert ladder.dedupe_key == "ladder:9:0:0" and ladder.due_at == later

    try:
        async with queue.transaction(), queue.fresh():
            await queue.enqueue(ThreadNote(ticket_id=10, text="never"))
            raise RuntimeError("the ticket could not be saved")
    except RuntimeError:
        pass
    assert await Job.filter(ticket_id=10).count() == 0
