"""News for the key user who raised a ticket, by DM: raised, claimed, waiting on you, resolved, …"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot import blocks
from bot.jobs.kinds import NotifyReporter
from bot.notifier import Notifier
from bot.services.sla import FIRST_RESPONSE, SlaService
from models import Job, Ticket

log = logging.getLogger(__name__)

Render = Callable[[Ticket, NotifyReporter], Awaitable[blocks.Message]]


class ReporterNews:
    def __init__(self, notifier: Notifier, sla: SlaService) -> None:
        self.notifier = notifier
        self.sla = sla
        self.renderers: dict[str, Render] = {
            "raised": self._raised,
            "claimed": self._plain(lambda t, n: blocks.claimed_dm(t, n.by)),
            "waiting": self._plain(lambda t, n: blocks.waiting_dm(t, n.by)),
            "resolved": self._plain(lambda t, n: blocks.resolved_dm(t, n.by)),
            "reopened": self._plain(lambda t, n: blocks.simple_dm(t, f"<@{n.by}> reopened the ticket.")),
            "priority": self._plain(
                lambda t, n: blocks.simple_dm(
                    t, f"<@{n.by}> changed the priority from {n.previous} to {t.priority}."
                )
            ),
            "escalated": self._plain(lambda t, n: blocks.simple_dm(t, str(n.text))),
        }

    @staticmethod
    def _plain(render: Callable[[Ticket, NotifyReporter], blocks.Message]) -> Render:
        async def rendered(ticket: Ticket, news: NotifyReporter) -> blocks.Message:
            return render(ticket, news)

        return rendered

    async def notify(self, news: NotifyReporter, _: Job) -> None:
        ticket = await Ticket.get_or_none(id=news.ticket_id)
        if ticket is None:
            return
        render = self.renderers.get(news.event)
        if render is None:
            log.error("unknown reporter notification %r for %s", news.event, ticket.ref)
            return
        await self.notifier.dm(ticket.reporter_id, await render(ticket, news))

    async def _raised(self, ticket: Ticket, _: NotifyReporter) -> blocks.Message:
        calendar = self.sla.calendar(ticket)
        clocks = await self.sla.clocks(ticket)
        due = clocks[FIRST_RESPONSE].due_at if FIRST_RESPONSE in clocks else None
        timezone = await self.notifier.timezone_of(ticket.reporter_id, calendar.timezone)
        return blocks.raised_dm(ticket, due, timezone, calendar, ticket.plan.capitalize())
