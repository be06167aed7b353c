"""Reads for lists, App Home and `/support` answers: load only what a line shows, with indexed queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import Subquery

from bot.clock import Clock
from bot.permissions import Role
from bot.services.errors import NotFound
from bot.services.roles import Roles
from bot.services.sla import FIRST_RESPONSE, SlaService
from bot.sla_time import AT_RISK
from models import ClockState, Page, SlaClock, Ticket, TicketEvent, TicketStatus

# What a list line shows (no policy JSON, no description).
LIST_FIELDS = ("id", "priority", "title", "owner_id", "status", "paid_request")
MAX_LISTED = 20  # tickets per list in App Home and /support list, to stay inside Block Kit limits
AT_RISK_CANDIDATES = 200


@dataclass
class TicketQueries:
    clock: Clock
    roles: Roles
    sla: SlaService

    async def get(self, ticket_id: int) -> Ticket:
        ticket = await Ticket.get_or_none(id=ticket_id)
        if ticket is None:
            raise NotFound(f"There is no ticket SUP-{ticket_id}.")
        return ticket

    async def visible_to(self, ticket_id: int, user_id: str) -> Ticket:
        """A ticket, if this person may see it: its customer's key users, engineers, escalation levels."""
        ticket = await self.get(ticket_id)
        if not self.roles.of(user_id, ticket) & {Role.KEY_USER, Role.ENGINEER, Role.ESCALATION}:
            raise NotFound(f"There is no ticket {ticket.ref} that you can see.")
        return ticket

    async def history(self, ticket_id: int) -> list[TicketEvent]:
        return await TicketEvent.filter(ticket_id=ticket_id).order_by("at", "id")

    async def open_for_customers(self, customers: list[str]) -> list[Ticket]:
        return (
            await Ticket.filter(customer__in=customers, status__not=TicketStatus.RESOLVED)
            .order_by("id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )

    async def owned_by(self, user_id: str) -> list[Ticket]:
        return (
            await Ticket.filter(owner_id=user_id, status__not=TicketStatus.RESOLVED)
            .order_by("priority", "id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )

    async def raised_by(self, user_id: str) -> list[Ticket]:
        return (
            await Ticket.filter(reporter_id=user_id, status__not=TicketStatus.RESOLVED)
            .order_by("priority", "id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )

    async def unclaimed_by_due(self) -> list[Ticket]:
        """Unclaimed open tickets by their plan's queue rank, then soonest first-response due first.

        The read starts from the unclaimed open tickets, found in the (owner_id, status, plan_rank) index
        alone, and reaches their first-response clocks by the clocks' unique (ticket_id, name) key: the
        claimed and resolved tickets, the bulk of both tables, are never read."""
        unclaimed = Ticket.filter(
            owner_id__isnull=True, status__in=[TicketStatus.OPEN, TicketStatus.WAITING]
        ).values("id")
        rows = (
            await SlaClock.filter(name=FIRST_RESPONSE, ticket_id__in=Subquery(unclaimed))
            .order_by("ticket__plan_rank", "due_at")  # the plan's queue rank first, then the most urgent
            .limit(MAX_LISTED)
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
            .limit(AT_RISK_CANDIDATES)
            .prefetch_related("ticket")
        )
        found: dict[int, Ticket] = {}
        for sla_clock in candidates:
            reading = self.sla.read_clock(sla_clock.ticket, sla_clock, now)
            if reading.percent >= AT_RISK and sla_clock.ticket_id not in found:
                found[sla_clock.ticket_id] = sla_clock.ticket
        return list(found.values())[:MAX_LISTED]

    async def first_response_due(self, tickets: list[Ticket]) -> dict[int, datetime]:
        """When each unclaimed ticket's first response is due, in one light query for a whole list.

        Read by the clocks' unique (ticket_id, name) key, the state checked here: filtering on the state in
        SQL lets SQLite pick the (name, state, due_at) index instead, whose running clocks grow with the
        table."""
        unclaimed = [t.id for t in tickets if t.owner_id is None]
        if not unclaimed:
            return {}
        rows = await SlaClock.filter(ticket_id__in=unclaimed, name=FIRST_RESPONSE).values(
            "ticket_id", "due_at", "state", "stopped_at"
        )
        running = (ClockState.RUNNING, ClockState.BREACHED)  # overdue: the most urgent line of all
        return {
            int(row["ticket_id"]): row["due_at"]
            for row in rows
            if row["due_at"] is not None and row["stopped_at"] is None and row["state"] in running
        }

    async def unacknowledged_pages(self, user_id: str) -> list[Page]:
        return (
            await Page.filter(
                recipient=user_id, acknowledged_at__isnull=True, ticket__status__not=TicketStatus.RESOLVED
            )
            .order_by("-created_at")
            .limit(MAX_LISTED)
        )
