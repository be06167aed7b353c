"""Each person's App Home: what they need to act on, built from the services and rendered as Block Kit."""

from __future__ import annotations

from typing import Any

from bot import blocks
from bot.clock import Clock
from bot.config import Policy
from bot.services.escalation import EscalationService
from bot.services.sla import FIRST_RESPONSE, SlaService
from bot.services.tickets import LIST_FIELDS, TicketService
from bot.sla import AT_RISK
from models import ClockState, SlaClock, Ticket, TicketStatus

WATCH_LIMIT = 20


class HomeBuilder:
    def __init__(
        self,
        policy: Policy,
        clock: Clock,
        tickets: TicketService,
        sla: SlaService,
        escalation: EscalationService,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.tickets = tickets
        self.sla = sla
        self.escalation = escalation

    async def view_for(self, user_id: str) -> dict[str, Any]:
        sections: list[tuple[str, list[str], str]] = []
        customers = self.policy.customers_of(user_id)
        if customers:
            mine = await self.tickets.open_for_customers(customers)
            sections.append(
                (
                    "Your company's open tickets",
                    await self.lines(mine),
                    "No open tickets. Type /support to raise one.",
                )
            )
        if self.policy.is_engineer(user_id) or self.tickets.is_escalation(user_id):
            sections.append(
                (
                    "Unclaimed, most urgent first",
                    await self.lines(await self.unclaimed_by_due()),
                    "The queue is empty.",
                )
            )
            sections.append(
                (
                    "Your tickets",
                    await self.lines(await self.tickets.owned_by(user_id)),
                    "You own no open tickets.",
                )
            )
        if self.tickets.is_escalation(user_id):
            sections.append(
                (
                    "At risk or breached",
                    await self.lines(await self.at_risk()),
                    "Every open ticket is within its targets.",
                )
            )
            pages = await self.escalation.unacknowledged_for(user_id)
            lines = [
                f"*SUP-{p.ticket_id}* · {p.reason} · paged {blocks.slack_date(p.created_at)}" for p in pages
            ]
            sections.append(("Your unacknowledged pages", lines, "No pages waiting for you."))
        return blocks.home_view(sections)

    async def unclaimed_by_due(self) -> list[Ticket]:
        """Unclaimed open tickets, soonest first-response due first (the SLA clock orders the queue)."""
        rows = (
            await SlaClock.filter(
                name=FIRST_RESPONSE, ticket__owner_id__isnull=True, ticket__status__not=TicketStatus.RESOLVED
            )
            .order_by("due_at")
            .limit(WATCH_LIMIT)
            .values("ticket_id")
        )
        ids = [int(row["ticket_id"]) for row in rows]
        by_id = {t.id: t for t in await Ticket.filter(id__in=ids).only(*LIST_FIELDS)}
        return [by_id[ticket_id] for ticket_id in ids if ticket_id in by_id]

    async def at_risk(self) -> list[Ticket]:
        """Open tickets with a clock past 75 % of its target or breached, most urgent first."""
        now = self.clock.now()
        candidates = (
            await SlaClock.filter(
                stopped_at__isnull=True,
                ticket__status__not=TicketStatus.RESOLVED,
                state__in=[ClockState.RUNNING, ClockState.BREACHED],
            )
            .order_by("due_at")
            .limit(200)
            .prefetch_related("ticket")
        )
        found: dict[int, Ticket] = {}
        for clock in candidates:
            reading = self.sla.read_clock(clock.ticket, clock, now)
            if reading.percent >= AT_RISK and clock.ticket_id not in found:
                found[clock.ticket_id] = clock.ticket
        return list(found.values())[:WATCH_LIMIT]

    async def lines(self, tickets: list[Ticket]) -> list[str]:
        """One line per ticket; unclaimed ones with their first-response due time."""
        unclaimed = [t.id for t in tickets if t.owner_id is None]
        rows = await SlaClock.filter(
            ticket_id__in=unclaimed, name=FIRST_RESPONSE, state=ClockState.RUNNING
        ).values("ticket_id", "due_at")
        due = {row["ticket_id"]: row["due_at"] for row in rows}  # one light query for the whole list
        return [blocks.ticket_line(ticket, due.get(ticket.id)) for ticket in tickets]
