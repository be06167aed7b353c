"""Paid support through the real endpoint: logging time, waivers, bank alerts and blocking, /support hours,
and statements as a Slack file and from the command line, for each kind of contract."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.billing.export import CSV_HEADER
from bot.clock import FakeClock, SystemClock
from bot.ids import Action, Block, Callback
from bot.policy import Policy, parse_config
from bot.standin import SlackStandIn
from bot.standin.payloads import datepicker_value, multi_users_select_value, text_value, view_submission
from models import IssuedStatement, Ticket, TicketEvent, TimeEntry, WithdrawnStatement
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
    # 17 November: November has not ended, so it cannot be issued yet.
    early = await command(running, "U0LEAD", "statement acme 2026-11 issue")
    assert "cannot be issued before the month has ended: issue it on or after 1 December 2026" in early
    assert "(from midnight, UTC time)" in early and "Nothing was issued" in early  # Enterprise: 24x7 UTC
    assert not await IssuedStatement.exists(customer="acme", month="2026-11")
    # 1 December 05:30 UTC: November is over for Acme (UTC), not yet for Globex (Chicago, 23:30 on the 30th).
    running.clock.set(datetime(2026, 12, 1, 5, 30, tzinfo=UTC))
    globex = await command(running, "U0LEAD", "statement globex 2026-11 issue")
    assert "on or after 1 December 2026 (from midnight, America/Chicago time)" in globex
    assert not await IssuedStatement.exists(customer="globex", month="2026-11")
    answer = await command(running, "U0LEAD", "statement acme 2026-11 issue")
    assert "(issued)" in answer and await IssuedStatement.exists(customer="acme", month="2026-11")
    running.clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # 1 December, 09:00 in Chicago
    assert "(issued)" in await command(running, "U0LEAD", "statement globex 2026-11 issue")
    # December is open: today's time is logged as usual.
    assert "Logged 30m" in await command(running, "U0ENG1", f"log SUP-{ticket.id} 30m")
    assert await TimeEntry.all().count() == 2


async def log_on_day(running: RunningBot, user: str, ticket: Ticket, day: str, spent: str = "45m") -> str:
    """Submit the Log time form for `day`; returns the form's error, or "" when it was logged."""
    values = {
        Block.WORK_DURATION: {Action.WORK_DURATION: text_value(spent)},
        Block.WORK_DATE: {Action.WORK_DATE: datepicker_value(day)},
        Block.WORK_NOTE: {Action.WORK_NOTE: text_value("forgot to log the call")},
    }
    status, text = await running.slack.send(
        *view_submission(user, Callback.LOG_TIME_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200
    if text.strip() in ("", "{}"):
        return ""
    answer = json.loads(text)
    assert answer["response_action"] == "errors", answer
    return str(answer["errors"][Block.WORK_DURATION])


async def test_issuing_december_on_8_december_is_refused_and_freezes_nothing(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")
    running.clock.set(datetime(2026, 12, 8, 16, 0, tzinfo=UTC))  # Tuesday 8 December, 10:00 in Chicago
    answer = await command(running, "U0LEAD", "statement acme 2026-12 issue")
    assert answer == (
        "The statement of December 2026 for Acme Corp cannot be issued before the month has ended: issue it "
        "on or after 1 January 2027 (from midnight, UTC time). Nothing was issued."
    )
    assert "on or after 1 April 2027" in await command(running, "U0MGR", "statement globex 2027-03 issue")
    assert await IssuedStatement.all().count() == 0
    assert "Logged 45m" in await command(running, "U0ENG1", f"log SUP-{ticket.id} 45m")  # nothing frozen
    usage = await command(running, "U0LEAD", "statement acme 2026-12 publish")
    assert "add `issue` to issue it once the month has ended, or `withdraw [reason]`" in usage
    help_text = await command(running, "U0ENG1", "help")
    assert "`/support statement acme 2026-11 withdraw [reason]` take an issued statement back" in help_text


async def test_a_lead_withdraws_an_issued_statement_and_its_next_issue_says_what_it_replaces(
    running: RunningBot,
) -> None:
    ticket = await raise_ticket(running, user="U0KEY1")
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 1h")
    running.clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # 1 December, 09:00 in Chicago
    assert "(issued)" in await command(running, "U0LEAD", "statement acme 2026-11 issue")
    running.clock.set(datetime(2026, 12, 3, 16, 0, tzinfo=UTC))
    # An engineer who forgot a call on 27 November is told what to do, and nothing is logged.
    refused = await log_on_day(running, "U0ENG1", ticket, "2026-11-27")
    assert refused == (
        "The statement of November 2026 for Acme Corp is issued, so that month's time can no longer change. "
        "Only leads, managers and executives can withdraw that statement: ask one of them "
        "(`/support statement acme 2026-11 withdraw`), then try again; or log the time on a day in a month "
        "not yet issued (the Log time form takes a date). Nothing was changed."
    )
    assert await TimeEntry.all().count() == 1
    # Neither an engineer nor the account manager may withdraw it; nothing changes.
    for user in ("U0ENG1", "U0AM1", "U0KEY1"):
        answer = await command(running, user, "statement acme 2026-11 withdraw")
        assert (
            answer
            == "Only leads, managers and executives can withdraw an issued statement. Nothing was changed."
        )
    assert await IssuedStatement.exists(customer="acme", month="2026-11")
    assert await WithdrawnStatement.all().count() == 0
    # The lead withdraws it, with a reason; the withdrawal is stored with its actor.
    answer = await command(running, "U0LEAD", "statement acme 2026-11 withdraw missed a call on the 27th")
    assert answer.startswith(
        "The statement of November 2026 for Acme Corp, issued on 1 Dec 2026 by <@U0LEAD>, is withdrawn."
    )
    assert not await IssuedStatement.exists(customer="acme", month="2026-11")
    (withdrawn,) = await WithdrawnStatement.all()
    assert (withdrawn.customer, withdrawn.month, withdrawn.issued_by, withdrawn.withdrawn_by) == (
        "acme",
        "2026-11",
        "U0LEAD",
        "U0LEAD",
    )
    assert withdrawn.reason == "missed a call on the 27th" and withdrawn.csv.startswith(HEADER)
    assert "is not issued, so there is nothing to withdraw" in await command(
        running, "U0MGR", "statement acme 2026-11 withdraw"
    )
    # November is open again: the forgotten call is logged, and November issued anew names what it replaces.
    assert await log_on_day(running, "U0ENG1", ticket, "2026-11-27") == ""
    running.clock.advance(10)
    answer = await command(running, "U0MGR", "statement acme 2026-11 issue")
    assert answer.startswith("Statement of November 2026 for Acme Corp (issued): 1h 45m recorded"), answer
    assert (
        "It replaces the statement issued on 1 Dec 2026 by <@U0LEAD>, withdrawn by <@U0LEAD> on 3 Dec 2026 "
        "(missed a call on the 27th)." in answer
    )
    issued = await IssuedStatement.get(customer="acme", month="2026-11")
    assert issued.issued_by == "U0MGR"
    assert json.loads(issued.json)["replaces"] == {
        "issued_at": "2026-12-01T15:00:00+00:00",
        "issued_by": "U0LEAD",
        "withdrawn_at": "2026-12-03T16:00:00+00:00",
        "withdrawn_by": "U0LEAD",
        "reason": "missed a call on the 27th",
    }
    shared = list(running.standin.files.values())[-1]  # the CSV in the DM: same header, both entries
    rows = list(csv.DictReader(io.StringIO((shared.content or b"").decode())))
    dm = running.standin.posts_to("U0MGR")[-1].args["text"]  # the message the file comes with
    assert dm == answer.removesuffix(" The CSV is in your DM with me.") and "It replaces" in dm
    assert [(r["date"], r["minutes"]) for r in rows] == [("2026-11-17", "60"), ("2026-11-27", "45")]
    assert (shared.content or b"").decode().splitlines()[0] == HEADER


async def test_an_engineers_log_in_a_month_issued_before_it_ended_is_told_what_to_do(
    running: RunningBot,
) -> None:
    """A statement issued while its month was running (as releases before this check allowed, on
    8 December) blocked every engineer's /support log with nothing to undo it."""
    ticket = await raise_ticket(running, user="U0KEY1")
    running.clock.set(datetime(2026, 12, 8, 16, 0, tzinfo=UTC))
    await IssuedStatement.create(
        customer="acme",
        month="2026-12",
        issued_at=running.clock.now(),
        issued_by="U0AM1",
        csv=HEADER + "\r\n",
        json="{}",
    )
    refused = await command(running, "U0ENG1", f"log SUP-{ticket.id} 45m")
    assert "The statement of December 2026 for Acme Corp is issued" in refused
    assert "ask one of them (`/support statement acme 2026-12 withdraw`)" in refused
    assert await TimeEntry.all().count() == 0
    lead = await command(running, "U0LEAD", f"log SUP-{ticket.id} 15m")  # a lead may withdraw it: told so
    assert "You can withdraw that statement with `/support statement acme 2026-12 withdraw`" in lead
    assert "is withdrawn" in await command(running, "U0MGR", "statement acme 2026-12 withdraw")
    assert "Logged 45m" in await command(running, "U0ENG1", f"log SUP-{ticket.id} 45m")
    assert (await WithdrawnStatement.get(month="2026-12")).withdrawn_by == "U0MGR"


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
    # --issue: the command line runs on the real clock, so the month running now cannot be issued yet.
    today = SystemClock().now().date()  # Acme's support runs in UTC
    running_month = f"{today:%Y-%m}"
    early = cli(sqlite_url, "statement", "--customer", "acme", "--month", running_month, "--issue")
    assert early.returncode == 2 and early.stdout == "" and "Traceback" not in early.stderr
    assert early.stderr.startswith(
        f"error: --issue: The statement of {today:%B %Y} for Acme Corp cannot be issued before the month "
        "has ended: issue it on or after 1 "
    )
    issued = cli(sqlite_url, "statement", "--customer", "acme", "--month", "2026-11", "--issue")
    assert issued.returncode == 0 and issued.stdout.splitlines()[0] == HEADER, issued.stderr
    async for _ in start_bot(standin, sqlite_url, clock, policy):
        assert not await IssuedStatement.exists(customer="acme", month=running_month)
        assert (await IssuedStatement.get(customer="acme", month="2026-11")).issued_by == "cli"


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
