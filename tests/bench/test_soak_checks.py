"""The soak's drain (bench/soak_checks.py): its checks must not run while a post still waits to be sent."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import pytest

from bot import db
from models import Job
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import soak_checks


async def _pending_post(due_in: timedelta, last_error: str | None) -> Job:
    now = datetime.now(UTC)
    return await Job.create(
        kind="post_ticket", due_at=now + due_in, payload={}, created_at=now, attempts=1, last_error=last_error
    )


async def test_the_drain_waits_for_a_post_in_its_retry_backoff(database_url: str) -> None:
    """A ticket's post answered 429 is due again a few seconds later: the checks must see it posted."""
    await db.start_database(database_url)
    try:
        post = await _pending_post(timedelta(seconds=8), "ratelimited (Retry-After 8 s)")

        async def a_replica_posts_it() -> None:
            await asyncio.sleep(1)
            await Job.filter(id=post.id).delete()  # what the worker does once the post went out

        posting = asyncio.create_task(a_replica_posts_it())
        findings = soak_checks.Findings()
        await soak_checks.drain(findings)
        assert posting.done(), "the drain ended while the post still waited on its retry"
        assert findings.ok
    finally:
        await db.stop_database()


async def test_a_retried_job_still_pending_at_the_drain_limit_fails_the_soak(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(soak_checks, "DRAIN_LIMIT", 0.0)
    await db.start_database(database_url)
    try:
        await _pending_post(timedelta(minutes=10), "ratelimited")
        await _pending_post(
            timedelta(minutes=10), None
        )  # a timer of the future (an SLA step): not waited for
        findings = soak_checks.Findings()
        await soak_checks.drain(findings)
        assert [(name, ok, detail) for name, ok, detail in findings.checks] == [
            (
                "every due or retried job ran before the checks",
                False,
                "still pending after 0 s: {'post_ticket': 1}",
            )
        ]
    finally:
        await db.stop_database()
