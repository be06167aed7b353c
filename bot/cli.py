"""Commands for operators and managers, besides serving Slack: check-config, statement, report, account
and simulate.

`statement`, `report` and `account` read DATABASE_URL and SUPPORT_CONFIG like the bot and write to stdout;
`simulate` touches neither Slack nor the database. Bad input is one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot import db
from bot.clock import SystemClock
from bot.policy import ConfigError, Policy, load_config
from bot.policy.calendars import check_timezone
from bot.settings import SettingsError, data_sources

if TYPE_CHECKING:
    from bot.services.statements import Statements


class UsageError(Exception):
    """What the operator typed cannot be used; the message says why, in one line."""


def check_config(path: str) -> int:
    """Validate a policy file: errors stop it (exit 2); warnings are printed, and it is still ok (exit 0)."""
    from bot.policy.ladder_timing import simultaneous_steps
    from bot.reports.simulate import customer_contacts, plan_summaries

    try:
        policy = load_config(path)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from bot.mail.checks import check_config as check_mail  # the mail servers, when the policy names them
    from bot.settings import environment

    problems = check_mail(policy, environment())
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 2
    print(
        f"{path}: ok ({len(policy.customers)} customers, {len(policy.plans)} plans, "
        f"{len(policy.calendars)} calendars)"
    )
    for line in plan_summaries(policy):  # read the plans back before deploying an edit
        print(f"  {line}")
    for line in customer_contacts(policy):  # customers' own people replacing a level's
        print(f"  {line}")
    for warning in simultaneous_steps(policy):
        print(f"warning: {warning}", file=sys.stderr)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    statement = sub.add_parser("statement", help="a customer's monthly statement (CSV or JSON) on stdout")
    statement.add_argument("--customer", required=True)
    statement.add_argument("--month", required=True, help="YYYY-MM")
    statement.add_argument("--format", choices=("csv", "json"), default="csv")
    statement.add_argument(
        "--issue", action="store_true", help="issue it once the month has ended: freeze it and its time"
    )
    report = sub.add_parser("report", help="SLA achievement per customer and priority on stdout")
    report.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD, first day included")
    report.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD, first day not included")
    report.add_argument("--customer")
    report.add_argument("--format", choices=("csv", "json"), default="csv")
    report.add_argument("--timezone", default="UTC", help="where the days start (default UTC)")
    account = sub.add_parser("account", help="one customer at a glance (the last 30 days) on stdout")
    account.add_argument("--customer", required=True)
    account.add_argument("--from", dest="start", help="YYYY-MM-DD, first day included (default: 30 days ago)")
    account.add_argument("--to", dest="end", help="YYYY-MM-DD, first day not included (default: tomorrow)")
    account.add_argument("--format", choices=("text", "json"), default="text")
    simulate = sub.add_parser("simulate", help="what happens to a ticket raised at a moment (a dry run)")
    simulate.add_argument("--customer", required=True)
    simulate.add_argument("--priority", required=True)
    simulate.add_argument("--at", required=True, help="ISO time with its offset: 2026-11-27T16:30:00-06:00")
    simulate.add_argument("--policy", help="a policy file (default: SUPPORT_CONFIG)")
    simulate.add_argument("--json", action="store_true")


def run(args: argparse.Namespace) -> int:
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "statement": _statement,
        "report": _report,
        "account": _account,
        "simulate": _simulate,
    }
    try:
        return commands[args.action](args)
    except (UsageError, ConfigError, SettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _policy(path: str | None = None) -> tuple[str, Policy]:
    database_url, config = data_sources()
    return database_url, load_config(Path(path) if path else config)


def _with_database(database_url: str, work: Callable[[], Awaitable[str]]) -> str:
    async def main() -> str:
        try:
            await db.start_database(database_url)
        except Exception as exc:
            raise UsageError(f"DATABASE_URL: cannot open the database ({type(exc).__name__}: {exc})") from exc
        try:
            return await work()
        finally:
            await db.stop_database()

    return asyncio.run(main())


def _statement(args: argparse.Namespace) -> int:
    from bot.billing.statement import Month

    database_url, policy = _policy()
    customer = args.customer.lower()
    if customer not in policy.customers:
        known = ", ".join(policy.customers)
        raise UsageError(f"--customer: no customer {args.customer!r} in the policy ({known})")
    try:
        month = Month.parse(args.month)
    except ValueError as exc:
        raise UsageError(f"--month: {exc}") from exc

    async def make() -> str:
        from bot.services.errors import ServiceError

        statements = _statements(policy)
        try:
            if args.issue:
                made = await statements.issue(customer, month, "cli")
            else:
                made = await statements.file(customer, month)
        except ServiceError as exc:  # e.g. issuing a month that has not ended: said, nothing changed
            raise UsageError(f"--issue: {exc}") from exc
        return made.json if args.format == "json" else made.csv

    print(_with_database(database_url, make), end="")
    return 0


def _statements(policy: Policy) -> Statements:
    from bot.jobs.queue import JobQueue
    from bot.services.deliveries import Deliveries
    from bot.services.directory import Directory
    from bot.services.queries import TicketQueries
    from bot.services.roles import Roles
    from bot.services.sla import SlaService
    from bot.services.statements import Statements
    from bot.services.timesheet import Timesheet

    async def no_lookup(email: str) -> str | None:
        return None

    clock = SystemClock()
    jobs = JobQueue(clock)
    roles = Roles(policy, lambda _user: True)  # the operator at the console may issue statements
    queries = TicketQueries(clock, roles, SlaService(policy, clock, jobs))
    timesheet = Timesheet(
        policy, clock, jobs, roles, queries, Directory(policy, no_lookup), Deliveries(clock)
    )
    return Statements(policy, clock, roles, timesheet)


def _report(args: argparse.Namespace) -> int:
    from bot.reports import export
    from bot.reports.digests import day_start
    from bot.reports.load import load_report

    database_url, policy = _policy()
    zone = _zone(args.timezone)
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end <= start:
        raise UsageError("--to must be after --from (the report covers [from, to))")
    customer = args.customer.lower() if args.customer else None
    if customer is not None and customer not in policy.customers:
        raise UsageError(f"--customer: no customer {args.customer!r} in the policy")

    async def make() -> str:
        now = SystemClock().now()
        first, after = day_start(start, zone), day_start(end, zone)
        report = await load_report(policy, first, after, now, customer=customer, timezone=zone)
        return export.to_json(report) + "\n" if args.format == "json" else export.to_csv(report)

    print(_with_database(database_url, make), end="")
    return 0


def _account(args: argparse.Namespace) -> int:
    """The figures of `/support account`, days in the customer's support timezone; JSON for machines."""
    from bot.reports.account import as_json, render_text
    from bot.services.accounts import Accounts

    database_url, policy = _policy()
    customer = args.customer.lower()
    if customer not in policy.customers:
        known = ", ".join(policy.customers)
        raise UsageError(f"--customer: no customer {args.customer!r} in the policy ({known})")
    first = _day(args.start, "--from") if args.start else None
    after = _day(args.end, "--to") if args.end else None

    async def make() -> str:
        accounts = Accounts(policy, SystemClock(), _statements(policy))
        start, end = accounts.period(customer, first, after)
        if end <= start:
            raise UsageError("--to must be after --from (the summary covers [from, to))")
        summary = await accounts.summary(customer, start, end)
        if args.format == "json":
            return json.dumps(as_json(summary), indent=2, ensure_ascii=False) + "\n"
        return render_text(summary, f"{start.date()} to {end.date()} (to excluded)") + "\n"

    print(_with_database(database_url, make), end="")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from bot.reports.simulate import dry_run, render_text, to_json

    _, policy = _policy(args.policy)
    try:
        at = datetime.fromisoformat(args.at)
    except ValueError as exc:
        raise UsageError(f"--at: {args.at!r} is not an ISO time like 2026-11-27T16:30:00-06:00") from exc
    if at.tzinfo is None:
        raise UsageError("--at: give the time with its UTC offset, like 2026-11-27T16:30:00-06:00")
    try:
        run_ = dry_run(policy, args.customer.lower(), args.priority.upper(), at)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    print(to_json(run_) if args.json else render_text(run_))
    return 0


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UsageError(f"{option}: {text!r} is not a date like 2026-11-01") from exc


def _zone(name: str) -> str:
    try:
        return check_timezone(name)
    except ValueError as exc:
        raise UsageError(f"--timezone: {exc}") from exc
