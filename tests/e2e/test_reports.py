"""How support is doing, through the real endpoint: /support report with its chart and CSV, the scheduled
digest (once per run with two workers, late after downtime), /support simulate, and /metrics."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from bot.app import build
from bot.clock import FakeClock
from bot.ids import Action
from bot.policy import Policy, parse_config
from bot.standin import SlackStandIn
from models import Job
from tests.conftest import EXAMPLE_POLICY, RunningBot, make_settings, start_bot
from tests.e2e.journey import advance, click, command, raise_ticket

PNG = b"\x89PNG\r\n\x1a\n"
MONDAY_8AM_CHICAGO = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
DIGEST_POLICY = EXAMPLE_POLICY.read_text() + (
    '\ndigests:\n  - {cron: "0 8 * * MON", timezone: America/Chicago, period: week, to: [C0SUPPORT, U0MGR]}\n'
)


def shared_files(running: RunningBot, channel: str) -> list:
    return [f for f in running.standin.files.values() if channel in f.channels]


async def test_report_in_slack_brings_the_figures_a_chart_and_the_csv(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY2", priority="P1")  # Globex, Standard: 2h to respond
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 1h")
    await raise_ticket(running, user="U0KEY1", priority="P2", title="Acme one")  # 30m, left unclaimed
    await advance(running, timedelta(hours=1), step=timedelta(minutes=10))
    answer = await command(running, "U0LEAD", "report month")
    assert "are in your DM" in answer
    message = running.standin.posts_to("U0LEAD")[-1].args["text"]
    assert "Support report, November 2026 so far" in message
    assert "*Globex*: 1 ticket, first response 100.0 % met (1/1)" in message
    assert "*Acme Corp*: 1 ticket, first response 0.0 % met (0/1)" in message and "1 page" in message
    assert "1h recorded" in message
    (png,) = [f for f in shared_files(running, "D0LEAD") if f.filename.endswith(".png")]
    (table,) = [f for f in shared_files(running, "D0LEAD") if f.filename.endswith(".csv")]
    assert (png.content or b"").startswith(PNG) and len(png.content or b"") > 10_000
    rows = list(csv.DictReader(io.StringIO((table.content or b"").decode())))
    assert {(r["customer"], r["priority"], r["first_response_met"]) for r in rows} == {
        ("acme", "P2", "0"),
        ("globex", "P1", "1"),
    }
    assert "Only leads, managers and executives" in await command(running, "U0KEY1", "report")
    manager_of_acme = await command(running, "U0AM1", "report month")
    assert (
        "Acme Corp" in manager_of_acme and "Globex" not in running.standin.posts_to("U0AM1")[-1].args["text"]
    )
    assert "'2026-13' is not a month" in await command(running, "U0LEAD", "report 2026-13")


async def test_simulate_in_slack_for_leads_in_their_own_timezone(running: RunningBot) -> None:
    running.standin.users["U0LEAD"] = {"tz": "Europe/Berlin"}
    # 23:30 in Berlin is 16:30 in Chicago on a Friday: the Standard P1's two hours end Monday morning.
    text = await command(running, "U0LEAD", "simulate P1 globex at 2026-11-27 23:30")
    assert "raised Fri 27 Nov 2026 23:30 CET" in text and "Times in Europe/Berlin." in text
    assert "First response due Mon 30 Nov 2026 16:30 CET" in text
    assert "page lead (U0LEAD)" in text
    assert "Only leads, managers and executives" in await command(running, "U0KEY2", "simulate P1 globex")
    assert "basic plan sets no first-response target for P1" in await command(
        running, "U0LEAD", "simulate P1 initech"
    )


@pytest.fixture
async def digesting(standin: SlackStandIn, postgres_url: str) -> AsyncIterator[RunningBot]:
    clock = FakeClock(MONDAY_8AM_CHICAGO - timedelta(minutes=5))
    async for running in start_bot(standin, postgres_url, clock, parse_config(DIGEST_POLICY)):
        yield running


@pytest.mark.postgres
async def test_a_digest_goes_out_once_per_run_with_two_workers(digesting: RunningBot) -> None:
    policy: Policy = digesting.bot.policy
    other = build(
        make_settings(digesting.standin, digesting.bot.settings.database_url), policy, digesting.clock
    )
    await raise_ticket(digesting, user="U0KEY2", priority="P3")
    digesting.clock.set(MONDAY_8AM_CHICAGO + timedelta(seconds=1))
    await asyncio.gather(digesting.bot.worker.run_due(), other.worker.run_due())
    await digesting.settle()
    to_channel = [
        c for c in digesting.standin.posts_to("C0SUPPORT") if "Support report" in c.args.get("text", "")
    ]
    to_manager = [
        c for c in digesting.standin.posts_to("U0MGR") if "Support report" in c.args.get("text", "")
    ]
    assert len(to_channel) == 1 and len(to_manager) == 1
    assert (
        "the week to 23 Nov 2026" in to_channel[0].args["text"] and "Late" not in to_channel[0].args["text"]
    )
    assert len(shared_files(digesting, "C0SUPPORT")) == 2 and len(shared_files(digesting, "D0MGR")) == 2
    (pending,) = await Job.filter(kind="digest", status="pending")
    assert pending.due_at == MONDAY_8AM_CHICAGO + timedelta(days=7)  # the next Monday 08:00 Chicago


@pytest.mark.postgres
async def test_a_digest_missed_while_down_goes_out_once_marked_late(
    digesting: RunningBot, standin: SlackStandIn
) -> None:
    url, clock = digesting.bot.settings.database_url, digesting.clock
    await digesting.server.close()  # the bot stops before Monday 08:00 …
    clock.set(MONDAY_8AM_CHICAGO + timedelta(days=8))  # … and is back a week and a day later
    async for running in start_bot(standin, url, clock, parse_config(DIGEST_POLICY)):
        running.bot.worker.queue.started_at = clock.now()
        await running.settle()
        reports = [c for c in standin.posts_to("C0SUPPORT") if "Support report" in c.args.get("text", "")]
        assert len(reports) == 1 and "Late: it was due Mon 23 Nov 08:00 CST" in reports[0].args["text"]
        (pending,) = await Job.filter(kind="digest", status="pending")
        assert pending.due_at == MONDAY_8AM_CHICAGO + timedelta(days=14)  # one late run, not two


async def test_metrics_show_each_family_after_a_scripted_day(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1", priority="P1")  # Enterprise: 30m
    await advance(running, timedelta(hours=1), step=timedelta(minutes=5))  # breached, lead paged
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await raise_ticket(running, user="U0KEY2", priority="P3", title="Still open")
    async with aiohttp.ClientSession() as session:
        async with session.get(str(running.server.make_url("/metrics"))) as response:
            assert response.status == 200
            page = await response.text()
    for family in (
        'secondline_open_tickets{plan="standard",priority="P3",status="open"} 1.0',
        'secondline_sla_breaches_total{priority="P1",target="first_response"}',
        'secondline_pages_total{level="lead"}',
        "secondline_page_lag_seconds_count",
        'secondline_ack_seconds_count{surface="view"}',
        'secondline_ack_seconds_count{surface="action"}',
        "secondline_jobs_pending ",
        "secondline_oldest_overdue_job_seconds ",
        "secondline_failed_jobs ",
        'secondline_slack_api_calls_total{method="chat.postMessage",outcome="ok"}',
    ):
        assert family in page, family
