"""`/support report` (the SLA report with its chart and CSV, in a DM), `/support account` (one customer at a
glance, with a small chart, in a DM) and `/support simulate` (a dry run of a ticket's targets and escalation
ladder, in the asker's timezone)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.permissions import Do, Role
from bot.reports.account import render_chart as account_chart
from bot.reports.account import render_text as render_account
from bot.reports.simulate import dry_run, render_text
from bot.services.reporting import period_of
from bot.slack.errors import SlackBusy, SlackRefused
from bot.text import escape
from handlers.deps import Deps

REPORT_USAGE = "Write `/support report [week|month|2026-11] [customer]`."
SIMULATE_USAGE = "Write `/support simulate P1 globex [at 2026-11-27 16:30]` (a time in your timezone)."


async def report(deps: Deps, user_id: str, args: list[str]) -> str:
    words = [a.lower() for a in args]
    period = next((w for w in words if w in ("week", "month") or _is_month(w)), "week")
    named = [w for w in words if w != period]
    customer = named[0] if named else None
    if customer is not None and customer not in deps.policy.customers:
        return f"There is no customer {escape(customer)!r}. {REPORT_USAGE}"
    if Role.ESCALATION not in deps.roles.of(user_id):
        managed = [k for k, c in deps.policy.customers.items() if c.account_manager == user_id]
        if customer is None and len(managed) == 1:
            customer = managed[0]
        if customer is None:
            deps.roles.require(Do.REPORT, user_id)  # refuses, in the table's words
            return REPORT_USAGE
        deps.roles.require_for_customer(Do.REPORT, user_id, customer)
    timezone = await deps.notifier.timezone_of(user_id, "UTC")
    try:
        start, end, label = period_of(period, deps.clock.now(), timezone)
    except ValueError:
        return f"{escape(period)!r} is not a month. {REPORT_USAGE}"
    bundle = await deps.reporting.bundle(start, end, label, customer=customer, timezone=timezone)
    files: list[tuple[str, str | bytes]] = [
        (f"{bundle.filename}.png", bundle.png),
        (f"{bundle.filename}.csv", bundle.csv),
    ]
    try:
        await deps.notifier.send_report(user_id, bundle.text, files)
    except (SlackBusy, SlackRefused) as exc:
        failed = escape(str(exc))
        return f"{bundle.text}\n_Slack did not take the chart and CSV ({failed}); try again in a moment._"
    return f"{bundle.title}: the figures, the chart and the CSV are in your DM with me."


ACCOUNT_USAGE = (
    "Write `/support account acme [--from 2026-11-01] [--to 2026-12-01]` (the last 30 days by default; "
    "`--to` is the first day not included)."
)


async def account(deps: Deps, user_id: str, args: list[str]) -> str:
    """One customer at a glance, for its account manager, leads, managers and executives."""
    words = [a.lower().replace("\u2014", "--").replace("\u2013", "--") for a in args]  # Slack's dashes
    options: dict[str, date] = {}
    named: list[str] = []
    while words:
        word = words.pop(0)
        if word in ("--from", "--to", "from", "to"):
            if not words:
                return ACCOUNT_USAGE
            try:
                options[word.lstrip("-")] = date.fromisoformat(words.pop(0))
            except ValueError:
                return f"That is not a date like 2026-11-01. {ACCOUNT_USAGE}"
        else:
            named.append(word)
    managed = [k for k, c in deps.policy.customers.items() if c.account_manager == user_id]
    customer = named[0] if named else (managed[0] if len(managed) == 1 else None)
    if customer is None or len(named) > 1:
        return ACCOUNT_USAGE
    if customer not in deps.policy.customers:
        return f"There is no customer {escape(customer)!r}. {ACCOUNT_USAGE}"
    deps.roles.require_for_customer(Do.REPORT, user_id, customer)
    accounts = deps.reporting.accounts
    start, end = accounts.period(customer, options.get("from"), options.get("to"))
    if end <= start:
        return f"`--to` must be after `--from`. {ACCOUNT_USAGE}"
    summary = await accounts.summary(customer, start, end)
    label = "the last 30 days" if not options else _span(start, end, accounts.zone(customer))
    text = render_account(summary, label)
    try:
        await deps.notifier.send_report(user_id, text, [(f"account-{customer}.png", account_chart(summary))])
    except (SlackBusy, SlackRefused) as exc:
        return f"{text}\n_Slack did not take the chart ({escape(str(exc))}); try again in a moment._"
    return f"{escape(summary.name)}'s account, {label}: the figures and a chart are in your DM with me."


def _span(start: datetime, end: datetime, timezone: str) -> str:
    zone = ZoneInfo(timezone)
    first, last = start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date()
    return f"{first.day} {first:%b %Y} to {last.day} {last:%b %Y}"


def _is_month(word: str) -> bool:
    return len(word) == 7 and word[4] == "-" and word[:4].isdigit() and word[5:].isdigit()


async def simulate(deps: Deps, user_id: str, args: list[str]) -> str:
    deps.roles.require(Do.SIMULATE, user_id)
    if len(args) < 2:
        return SIMULATE_USAGE
    priority, customer = args[0].upper(), args[1].lower()
    timezone = await deps.notifier.timezone_of(user_id, "UTC")
    at = deps.clock.now()
    if len(args) > 2:
        if args[2].lower() != "at" or len(args) < 4:
            return SIMULATE_USAGE
        parsed = _when(" ".join(args[3:]), timezone)
        if parsed is None:
            return f"{escape(' '.join(args[3:]))!r} is not a time. {SIMULATE_USAGE}"
        at = parsed
    try:
        run = dry_run(deps.policy, customer, priority, at)
    except ValueError as exc:
        return f"{escape(str(exc))}. {SIMULATE_USAGE}"
    return render_text(run, timezone, mentions=False)


def _when(text: str, timezone: str) -> datetime | None:
    """ISO with an offset, or `YYYY-MM-DD HH:MM` read in the asker's timezone."""
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
