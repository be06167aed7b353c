"""Subcommands about tickets: list, mine, show, escalate, oncall."""

from __future__ import annotations

from bot import blocks
from bot.blocks.csat import satisfaction_line
from bot.mail.thread import mail_thread
from bot.text import mention
from handlers.deps import Deps
from handlers.subcommands.common import lines, parse_reference


async def ticket_list(deps: Deps, user_id: str, args: list[str]) -> str:
    sections: list[str] = []
    customers = deps.policy.customers_of(user_id)
    if customers:
        tickets = await deps.queries.open_for_customers(customers)
        sections.append("*Your company's open tickets*\n" + await lines(deps, tickets, "None open."))
    if deps.roles.is_staff(user_id):  # the same for every staff member: overlapping reads share one run
        sections += await deps.shared_reads.read("staff_queue", lambda: _staff_queue(deps))
    return (
        "\n\n".join(sections) or "You have no tickets to list. Type `/support help` to see what you can do."
    )


async def _staff_queue(deps: Deps) -> list[str]:
    queue = await deps.queries.unclaimed_by_due()
    sections = ["*Unclaimed, most urgent first*\n" + await lines(deps, queue, "The queue is empty.")]
    if deps.engineering is not None:
        waiting = await deps.engineering.waiting()
        shown = [*waiting.summary(), *await deps.home.lines(waiting.tickets)]
        sections.append("*Waiting on engineering*\n" + ("\n".join(shown) or "_None._"))
    return sections


async def mine(deps: Deps, user_id: str, args: list[str]) -> str:
    sections = []
    raised = await deps.queries.raised_by(user_id)
    if raised or deps.policy.customers_of(user_id):
        sections.append("*Tickets you raised*\n" + await lines(deps, raised, "None open."))
    if deps.roles.is_staff(user_id):
        sections.append(
            "*Tickets you own*\n" + await lines(deps, await deps.queries.owned_by(user_id), "None.")
        )
    return "\n\n".join(sections) or "You have no tickets."


async def show(deps: Deps, user_id: str, args: list[str]) -> str:
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None:
        return "Which ticket? Write `/support show SUP-42`."
    ticket = await deps.queries.visible_to(ticket_id, user_id)
    now = deps.clock.now()
    readings = await deps.sla.readings(ticket, now)
    history = await deps.queries.history(ticket.id)
    shown = [blocks.ticket_line(ticket), f"*Plan:* {deps.policy.plan_label(ticket.plan)}"]
    if ticket.category:
        shown.append(f"*About:* {blocks.category_text(deps.policy, ticket)}")
    if ticket.callback_phone and deps.roles.is_staff(user_id):  # engineers only, never the shared channel
        dial = "".join(c for c in ticket.callback_phone if c.isdigit() or c == "+")
        shown.append(f"*Call back on:* <tel:{dial}|{blocks.escape(ticket.callback_phone)}>")
    shown += satisfaction_line(await deps.satisfaction.of_ticket(ticket.id))
    if deps.engineering is not None and deps.roles.is_staff(user_id):  # issue URLs may be private
        shown += await deps.engineering.link_lines(ticket.id)
    shown += [*(blocks.clock_line(r) for r in readings), "*History*"]
    shown += [
        f"{blocks.slack_date(e.at)} {e.kind.replace('_', ' ')}"
        + (f" by {mention(e.actor)}" if e.actor else "")
        for e in history[-15:]
    ]
    shown += await mail_thread(ticket)  # e-mail tickets: the messages in and out
    return "\n".join(shown)


async def escalate(deps: Deps, user_id: str, args: list[str]) -> str:
    ticket_id = parse_reference(args[0]) if args else None
    if ticket_id is None:
        return "Which ticket? Write `/support escalate SUP-42 <reason>`."
    pages = await deps.pages.request(ticket_id, user_id, " ".join(args[1:]))
    who = ", ".join(f"<@{p.recipient}>" for p in pages) or "the next level (already paged for this ticket)"
    return f"Escalation requested for SUP-{ticket_id}: paging {who} now."


async def oncall(deps: Deps, user_id: str, args: list[str]) -> str:
    now = deps.clock.now()
    lines = ["*Who holds each escalation level now*"]
    for level in deps.directory.levels():
        duty = deps.directory.on_duty(level, now)
        people = ", ".join(blocks.person(p) for p in duty.people)
        until = f" until {blocks.slack_date(duty.until)}" if duty.until else ""
        lines.append(f"*{level}*: {people}{until}")
    return "\n".join(lines)
