"""`/support` subcommands, each `async (deps, user_id, args) -> str`: the text answered to the person."""

from collections.abc import Awaitable, Callable

from handlers.deps import Deps
from handlers.engineering import link
from handlers.storms import incident
from handlers.subcommands.answers import answers_command, search
from handlers.subcommands.billing import correct, entries, hours, log_time, statement, unlog, unwaive, waive
from handlers.subcommands.plan import plan
from handlers.subcommands.reports import account, report, simulate
from handlers.subcommands.tickets import escalate, mine, oncall, show, ticket_list

Subcommand = Callable[[Deps, str, list[str]], Awaitable[str]]

SUBCOMMANDS: dict[str, Subcommand] = {
    "list": ticket_list,
    "mine": mine,
    "show": show,
    "escalate": escalate,
    "oncall": oncall,
    "plan": plan,
    "log": log_time,
    "waive": waive,
    "unwaive": unwaive,
    "hours": hours,
    "statement": statement,
    "entries": entries,
    "correct": correct,
    "unlog": unlog,
    "report": report,
    "account": account,
    "simulate": simulate,
    "incident": incident,
    "link": link,
    "search": search,
    "answers": answers_command,
}
