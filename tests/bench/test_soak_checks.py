"""The soak's verdict (bench/soak_checks.py): its drain must not end while a post still waits to be sent, and
its page checks must read each page from its own part of a DM that may list several."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from bot import db
from bot.ids import Action
from models import Job, Page
from tests.conftest import ROOT, RunningBot
from tests.e2e.journey import advance, click_page, pages_to, raise_ticket

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


TUESDAY_10AM_CENTRAL = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
FIRST_RESPONSE = timedelta(minutes=30)  # Acme's Enterprise P1: the lead is paged when it runs out
LATE_CHECK = "late pages marked late, and only those"


async def _late_and_on_time_in_one_dm(running: RunningBot) -> tuple[Page, Page]:
    """Two P1s raised 5 s apart whose lead steps run together 62 s after the first was due (a replica
    holding them was killed, say): the first page is late, the second (57 s) is not, and both go to the
    lead in one DM."""
    running.clock.set(TUESDAY_10AM_CENTRAL)
    first = await raise_ticket(running, priority="P1", title="Checkout down")
    running.clock.advance(timedelta(seconds=5))
    await raise_ticket(running, priority="P1", title="Invoices missing")
    behind = first.created_at + FIRST_RESPONSE + timedelta(seconds=62) - running.clock.now()
    await advance(running, behind, step=behind)
    await advance(running, timedelta(seconds=2), step=timedelta(seconds=1))  # the gathered pages' send
    assert len(pages_to(running, "U0LEAD")) == 1
    late, on_time = await Page.filter(recipient="U0LEAD").order_by("ticket_id")
    assert late.late and not on_time.late and late.message_ts == on_time.message_ts is not None
    return late, on_time


async def _late_check(running: RunningBot) -> tuple[bool, str]:
    findings = soak_checks.Findings()
    wall = running.clock.now().timestamp() - running.clock.monotonic()  # the stand-in's clock → epoch
    await soak_checks._pages(findings, SimpleNamespace(standin=running.standin, windows=[]), wall)  # type: ignore[arg-type]
    (verdict,) = [(ok, detail) for name, ok, detail in findings.checks if name == LATE_CHECK]
    return verdict


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_page_sharing_a_dm_with_a_late_one_is_not_taken_for_a_late_one(running: RunningBot) -> None:
    """The soak's "wrongly marked [40]": the check read the whole DM for each page it lists."""
    await _late_and_on_time_in_one_dm(running)
    assert await _late_check(running) == (True, "1 late; wrongly marked []")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_late_mark_in_another_pages_part_or_lost_in_a_redraw_fails_the_check(
    running: RunningBot,
) -> None:
    late, on_time = await _late_and_on_time_in_one_dm(running)
    await click_page(running, "U0LEAD", Action.ACKNOWLEDGE, on_time.id)
    await click_page(running, "U0LEAD", Action.ACKNOWLEDGE, late.id)
    assert await _late_check(running) == (True, "1 late; wrongly marked []")  # the redraws keep each mark
    (post,) = pages_to(running, "U0LEAD")
    redraws = [c for c in running.standin.calls_to("chat.update") if c.args["ts"] == post.response["ts"]]
    assert len(redraws) == 2
    # The last redraw loses the late page's mark: the check must see it, though the post had it.
    drawn = json.dumps(redraws[-1].args["blocks"])
    redraws[-1].args["blocks"] = json.loads(drawn.replace("This page is late", "This page"))
    assert await _late_check(running) == (False, f"1 late; wrongly marked [{late.id}]")
    redraws[-1].args["blocks"] = json.loads(drawn)
    # The on-time page's own part says it is late: that page is wrongly marked, not the late one.
    blocks = post.args["blocks"]
    on_time_part = max(i for i, block in enumerate(blocks) if block["type"] == "section")
    blocks[on_time_part]["text"]["text"] += (
        "\n_This page is late: Secondline was not running when it was due._"
    )
    assert await _late_check(running) == (False, f"1 late; wrongly marked [{on_time.id}]")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_page_whose_dm_reached_slack_over_a_minute_late_must_be_marked_late(
    running: RunningBot,
) -> None:
    """Its step ran on time; Slack answered 500 to the DM for two minutes."""
    slack_down = [True]
    running.standin.fail_for(
        "chat.postMessage", lambda a: a.get("channel") == "U0LEAD" and slack_down[0], status=500
    )
    running.clock.set(TUESDAY_10AM_CENTRAL)
    ticket = await raise_ticket(running, priority="P1", title="Checkout down")
    await advance(running, ticket.created_at + FIRST_RESPONSE - running.clock.now())
    await advance(running, timedelta(minutes=2), step=timedelta(seconds=10))
    slack_down[0] = False
    await advance(running, timedelta(minutes=2), step=timedelta(seconds=10))
    (page,) = await Page.filter(recipient="U0LEAD", sent_at__isnull=False)
    assert page.created_at == page.due_at
    assert await _late_check(running) == (True, "1 late; wrongly marked []")
    # Unmarked, and saying nothing of it: consistent, but over a minute late all the same.
    await Page.filter(id=page.id).update(late=False)
    (post,) = pages_to(running, "U0LEAD")
    post.args["blocks"] = json.loads(json.dumps(post.args["blocks"]).replace("This page is late", "Page"))
    assert await _late_check(running) == (False, f"0 late; wrongly marked [{page.id}]")
