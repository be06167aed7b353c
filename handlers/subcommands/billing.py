"""Paid support in /support: log, waive, unwaive, hours, statement (get, issue, withdraw)."""

from __future__ import annotations

import re

from bot.billing.statement import Month
from bot.billing.worktime import parse_work_time
from bot.permissions import Do
from bot.services.errors import InvalidInput, ServiceError
from bot.services.timesheet import format_duration_minutes
from bot.slack.errors import SlackBusy, SlackRefused
from bot.text import escape
from handlers.deps import ROW_ID_MAX, Deps, row_id
from handlers.subcommands.common import parse_reference

# Slack sends mentions in a command's text as <@U123|name> (the manifest escapes them), or people type ids.
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$|^@?([UW][A-Z0-9]{2,})$")
LOG_USAGE = "Write `/support log SUP-42 45m [with @someone] [note]`."


def person_of(word: str) -> str | None:
    match = MENTION.match(word)
    return (match.group(1) or match.group(2)) if match else None


async def log_time(deps: Deps, user_id: str, args: list[str]) -> str:
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None or len(args) < 2:
        return LOG_USAGE
    try:
        minutes = parse_work_time(args[1])
    except ValueError as exc:
        return f"{escape(str(exc))}. {LOG_USAGE}"
    rest = args[2:]
    agents: list[str] = []
    if rest and rest[0].lower() == "with":
        rest = rest[1:]
        while rest and (person := person_of(rest[0].rstrip(","))) is not None:
            agents.append(person)
            rest = rest[1:]
        if not agents:
            return f"Name the other agents after `with`. {LOG_USAGE}"
    try:
        entries = await deps.timesheet.log(ticket_id, user_id, minutes, agents=agents, note=" ".join(rest))
    except InvalidInput as exc:
        return f"{exc} Nothing was logged."
    who = ", ".join(f"<@{e.agent}>" for e in entries)
    return f"Logged {format_duration_minutes(minutes)} on SUP-{ticket_id} for {who}."


async def waive(deps: Deps, user_id: str, args: list[str]) -> str:
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None:
        return "Which ticket? Write `/support waive SUP-42 <reason>`."
    ticket = await deps.timesheet.waive(ticket_id, user_id, " ".join(args[1:]))
    return f"{ticket.ref}'s charges are waived: its time stays recorded and is never charged."


async def unwaive(deps: Deps, user_id: str, args: list[str]) -> str:
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None:
        return "Which ticket? Write `/support unwaive SUP-42`."
    ticket = await deps.timesheet.unwaive(ticket_id, user_id)
    return f"{ticket.ref}'s time is charged again under the contract."


async def hours(deps: Deps, user_id: str, args: list[str]) -> str:
    customers = _customers_for(deps, user_id, args, "hours")
    return "\n\n".join([await deps.statements.hours(key) for key in customers])


STATEMENT_USAGE = (
    "Write `/support statement acme 2026-11`; add `issue` to issue it once the month has ended, or "
    "`withdraw [reason]` to withdraw an issued one."
)


async def statement(deps: Deps, user_id: str, args: list[str]) -> str:
    action = args[2].lower() if len(args) > 2 else ""
    if len(args) < 2 or action not in ("", "issue", "withdraw") or (action == "issue" and len(args) > 3):
        return STATEMENT_USAGE
    customer, month_text = args[0].lower(), args[1]
    try:
        month = Month.parse(month_text)
    except ValueError:
        return f"{escape(month_text)!r} is not a month; {STATEMENT_USAGE}"
    if customer not in deps.policy.customers:
        return f"There is no customer {escape(customer)!r}."
    if action == "withdraw":
        withdrawal = await deps.statements.withdraw(customer, month, user_id, " ".join(args[3:]))
        return deps.statements.withdrawn_text(customer, month, withdrawal)
    deps.roles.require_for_customer(Do.STATEMENT, user_id, customer)
    if action == "issue":
        made = await deps.statements.issue(customer, month, user_id)
    else:
        made = await deps.statements.file(customer, month)
    try:
        await deps.notifier.send_file(user_id, made.summary, f"statement-{customer}-{month}.csv", made.csv)
    except (SlackBusy, SlackRefused) as exc:
        return f"{made.summary} Slack did not take the CSV file ({escape(str(exc))}); try again in a moment."
    return f"{made.summary} The CSV is in your DM with me."


def _customers_for(deps: Deps, user_id: str, args: list[str], what: str) -> list[str]:
    """Key users see their own company; support staff name one."""
    own = deps.policy.customers_of(user_id)
    if args:
        wanted = args[0].lower()
        if wanted not in deps.policy.customers:
            raise ServiceError(f"There is no customer {escape(wanted)!r}.")
        if wanted in own or deps.roles.is_staff(user_id) or _manages(deps, user_id, wanted):
            return [wanted]
        raise ServiceError("You can see your own company's hours only. Nothing was changed.")
    if own:
        return own
    managed = [k for k, c in deps.policy.customers.items() if c.account_manager == user_id]
    if managed:
        return managed
    if deps.roles.is_staff(user_id):
        raise ServiceError(f"Whose {what}? Write `/support {what} acme`.")
    raise ServiceError("Only key users, account managers and the support team can see support hours.")


def _manages(deps: Deps, user_id: str, customer: str) -> bool:
    return deps.policy.customers[customer].account_manager == user_id


async def entries(deps: Deps, user_id: str, args: list[str]) -> str:
    """A ticket's time entries with their numbers, to correct or delete one."""
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None:
        return "Which ticket? Write `/support entries SUP-42`."
    ticket = await deps.queries.visible_to(ticket_id, user_id)
    if not deps.roles.is_staff(user_id):
        return "Only the support team sees a ticket's time entries; `/support hours` shows your company's."
    rows = await deps.timesheet.of_ticket(ticket.id)
    if not rows:
        return f"No time is recorded on {ticket.ref}."
    lines = [
        f"*Time on {ticket.ref}*"
        + (f" (waived: {escape(ticket.waiver_reason)})" if ticket.waiver_reason else "")
    ]
    lines += [
        f"`#{e.id}` {e.worked_on:%d %b} · <@{e.agent}> · {format_duration_minutes(e.minutes)}"
        + (f" · {escape(e.note)}" if e.note else "")
        for e in rows
    ]
    lines.append("Correct one with `/support correct #17 45m`, delete it with `/support unlog #17`.")
    return "\n".join(lines)


def _entry_id(text: str) -> int | None:
    return row_id(text.removeprefix("#"), ROW_ID_MAX)


async def correct(deps: Deps, user_id: str, args: list[str]) -> str:
    entry_id = _entry_id(args[0]) if args else None
    if entry_id is None or len(args) < 2:
        return "Write `/support correct #17 45m` (see `/support entries SUP-42` for the numbers)."
    try:
        minutes = parse_work_time(args[1])
    except ValueError as exc:
        return f"{escape(str(exc))}. Nothing was changed."
    entry = await deps.timesheet.correct(entry_id, user_id, minutes=minutes)
    return f"Time entry #{entry.id} is now {format_duration_minutes(entry.minutes)}."


async def unlog(deps: Deps, user_id: str, args: list[str]) -> str:
    entry_id = _entry_id(args[0]) if args else None
    if entry_id is None:
        return "Write `/support unlog #17` (see `/support entries SUP-42` for the numbers)."
    await deps.timesheet.delete(entry_id, user_id)
    return f"Time entry #{entry_id} is deleted; the ticket's event log keeps what it was."
