"""Reads for lists, App Home and `/support` answers: load only what a line shows, with indexed queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.expressions import Q, Subquery

from bot import sla_time
from bot.clock import Clock
from bot.permissions import Role
from bot.policy import CalendarSpec
from bot.services.errors import NotFound
from bot.services.roles import Roles
from bot.services.sla import FIRST_RESPONSE, SlaService
from bot.sla_time import AT_RISK
from bot.urgency import LIVE, Urgency, urgency_of, urgent_first
from models import ClockState, Page, SlaClock, Ticket, TicketEvent, TicketStatus

# What a list line shows (no policy JSON, no description).
LIST_FIELDS = ("id", "priority", "title", "owner_id", "status", "paid_request")
MAX_LISTED = 20  # tickets per list in App Home and /support list, to stay inside Block Kit limits
AT_RISK_CANDIDATES = 200
# Besides a list's own first MAX_LISTED, the tickets whose clocks fall due soonest: so a breached or
# at-risk ticket further down the list's own order still comes first (breached ones are due soonest).
URGENT_CANDIDATES = 40


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
        listed = (
            await Ticket.filter(customer__in=customers, status__not=TicketStatus.RESOLVED)
            .order_by("id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )
        return await self._urgent_first(listed, Q(ticket__customer__in=customers))

    async def owned_by(self, user_id: str) -> list[Ticket]:
        listed = (
            await Ticket.filter(owner_id=user_id, status__not=TicketStatus.RESOLVED)
            .order_by("priority", "id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )
        return await self._urgent_first(listed, Q(ticket__owner_id=user_id))

    async def raised_by(self, user_id: str) -> list[Ticket]:
        """Tickets this person raised: as the key user, or as staff on a customer's behalf."""
        listed = (
            await Ticket.filter(
                Q(reporter_id=user_id) | Q(raised_by=user_id), status__not=TicketStatus.RESOLVED
            )
            .order_by("priority", "id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )
        return await self._urgent_first(listed, Q(ticket__reporter_id=user_id) | Q(ticket__raised_by=user_id))

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
        listed = [by_id[ticket_id] for ticket_id in ids if ticket_id in by_id]
        # Breached and at-risk first; the rest keep the queue's order (plan rank, then due).
        return await self._urgent_first(listed, Q(ticket__owner_id__isnull=True), rest_by_due=False)

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
        risky = list(found.values())[:MAX_LISTED]
        return urgent_first(risky, await self.urgency(risky))

    async def urgency(self, tickets: list[Ticket]) -> dict[int, Urgency]:
        """How urgent each listed ticket is (breached, at risk, on track), read from its running clocks."""
        ids = [t.id for t in tickets]
        if not ids:
            return {}
        clocks = await SlaClock.filter(ticket_id__in=ids, stopped_at__isnull=True, state__in=LIVE)
        if not clocks:
            return {}
        # The calendar each ticket was raised under (its policy snapshot), as its countdowns use.
        rows = await Ticket.filter(id__in={c.ticket_id for c in clocks}).values("id", "plan", "policy")
        calendars = {int(row["id"]): self._calendar(row) for row in rows}
        now = self.clock.now()
        readings: dict[int, list[sla_time.ClockReading]] = {}
        for sla_clock in clocks:
            calendar = calendars.get(sla_clock.ticket_id)
            if calendar is not None:
                reading = sla_time.read(sla_clock.name, sla_clock, calendar, now)
                readings.setdefault(sla_clock.ticket_id, []).append(reading)
        found = {ticket_id: urgency_of(read) for ticket_id, read in readings.items()}
        return {ticket_id: urgency for ticket_id, urgency in found.items() if urgency is not None}

    def _calendar(self, row: dict[str, Any]) -> CalendarSpec | None:
        policy = self.sla.policy
        stored = row.get("policy")
        snapshot: dict[str, Any] = stored if isinstance(stored, dict) else {}
        plan = policy.plans.get(str(row.get("plan")))
        name = snapshot.get("calendar") or (plan.calendar if plan is not None else None)
        return policy.calendars.get(name) if name else None

    async def _urgent_first(
        self, listed: list[Ticket], whose: Q, *, rest_by_due: bool = True
    ) -> list[Ticket]:
        """The list with its breached tickets first, then those at risk, then the rest (see
        bot/urgency.py); `whose` (on a clock's ticket) finds the list's tickets due soonest beyond it."""
        soonest = (
            await SlaClock.filter(
                whose, stopped_at__isnull=True, state__in=LIVE, ticket__status__not=TicketStatus.RESOLVED
            )
            .order_by("due_at")
            .limit(URGENT_CANDIDATES)
            .values("ticket_id")
        )
        known = {t.id for t in listed}
        beyond = [i for i in dict.fromkeys(int(row["ticket_id"]) for row in soonest) if i not in known]
        if beyond:
            listed = [*listed, *await Ticket.filter(id__in=beyond).only(*LIST_FIELDS)]
        ordered = urgent_first(listed, await self.urgency(listed), rest_by_due=rest_by_due)
        return ordered[:MAX_LISTED]

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
