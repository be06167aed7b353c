"""`/support` and its subcommands.

Help goes back in the acknowledgement itself. Anything that needs the database or Slack is acknowledged
first (Slack's advice: the 3 s deadline then never depends on the database) and answered privately
through the command's response_url.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import blocks
from bot.ids import COMMAND
from bot.services.errors import ServiceError
from handlers.deps import Deps, response_url_of

log = logging.getLogger(__name__)
EMAIL_LOOKUP_TIMEOUT = 1.5  # seconds; the whole answer must reach Slack within 3
REFERENCE = re.compile(r"^(?:SUP-)?(\d{1,12})$", re.IGNORECASE)

HELP = """*Secondline: second-line support*
`/support` raise a ticket (key users)
`/support list` open tickets: your company's, or the unclaimed queue for engineers
`/support mine` tickets you raised or own
`/support show SUP-42` one ticket and its history
`/support escalate SUP-42 <reason>` ask for escalation: the next level is paged at once
`/support oncall` who holds each escalation level now, and until when
`/support help` this help"""


def parse_reference(text: str) -> int | None:
    match = REFERENCE.match(text.strip())
    return int(match.group(1)) if match else None


async def support(ack: AsyncAck, command: dict[str, Any], deps: Deps) -> None:
    user_id = str(command.get("user_id") or "")
    words = str(command.get("text") or "").split()
    sub = words[0].lower() if words else ""
    if sub == "":
        await open_raise_form(ack, command, deps)
        return
    answer = SUBCOMMANDS.get(sub)
    if answer is None:
        await ack(response_type="ephemeral", text=HELP)
        return
    await ack()
    try:
        text = await answer(deps, user_id, words[1:])
    except ServiceError as exc:
        text = str(exc)
    await _reply(deps, command, text)


async def _reply(deps: Deps, command: dict[str, Any], text: str) -> None:
    user_id = str(command.get("user_id") or "")
    await deps.notifier.tell(user_id, command.get("channel_id"), text, response_url_of(command))


async def open_raise_form(ack: AsyncAck, command: dict[str, Any], deps: Deps) -> None:
    user_id = str(command.get("user_id") or "")
    customers = deps.policy.customers_of(user_id)
    await ack()
    if not customers:
        company = await _company_by_email(deps, user_id)
        await _reply(deps, command, blocks.not_key_user_text(deps.policy, company))
        return
    await deps.notifier.open_modal(
        str(command.get("trigger_id") or ""), blocks.raise_modal(deps.policy, customers)
    )


async def _list(deps: Deps, user_id: str, args: list[str]) -> str:
    sections: list[str] = []
    customers = deps.policy.customers_of(user_id)
    if customers:
        tickets = await deps.queries.open_for_customers(customers)
        sections.append("*Your company's open tickets*\n" + await _lines(deps, tickets, "None open."))
    if deps.roles.is_staff(user_id):
        queue = await deps.queries.unclaimed_by_due()
        sections.append("*Unclaimed, most urgent first*\n" + await _lines(deps, queue, "The queue is empty."))
    return (
        "\n\n".join(sections) or "You have no tickets to list. Type `/support help` to see what you can do."
    )


async def _mine(deps: Deps, user_id: str, args: list[str]) -> str:
    sections = []
    raised = await deps.queries.raised_by(user_id)
    if raised or deps.policy.customers_of(user_id):
        sections.append("*Tickets you raised*\n" + await _lines(deps, raised, "None open."))
    if deps.roles.is_staff(user_id):
        sections.append(
            "*Tickets you own*\n" + await _lines(deps, await deps.queries.owned_by(user_id), "None.")
        )
    return "\n\n".join(sections) or "You have no tickets."


async def _show(deps: Deps, user_id: str, args: list[str]) -> str:
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None:
        return "Which ticket? Write `/support show SUP-42`."
    ticket = await deps.queries.visible_to(ticket_id, user_id)
    now = deps.clock.now()
    readings = await deps.sla.readings(ticket, now)
    history = await deps.queries.history(ticket.id)
    lines = [blocks.ticket_line(ticket), *(blocks.clock_line(r) for r in readings), "*History*"]
    lines += [
        f"{blocks.slack_date(e.at)} {e.kind.replace('_', ' ')}" + (f" by <@{e.actor}>" if e.actor else "")
        for e in history[-15:]
    ]
    return "\n".join(lines)


async def _escalate(deps: Deps, user_id: str, args: list[str]) -> str:
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None:
        return "Which ticket? Write `/support escalate SUP-42 <reason>`."
    pages = await deps.pages.request(ticket_id, user_id, " ".join(args[1:]))
    who = ", ".join(f"<@{p.recipient}>" for p in pages) or "the next level (already paged for this ticket)"
    return f"Escalation requested for SUP-{ticket_id}: paging {who} now."


async def _oncall(deps: Deps, user_id: str, args: list[str]) -> str:
    now = deps.clock.now()
    lines = ["*Who holds each escalation level now*"]
    for level in deps.directory.levels():
        duty = deps.directory.on_duty(level, now)
        people = ", ".join(blocks.person(p) for p in duty.people)
        until = f" until {blocks.slack_date(duty.until)}" if duty.until else ""
        lines.append(f"*{level}*: {people}{until}")
    return "\n".join(lines)


SUBCOMMANDS = {
    "list": _list,
    "mine": _mine,
    "show": _show,
    "escalate": _escalate,
    "oncall": _oncall,
}


async def _lines(deps: Deps, tickets: list[Any], empty: str) -> str:
    return "\n".join(await deps.home.lines(tickets)) or f"_{empty}_"


async def _company_by_email(deps: Deps, user_id: str) -> str | None:
    """Find a non-key-user's company from their e-mail domain, when the policy lists domains."""
    if not any(customer.domains for customer in deps.policy.customers.values()):
        return None
    try:
        email = await asyncio.wait_for(deps.notifier.email_of(user_id), EMAIL_LOOKUP_TIMEOUT)
    except TimeoutError:
        log.warning("users.info for %s took too long", user_id)
        return None
    return deps.policy.customer_by_domain(email) if email else None


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(support)
