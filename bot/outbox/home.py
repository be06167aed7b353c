"""Each person's App Home: what they need to act on, for the roles they have."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import blocks
from bot.jobs.kinds import RefreshHome
from bot.jobs.queue import JobQueue
from bot.notifier import Notifier
from bot.policy import Policy
from bot.services.queries import TicketQueries
from bot.services.roles import Roles
from models import Job, Ticket

if TYPE_CHECKING:
    from bot.services.engineering import Waiting


@dataclass
class HomeScreen:
    policy: Policy
    roles: Roles
    queries: TicketQueries
    notifier: Notifier
    jobs: JobQueue
    # Tickets waiting on engineering (bot/services/engineering.py), listed as `/support list` does.
    waiting: Callable[[], Awaitable[Waiting]] | None = None

    async def view_for(self, user_id: str) -> dict[str, Any]:
        sections: list[tuple[str, list[str], str]] = []
        customers = self.policy.customers_of(user_id)
        if customers:
            mine = await self.queries.open_for_customers(customers)
            sections.append(
                (
                    "Your company's open tickets",
                    await self.lines(mine),
                    "No open tickets. Type /support to raise one.",
                )
            )
        if self.roles.is_staff(user_id):
            queue = await self.queries.unclaimed_by_due()
            sections.append(("Unclaimed, most urgent first", await self.lines(queue), "The queue is empty."))
            owned = await self.queries.owned_by(user_id)
            sections.append(("Your tickets", await self.lines(owned), "You own no open tickets."))
            if self.waiting is not None:
                waiting = await self.waiting()
                shown = [*waiting.summary(), *await self.lines(waiting.tickets)]
                sections.append(("Waiting on engineering", shown, "None."))
        if self.roles.is_escalation(user_id):
            risky = await self.queries.at_risk()
            sections.append(
                ("At risk or breached", await self.lines(risky), "Every open ticket is within its targets.")
            )
            pages = await self.queries.unacknowledged_pages(user_id)
            lines = [
                f"*SUP-{p.ticket_id}* · {p.reason} · paged {blocks.slack_date(p.created_at)}" for p in pages
            ]
            sections.append(("Your unacknowledged pages", lines, "No pages waiting for you."))
        return blocks.home_view(sections)

    async def lines(self, tickets: list[Ticket]) -> list[str]:
        """One line per ticket; unclaimed ones with their first-response due time, breached and at-risk
        ones said as such (the queries put those first)."""
        due = await self.queries.first_response_due(tickets)
        urgent = await self.queries.urgency(tickets)
        return [blocks.ticket_line(ticket, due.get(ticket.id), urgent.get(ticket.id)) for ticket in tickets]

    async def publish(self, user_id: str) -> None:
        await self.notifier.publish_home(user_id, await self.view_for(user_id))

    async def refresh(self, job: RefreshHome, _: Job) -> None:
        await self.publish(job.user)

    async def refresh_later(self, user_id: str) -> None:
        """Queue a redraw of this person's App Home (after their own actions)."""
        async with self.jobs.transaction():
            await self.jobs.enqueue(RefreshHome(user=user_id))
