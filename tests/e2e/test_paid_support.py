"""Paid support through the real endpoint: logging time, waivers, bank alerts and blocking, /support hours,
and statements as a Slack file and from the command line, for each kind of contract."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.billing.export import CSV_HEADER
from bot.clock import FakeClock
from bot.ids import Action, Block, Callback
from bot.policy import Policy, parse_config
from bot.standin import SlackStandIn
from bot.standin.payloads import datepicker_value, multi_users_select_value, text_value, view_submission
from models import IssuedStatement, Ticket, TicketEvent, TimeEntry
from tests.conftest import EXAMPLE_POLICY, ROOT, RunningBot, start_bot
from tests.e2e.journey import click, command, raise_ticket

HEADER = (
    "customer,contract,type,ticket,priority,agent,date,minutes,billable_minutes,units,rate,amount,currency,"
    "waived,waiver_reason,bank_minutes_left"
)


async def test_engineers_log_time_for_themselves_and_for_others_on_the_call(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")
    answer = await command(running, "U0ENG1", f"log SUP-{ticket.id} 45m fixed the export")
    assert answer == f"Logged 45m on SUP-{ticket.id} for <@U0ENG1>."
    answer = await command(
        running, "U0ENG1", f"log SUP-{ticket.id} 1h30m with <@U0ENG2|sam> call &amp; screen share"
    )
    assert "<@U0ENG1>, <@U0ENG2>" in answer
    entries = await TimeEntry.filter(ticket_id=ticket.id).order_by("id")
    assert [(e.agent, e.minutes, e.note) for e in entries] == [
        ("U0ENG1", 45, "fixed the export"),
        ("U0ENG1", 90, "call & screen share"),
        ("U0ENG2", 90, "call & screen share"),
    ]
    assert all(e.logged_by == "U0ENG1" and e.customer == "acme" for e in entries)


@pytest.mark.parametrize(
    ("user", "text", "said"),
    [
        ("U0KEY1", "log SUP-{id} 45m", "Only support engineers"),  # key users may not log
        ("U0ENG1", "log SUP-{id} 45m with <@U0KEY1|kim>", "is not one"),  # nor on a key user's behalf
        ("U0ENG1", "log SUP-{id} 2x", "'2x' is not a work time; write it like 45m"),
        ("U0ENG1", "log SUP-{id} 0m", "'0m' is no time at all"),
        ("U0ENG1", "log SUP-{id} 999h", "more than 24h"),
        ("U0ENG1", "log SUP-99999 45m", "There is no ticket SUP-99999"),
        ("U0ENG1", "log SUP-{id}", "Write `/support log"),
    ],
)
async def test_bad_logging_gets_a_clear_answer_and_logs_nothing(
    running: RunningBot, user: str, text: str, said: str
) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")
    assert said in await command(running, user, text.format(id=ticket.id))
    assert await TimeEntry.all().count() == 0


async def test_the_log_time_form(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY2")
    await click(running, "U0ENG1", Action.LOG_TIME, ticket)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == Callback.LOG_TIME_MODAL and form["private_metadata"] == str(ticket.id)
    values = {
        Block.WORK_DURATION: {Action.WORK_DURATION: text_value("2x")},
        Block.WORK_AGENTS: {Action.WORK_AGENTS: multi_users_select_value(["U0ENG2"])},
        Block.WORK_DATE: {Action.WORK_DATE: datepicker_value("2026-11-16")},
        Block.WORK_NOTE: {Action.WORK_NOTE: text_value("Pairing on the import")},
    }
    status, text = await running.slack.send(
        *view_submission("U0ENG1", Callback.LOG_TIME_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200 and Block.WORK_DURATION in text and await TimeEntry.all().count() == 0
    values[Block.WORK_DURATION] = {Action.WORK_DURATION: text_value("30m")}
    status, text = await running.slack.send(
        *view_submission("U0ENG1", Callback.LOG_TIME_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200 and text.strip() in ("", "{}")
    entries = await TimeEntry.filter(ticket_id=ticket.id).order_by("agent")
    assert [(e.agent, e.minutes, str(e.worked_on)) for e in entries] == [
        ("U0ENG1", 30, "2026-11-16"),
        ("U0ENG2", 30, "2026-11-16"),
    ]
    values[Block.WORK_DATE] = {Action.WORK_DATE: datepicker_value("2026-12-24")}  # a day to come
    status, text = await running.slack.send(
        *view_submission("U0ENG1", Callback.LOG_TIME_MODAL, values, private_metadata=str(ticket.id))
    )
    assert Block.WORK_DATE in text and await TimeEntry.all().count() == 2


async def statement_csv(running: RunningBot, user: str, customer: str, month: str = "2026-11") -> list[dict]:
    running.clock.advance(10)  # a person asks again some seconds later, not within the DM's pacing
    before = len(running.standin.files)
    answer = await command(running, user, f"statement {customer} {month}")
    assert "The CSV is in your DM" in answer, answer
    assert len(running.standin.files) == before + 1
    shared = list(running.standin.files.values())[-1]
    assert shared.channels == [f"D{user[1:]}"] and shared.filename == f"statement-{customer}-{month}.csv"
    text = (shared.content or b"").decode()
    assert text.splitlines()[0] == HEADER == ",".join(CSV_HEADER)
    return list(csv.DictReader(io.StringIO(text)))


async def test_waive_and_unwaive_and_a_product_defect(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY3", priority="P2")  # Initech: per minute, USD 2.50
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 10m")
    (line,) = await statement_csv(running, "U0LEAD", "initech")
    assert (line["billable_minutes"], line["amount"], line["waived"]) == ("10", "25.00", "false")
    assert "Only" in await command(running, "U0KEY3", f"waive SUP-{ticket.id} not our fault")
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    assert "waived" in await command(running, "U0ENG1", f"waive SUP-{ticket.id} export defect")
    (line,) = await statement_csv(running, "U0LEAD", "initech")
    assert (line["billable_minutes"], line["amount"], line["waived"], line["waiver_reason"]) == (
        "0",
        "0.00",
        "true",
        "export defect",
    )
    await command(running, "U0ENG1", f"unwaive SUP-{ticket.id}")
    (line,) = await statement_csv(running, "U0LEAD", "initech")
    assert line["amount"] == "25.00"
    await running.bot.deps.transitions.resolve(ticket.id, "U0ENG1", "fixed_product_defect", "Patched", None)
    assert (await Ticket.get(id=ticket.id)).waiver_reason == "product defect"
    (line,) = await statement_csv(running, "U0LEAD", "initech")
    assert line["waived"] == "true" and line["amount"] == "0.00"


async def test_bank_alerts_come_once_per_threshold(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")  # Acme: 20-hour bank, alerts at 80/95/100 %

    def alerts(user: str) -> list[str]:
        return [
            c.args["text"] for c in running.standin.posts_to(user) if "of its 20-hour bank" in c.args["text"]
        ]

    await command(running, "U0ENG1", f"log SUP-{ticket.id} 15h")
    await running.settle()
    assert alerts("U0KEY1") == [] and alerts("U0AM1") == []  # 75 %
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 1h")
    await running.settle()
    (alert,) = alerts("U0KEY1")
    assert "Acme Corp has used 80 % of its 20-hour bank: 4h left, expiring 31 Oct 2027" in alert
    assert len(alerts("U0AM1")) == 1
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 30m")  # 82.5 %: nothing new
    await running.settle()
    assert len(alerts("U0KEY1")) == 1
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 3h30m")  # 100 %: crosses 95 and 100 at once
    await running.settle()
    assert len(alerts("U0KEY1")) == 3 and "used 100 %" in alerts("U0KEY1")[-1]


BLOCKING = EXAMPLE_POLICY.read_text().replace("on_empty: overage ", "on_empty: block   ")


@pytest.fixture
async def blocking(standin: SlackStandIn, database_url: str, clock: FakeClock) -> AsyncIterator[RunningBot]:
    policy: Policy = parse_config(BLOCKING)
    assert policy.contracts["acme-bank"].on_empty == "block"  # type: ignore[union-attr]
    async for running_bot in start_bot(standin, database_url, clock, policy):
        yield running_bot


async def test_a_blocking_bank_refuses_time_once_empty_and_tells_a_lead(blocking: RunningBot) -> None:
    ticket = await raise_ticket(blocking, user="U0KEY1")
    await command(blocking, "U0ENG1", f"log SUP-{ticket.id} 20h")
    answer = await command(blocking, "U0ENG1", f"log SUP-{ticket.id} 15m")
    assert "bank of hours is used up" in answer and "Nothing was logged" in answer
    assert await TimeEntry.all().count() == 1
    await blocking.settle()
    assert any("could not log time" in c.args["text"] for c in blocking.standin.posts_to("U0LEAD"))


async def test_hours_for_each_role(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 2h")
    mine = await command(running, "U0KEY1", "hours")
    assert "Acme Corp" in mine and "Bank of hours" in mine and "2h used of 20 hours, 18h left" in mine
    assert f"SUP-{ticket.id} · <@U0ENG1> · 2h" in mine
    assert "Acme Corp" in await command(running, "U0ENG2", "hours acme")
    assert "Acme Corp" in await command(running, "U0AM1", "hours")  # the account manager
    assert "your own company's hours only" in await command(running, "U0KEY2", "hours acme")
    assert "Only key users" in await command(running, "U0STRANGER", "hours")
    assert "Included" in await command(running, "U0KEY5", "hours")  # Hooli names no contract


async def test_statements_in_slack_need_a_lead_or_the_account_manager_and_can_be_issued(
    running: RunningBot,
) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 1h")
    assert "Only leads, managers and executives, the customer's account manager" in await command(
        running, "U0KEY1", "statement acme 2026-11"
    )
    assert "is not a month" in await command(running, "U0LEAD", "statement acme 2026-13")
    (line,) = await statement_csv(running, "U0AM1", "acme")
    assert (line["type"], line["minutes"], line["amount"], line["bank_minutes_left"]) == (
        "bank",
        "60",
        "0.00",
        "1140",
    )
    answer = await command(running, "U0LEAD", "statement acme 2026-11 issue")
    assert "(issued)" in answer and await IssuedStatement.exists(customer="acme", month="2026-11")
    refused = await command(running, "U0ENG1", f"log SUP-{ticket.id} 30m")
    assert "statement of November 2026 for Acme Corp is issued" in refused
    assert await TimeEntry.all().count() == 1


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    env.update({"DATABASE_URL": database_url, "SUPPORT_CONFIG": str(EXAMPLE_POLICY), "PYTHONPATH": str(ROOT)})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_the_statement_command_for_each_kind_of_contract(
    sqlite_url: str, standin: SlackStandIn, clock: FakeClock, policy: Policy, tmp_path: Path
) -> None:
    async for running in start_bot(standin, sqlite_url, clock, policy):
        acme = await raise_ticket(running, user="U0KEY1", title="Acme thing")  # bank, 15-minute increments
        await command(running, "U0ENG1", f"log SUP-{acme.id} 20m")
        globex = await raise_ticket(running, user="U0KEY2", title="Globex thing")  # per incident, 2h blocks
        await command(running, "U0ENG1", f"log SUP-{globex.id} 2h1m")
        await running.bot.deps.transitions.claim(globex.id, "U0ENG1")
        await running.bot.deps.transitions.resolve(globex.id, "U0ENG1", "fixed", "", None)
        initech = await raise_ticket(running, user="U0KEY3", title="Initech thing", priority="P2")
        await command(running, "U0ENG1", f"log SUP-{initech.id} 7m with <@U0ENG2|sam>")
        umbrella = await raise_ticket(
            running, user="U0KEY4", title="Umbrella thing", category="gdpr", paid=True
        )
        await command(running, "U0ENG1", f"log SUP-{umbrella.id} 30m")  # a paid request at the add-on rate
    rows = {}
    for customer in ("acme", "globex", "initech", "umbrella"):
        result = cli(sqlite_url, "statement", "--customer", customer, "--month", "2026-11")
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == HEADER
        rows[customer] = list(csv.DictReader(io.StringIO(result.stdout)))
    (bank,) = rows["acme"]
    assert (bank["billable_minutes"], bank["amount"], bank["bank_minutes_left"], bank["currency"]) == (
        "30",
        "0.00",
        "1170",
        "EUR",
    )
    entry, incident = rows["globex"]
    assert entry["amount"] == "0.00" and (
        incident["agent"],
        incident["minutes"],
        incident["units"],
        incident["amount"],
    ) == ("", "121", "2", "500.00")
    # 2.50 a minute: `rate` is the contract's per-minute price, so 7 × 2.50 = 17.50 on each agent's line
    assert [(r["agent"], r["type"], r["units"], r["rate"], r["amount"]) for r in rows["initech"]] == [
        ("U0ENG1", "per_minute", "7", "2.50", "17.50"),
        ("U0ENG2", "per_minute", "7", "2.50", "17.50"),
    ]
    (paid,) = rows["umbrella"]  # a paid request: 30 minutes at 120.00 an hour
    assert (paid["type"], paid["units"], paid["amount"], paid["rate"]) == ("addon", "30", "60.00", "120.00")
    as_json = cli(sqlite_url, "statement", "--customer", "initech", "--month", "2026-11", "--format", "json")
    assert '"amount": "35.00"' in as_json.stdout
    bad = cli(sqlite_url, "statement", "--customer", "acme", "--month", "2026-13")
    assert (
        bad.returncode == 2
        and bad.stderr.strip().startswith("error: --month")
        and "Traceback" not in bad.stderr
    )
    unknown = cli(sqlite_url, "statement", "--customer", "wayne", "--month", "2026-11")
    assert unknown.returncode == 2 and "no customer 'wayne'" in unknown.stderr


async def test_entries_are_corrected_or_deleted_by_whoever_logged_them_or_a_lead(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 45m first look")
    (entry,) = await TimeEntry.all()
    listed = await command(running, "U0ENG2", f"entries SUP-{ticket.id}")
    assert f"`#{entry.id}`" in listed and "45m" in listed and "first look" in listed
    assert "Only the support team" in await command(running, "U0KEY1", f"entries SUP-{ticket.id}")
    assert "Only whoever logged the time" in await command(running, "U0ENG2", f"correct #{entry.id} 30m")
    assert (await TimeEntry.get(id=entry.id)).minutes == 45
    assert "is now 30m" in await command(running, "U0ENG1", f"correct #{entry.id} 30m")
    assert "is deleted" in await command(running, "U0LEAD", f"unlog #{entry.id}")
    assert await TimeEntry.all().count() == 0
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]
    assert kinds[-3:] == ["time_logged", "time_corrected", "time_deleted"]
