"""Housekeeping forgets old Slack event ids and long-failed jobs, then schedules its next round."""

from __future__ import annotations

from datetime import timedelta

from bot.jobs.kinds import Housekeeping, RedrawTicket
from bot.services.housekeeping import EVERY, KEEP_FAILED_JOBS
from models import Job, JobStatus, ProcessedEvent
from tests.bot.services.conftest import TUESDAY_10AM, Env


async def failed_job(env: Env, ticket_id: int, age: timedelta) -> Job:
    await env.jobs.enqueue(RedrawTicket(ticket_id=ticket_id))
    job = await Job.get(ticket_id=ticket_id)
    await env.jobs.lease(job)
    await env.jobs.fail(job, "channel_not_found", "gone")
    await Job.filter(id=job.id).update(failed_at=env.clock.now() - age)
    return job


async def test_a_round_forgets_what_is_old_keeps_the_rest_and_comes_back(env: Env) -> None:
    await ProcessedEvent.create(event_id="Ev_OLD", at=TUESDAY_10AM - timedelta(days=2, seconds=1))
    await ProcessedEvent.create(event_id="Ev_RECENT", at=TUESDAY_10AM - timedelta(days=1))
    old = await failed_job(env, 1, KEEP_FAILED_JOBS + timedelta(hours=1))
    recent = await failed_job(env, 2, KEEP_FAILED_JOBS - timedelta(hours=1))
    await env.jobs.enqueue(RedrawTicket(ticket_id=3), due_at=TUESDAY_10AM + timedelta(days=90))  # pending
    await env.housekeeping.schedule()
    await env.run_due()
    assert [e.event_id for e in await ProcessedEvent.all()] == ["Ev_RECENT"]
    failed = await Job.filter(status=JobStatus.FAILED)
    assert [j.id for j in failed] == [recent.id] and old.id != recent.id
    assert await Job.filter(ticket_id=3, status=JobStatus.PENDING).count() == 1
    assert await env.pending_with_due(Housekeeping) == [(TUESDAY_10AM + EVERY, Housekeeping())]
    # And again, six hours later: still exactly one round pending.
    env.clock.advance(EVERY)
    await env.run_due()
    assert await env.pending_with_due(Housekeeping) == [(TUESDAY_10AM + 2 * EVERY, Housekeeping())]


async def test_one_round_is_pending_however_often_it_is_scheduled(env: Env) -> None:
    await env.housekeeping.schedule(TUESDAY_10AM + timedelta(hours=1))
    await env.housekeeping.schedule(TUESDAY_10AM + timedelta(minutes=10))  # a second replica, sooner
    await env.housekeeping.schedule(TUESDAY_10AM + timedelta(hours=2))
    assert await env.pending_with_due(Housekeeping) == [
        (TUESDAY_10AM + timedelta(minutes=10), Housekeeping())
    ]
