"""Tickets waiting on engineering, counted where people look: `/support account` (Slack and
`python -m bot account --format json`), the SLA report (`/support report`: its text and CSV; `python -m bot
report --format json`), `/support list` and App Home's "Waiting on engineering" list."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

from bot.clock import FakeClock
from bot.ids import Action, Block, Callback
from bot.policy import Policy
from bot.standin import SlackStandIn
from bot.standin.payloads import app_home_opened, select_value, text_value, view_submission
from models import Ticket, TicketStatus
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import advance, click, command, raise_ticket
from tests.e2e.test_paid_support import cli


async def defect(running: RunningBot, title: str) -> Ticket:
    """An Acme ticket a lead resolves as a product defect: it waits on engineering (fix pending)."""
    ticket = await raise_ticket(running, title=title, priority="P3")
    await click(running, "U0LEAD", Action.RESOLVE, ticket)
    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed_product_defect")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("A bug in the export")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value(None)},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    status, _ = await running.slack.send(
        *view_submission("U0LEAD", Callback.RESOLVE_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200
    await running.settle()
    waiting = await Ticket.get(id=ticket.id)
    assert waiting.status == TicketStatus.FIX_PENDING
    return waiting


async def test_account_counts_tickets_waiting_on_engineering_and_the_longest_wait(
    running: RunningBot,
) -> None:
    await command(running, "U0LEAD", "account acme")
    before = running.standin.posts_to("U0LEAD")[-1].args["text"]
    assert "*Waiting on engineering now:* none" in before

    await defect(running, "Export drops the last row")
    running.clock.advance(timedelta(hours=5))
    await defect(running, "Invoices round the tax wrongly")
    running.clock.advance(timedelta(hours=2))
    await command(running, "U0LEAD", "account acme")
    text = running.standin.posts_to("U0LEAD")[-1].args["text"]
    assert "*Waiting on engineering now:* 2, the longest for 7 hours" in text


async def test_app_home_lists_tickets_waiting_on_engineering(running: RunningBot) -> None:
    ticket = await defect(running, "Export drops the last row")
    body, content_type = app_home_opened("U0ENG1", event_id="Ev0HOMEENG")
    assert (await running.slack.send(body, content_type))[0] == 200
    await running.settle()
    publish = [c for c in running.standin.calls_to("views.publish") if c.args["user_id"] == "U0ENG1"][-1]
    blocks: list[dict[str, Any]] = publish.args["view"]["blocks"]
    start = next(
        n
        for n, b in enumerate(blocks)
        if b["type"] == "header" and b["text"]["text"] == "Waiting on engineering"
    )
    assert blocks[start + 1]["text"]["text"] == "_1 fix pending, the longest for 0 hours_"
    assert f"*SUP-{ticket.id}*" in blocks[start + 2]["text"]["text"]
    # A key user's App Home has no such list.
    body, content_type = app_home_opened("U0KEY1", event_id="Ev0HOMEKEY")
    assert (await running.slack.send(body, content_type))[0] == 200
    await running.settle()
    publish = [c for c in running.standin.calls_to("views.publish") if c.args["user_id"] == "U0KEY1"][-1]
    assert "Waiting on engineering" not in json.dumps(publish.args["view"])


async def test_account_json_on_the_command_line_has_waiting_on_engineering(
    sqlite_url: str, standin: SlackStandIn, clock: FakeClock, policy: Policy
) -> None:
    async for running in start_bot(standin, sqlite_url, clock, policy):
        await defect(running, "Export drops the last row")
        await advance(running, timedelta(minutes=5))
    result = cli(sqlite_url, "account", "--customer", "acme", "--format", "json")
    assert result.returncode == 0, result.stderr
    waiting = json.loads(result.stdout)["waiting_on_engineering"]
    assert set(waiting) == {"tickets", "longest_hours"}
    assert waiting["tickets"] == 1 and isinstance(waiting["longest_hours"], float)


async def test_the_report_and_the_list_count_tickets_waiting_on_engineering_and_the_longest_wait(
    running: RunningBot,
) -> None:
    first = await defect(running, "Export drops the last row")
    running.clock.advance(timedelta(hours=5))
    await defect(running, "Invoices round the tax wrongly")
    running.clock.advance(timedelta(hours=2))

    assert "Waiting on engineering now: 2, the longest for 7 hours" in await report_text(running)
    (table,) = [f for f in running.standin.files.values() if f.filename.endswith(".csv")]
    (row,) = list(csv.DictReader(io.StringIO((table.content or b"").decode())))
    assert (row["customer"], row["engineering_waiting"], row["engineering_longest_wait_h"]) == (
        "acme",
        "2",
        "7.0",
    )
    listed = await command(running, "U0ENG1", "list")
    assert f"*Waiting on engineering*\n_2 fix pending, the longest for 7 hours_\n*SUP-{first.id}*" in listed


async def report_text(running: RunningBot) -> str:
    await command(running, "U0LEAD", "report month")
    return str(running.standin.posts_to("U0LEAD")[-1].args["text"])


async def test_report_json_on_the_command_line_has_waiting_on_engineering(
    sqlite_url: str, standin: SlackStandIn, clock: FakeClock, policy: Policy
) -> None:
    async for running in start_bot(standin, sqlite_url, clock, policy):
        start = clock.now()
        await defect(running, "Export drops the last row")
        await advance(running, timedelta(hours=3))
    result = cli(
        sqlite_url,
        "report",
        "--from",
        f"{start:%Y-%m-%d}",
        "--to",
        f"{start + timedelta(days=1):%Y-%m-%d}",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    waiting = report["waiting_on_engineering"]  # the command line judges at the wall clock's now
    assert waiting["tickets"] == 1 and isinstance(waiting["longest_hours"], float)
    (row,) = report["rows"]
    assert (row["engineering_waiting"], row["engineering_longest_wait_h"]) == (1, waiting["longest_hours"])
