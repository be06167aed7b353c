"""People acting on escalations: acknowledge a page, take the ticket from it, or ask for escalation."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.jobs.kinds import NotifyReporter, RedrawPage
from bot.jobs.queue import JobQueue
from bot.permissions import Do, Role
from bot.services.errors import NotAllowed, ServiceError
from bot.services.events import announce, record
from bot.services.ladder import Ladder, PageRequest
from bot.services.queries import TicketQueries
from bot.services.roles import Roles
from bot.services.transitions import Transitions
from bot.text import escape
from models import Page, Ticket, TicketStatus

REASON_MAX = 500


@dataclass
class PageActions:
    clock: Clock
    jobs: JobQueue
    roles: Roles
    queries: TicketQueries
    transitions: Transitions
    ladder: Ladder

    async def acknowledge(self, page_id: int, user_id: str) -> Page:
        page = await self._page(page_id)
        ticket = await self.queries.get(page.ticket_id)
        extra = {Role.PAGED} if page.recipient == user_id else set()
        self.roles.require(Do.ACKNOWLEDGE, user_id, ticket, extra)
        now = self.clock.now()
        async with self.jobs.transaction():
            done = await Page.filter(id=page_id, acknowledged_at__isnull=True).update(
                acknowledged_at=now, acknowledged_by=user_id
            )
            if done:
                await record(ticket.id, now, user_id, "page_acknowledged", page=page_id, level=page.level)
                page.acknowledged_at, page.acknowledged_by = now, user_id
                await self.ladder.acknowledged(ticket, page)  # its step's ack_timeout, if it has one
                await self.jobs.enqueue(RedrawPage(ticket_id=ticket.id, page=page_id))
                await announce(
                    self.jobs, ticket.id, note=f"<@{user_id}> acknowledged the escalation.", redraw=False
                )
        return await self._page(page_id)

    async def take(self, page_id: int, user_id: str) -> Ticket:
        """Own the ticket a page is about and acknowledge the page; refused before anything changes if the
        person may not acknowledge it."""
        page = await self._page(page_id)
        ticket = await self.queries.get(page.ticket_id)
        self.roles.require(
            Do.ACKNOWLEDGE, user_id, ticket, {Role.PAGED} if page.recipient == user_id else set()
        )
        if ticket.owner_id == user_id:
            if page.acknowledged_at is None:
                await self.acknowledge(page_id, user_id)
            return ticket
        if ticket.owner_id is None:
            result = await self.transitions.claim(ticket.id, user_id)
            if not result.won:
                raise ServiceError(f"{ticket.ref} was just claimed by <@{result.ticket.owner_id}>.")
        else:
            await self.transitions.reassign(ticket.id, user_id, user_id)
        if page.acknowledged_at is None:
            await self.acknowledge(page_id, user_id)
        async with self.jobs.transaction():
            await self.jobs.enqueue(RedrawPage(ticket_id=ticket.id, page=page_id))
        return await self.queries.get(ticket.id)

    async def request(self, ticket_id: int, user_id: str, reason: str) -> list[Page]:
        """A key user (or anyone allowed) asks for escalation: the next level is paged at once."""
        ticket = await self.queries.get(ticket_id)
        self.roles.require(Do.ESCALATE, user_id, ticket)
        if ticket.status == TicketStatus.RESOLVED:
            raise ServiceError(f"{ticket.ref} is resolved; reopen it first.")
        reason = " ".join(reason.split())[:REASON_MAX]
        if not reason:
            raise ServiceError(
                "Say why the ticket needs escalating, e.g. `/support escalate SUP-42 payroll run blocked`."
            )
        level = await self.ladder.next_level(ticket)
        now = self.clock.now()
        requests = await Page.filter(ticket_id=ticket.id, step_key__startswith="request.").count()
        async with self.jobs.transaction():
            await record(ticket.id, now, user_id, "escalation_requested", level=level, reason=reason)
            await announce(
                self.jobs,
                ticket.id,
                reporter=NotifyReporter.about(
                    ticket,
                    "escalated",
                    text=f"Escalation requested by <@{user_id}>: the {level} level is being paged now.",
                ),
            )
        # Stored as mrkdwn, the user's words escaped, as page DMs and thread notes show it.
        text = f"escalation requested by <@{user_id}>: {escape(reason)}"
        return await self.ladder.page(PageRequest(ticket, level, f"request.{requests + 1}", text, now))

    async def _page(self, page_id: int) -> Page:
        page = await Page.get_or_none(id=page_id)
        if page is None:
            raise NotAllowed("That page no longer exists.")
        return page
