"""The job lifecycle: done, deferred, retried with backoff, or failed for good; never retried forever."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from prometheus_client import REGISTRY

from bot.clock import FakeClock
from bot.jobs import worker as worker_module
from bot.jobs.kinds import KINDS, DeliverPage, Housekeeping, JobPayload, ThreadNote
from bot.jobs.outcomes import Deferred, RetryLater
from bot.jobs.queue import JobQueue, backoff
from bot.jobs.worker import HandlerTable, Worker
from bot.slack.api import SlackApi
from bot.slack.budgets import Budgets
from bot.standin import SlackStandIn
from models import Job, JobStatus


def failed_count(kind: str, reason: str) -> float:
    return REGISTRY.get_sample_value("secondline_jobs_failed_total", {"kind": kind, "reason": reason}) or 0.0


@pytest.fixture
async def api(standin: SlackStandIn, clock: FakeClock) -> AsyncIterator[SlackApi]:
    client = standin.web_client()
    client.session = aiohttp.ClientSession()
    try:
        yield SlackApi(client, clock, Budgets(None, clock))
    finally:
        await client.session.close()


def note_worker(queue: JobQueue, clock: FakeClock, api: SlackApi) -> Worker:
    async def post(note: ThreadNote, job: Job) -> None:
        await api.call("chat.postMessage", channel="C0SUPPORT", text=note.text)

    return Worker(queue, clock, HandlerTable().on(ThreadNote, post))


async def test_a_permanent_slack_error_ends_the_job_after_one_attempt(
    queue: JobQueue, clock: FakeClock, api: SlackApi, standin: SlackStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    standin.fail("chat.postMessage", status=200, error="is_archived", times=None)
    worker = note_worker(queue, clock, api)
    before = failed_count("thread_note", "is_archived")
    await queue.enqueue(ThreadNote(ticket_id=42, text="hello"))
    with caplog.at_level(logging.ERROR):
        assert await worker.run_due() == 1
        for _ in range(5):  # time passes: nothing is tried again
            clock.advance(timedelta(minutes=20))
            assert await worker.run_due() == 0
    assert len(standin.calls_to("chat.postMessage")) == 1
    (job,) = await Job.all()
    assert job.status == JobStatus.FAILED and "is_archived" in (job.last_error or "")
    assert failed_count("thread_note", "is_archived") == before + 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "SUP-42" in errors[0].getMessage()


async def test_a_429_then_a_500_then_success_delivers_once(
    queue: JobQueue, clock: FakeClock, api: SlackApi, standin: SlackStandIn
) -> None:
    standin.fail("chat.postMessage", status=429, retry_after=30)
    standin.fail("chat.postMessage", status=500)
    worker = note_worker(queue, clock, api)
    await queue.enqueue(ThreadNote(ticket_id=1, text="hello"))
    assert await worker.run_due() == 1  # 429, Retry-After 30
    clock.advance(timedelta(seconds=29))
    assert await worker.run_due() == 0  # Slack asked for 30 s
    clock.advance(timedelta(seconds=1))
    assert await worker.run_due() == 1  # 500: backoff after the second attempt
    clock.advance(backoff(2) - timedelta(seconds=1))
    assert await worker.run_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await worker.run_due() == 1
    delivered = [c for c in standin.calls_to("chat.postMessage") if not c.failed]
    assert len(standin.calls_to("chat.postMessage")) == 3 and len(delivered) == 1
    assert await Job.all().count() == 0


async def test_an_attempt_that_hangs_is_cut_at_its_timeout_and_retried(
    queue: JobQueue, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker_module, "ATTEMPT_TIMEOUT", 0.05)
    attempts: list[int] = []

    async def hangs_once(_: Housekeeping, job: Job) -> None:
        attempts.append(job.attempts)
        if len(attempts) == 1:
            await asyncio.sleep(60)

    worker = Worker(queue, clock, HandlerTable().on(Housekeeping, hangs_once))
    await queue.enqueue(Housekeeping())
    assert await worker.run_due() == 1
    (job,) = await Job.all()
    assert job.status == JobStatus.PENDING and "took over" in (job.last_error or "")
    clock.advance(backoff(1))
    assert await worker.run_due() == 1
    assert attempts == [1, 2] and await Job.all().count() == 0


async def test_passing_failures_are_given_up_after_a_day(queue: JobQueue, clock: FakeClock) -> None:
    async def always_busy(_: Housekeeping, job: Job) -> None:
        raise RetryLater("Slack is down")

    worker = Worker(queue, clock, HandlerTable().on(Housekeeping, always_busy))
    await queue.enqueue(Housekeeping())
    tries = 0
    while (await Job.get()).status == JobStatus.PENDING:
        tries += await worker.run_due()
        clock.advance(timedelta(minutes=15))
        assert tries < 200
    job = await Job.get()
    assert "still failing after 1 day" in (job.last_error or "") and 90 < tries < 110  # every 15 min for 24 h


async def test_a_bug_is_retried_a_few_times_then_the_job_fails(queue: JobQueue, clock: FakeClock) -> None:
    calls: list[int] = []

    async def buggy(_: Housekeeping, job: Job) -> None:
        calls.append(job.attempts)
        raise RuntimeError("a bug")

    worker = Worker(queue, clock, HandlerTable().on(Housekeeping, buggy))
    await queue.enqueue(Housekeeping())
    for _ in range(10):
        await worker.run_due()
        clock.advance(timedelta(minutes=20))
    job = await Job.get()
    assert calls == [1, 2, 3, 4, 5] and job.status == JobStatus.FAILED
    assert "RuntimeError: a bug" in (job.last_error or "")


async def test_a_job_of_an_unknown_kind_fails_with_the_reason(queue: JobQueue, clock: FakeClock) -> None:
    worker = Worker(queue, clock, HandlerTable())
    await Job.create(kind="mystery", due_at=clock.now(), created_at=clock.now())
    await worker.run_due()
    job = await Job.get()
    assert job.status == JobStatus.FAILED and "unknown kind 'mystery'" in (job.last_error or "")


async def test_a_deferred_job_waits_its_turn_without_counting_as_a_failure(
    queue: JobQueue, clock: FakeClock
) -> None:
    turns: list[int] = []

    async def paced(_: Housekeeping, job: Job) -> None:
        turns.append(job.attempts)
        if len(turns) <= 5:
            raise Deferred("chat.update budget reached", after=1.5)

    worker = Worker(queue, clock, HandlerTable().on(Housekeeping, paced))
    await queue.enqueue(Housekeeping())
    for _ in range(6):
        await worker.run_due()
        clock.advance(timedelta(seconds=1.5))  # exactly the wait the pacer asked for: no backoff on top
    assert turns == [1, 1, 1, 1, 1, 1] and await Job.all().count() == 0


def test_every_kind_needs_a_handler() -> None:
    with pytest.raises(RuntimeError, match=r"no handler for job kinds: .*post_ticket"):
        HandlerTable().on(Housekeeping, lambda _p, _j: asyncio.sleep(0)).check()


def test_every_kind_is_declared_once_with_its_own_name() -> None:
    def concrete(cls: type[JobPayload]) -> set[type[JobPayload]]:
        found = {cls} if "kind" in vars(cls) else set()
        for sub in cls.__subclasses__():
            found |= concrete(sub)
        return found

    assert concrete(JobPayload) == set(KINDS)
    names = [kind.kind for kind in KINDS]
    assert len(names) == len(set(names))


async def test_a_page_falling_due_while_a_slow_lane_runs_goes_out_at_once(
    queue: JobQueue, clock: FakeClock
) -> None:
    """A note waiting its turn for the channel must not hold up a page that fell due meanwhile."""
    note_may_finish = asyncio.Event()
    done: list[str] = []

    async def slow_note(_: ThreadNote, job: Job) -> None:
        await note_may_finish.wait()
        done.append("note")

    async def page(_: DeliverPage, job: Job) -> None:
        done.append("page")

    table = HandlerTable().on(ThreadNote, slow_note).on(DeliverPage, page)
    worker = Worker(queue, clock, table)
    await queue.enqueue(ThreadNote(ticket_id=1, text="Escalated to <@U0LEAD>"))
    running = asyncio.create_task(worker.run_due())
    await asyncio.sleep(0.05)  # the note's lane is running, and waits
    await queue.enqueue(DeliverPage(ticket_id=2, page=7, to="U0LEAD"))
    for _ in range(100):
        if done:
            break
        await asyncio.sleep(0.01)
    assert done == ["page"]  # while the note still waits
    note_may_finish.set()
    assert await running == 2 and done == ["page", "note"]
