"""News for the key user who raised a ticket, by DM: raised, claimed, waiting on you, resolved, …

Several notices waiting for the same person go out as one message: a storm of tickets from one key user
becomes a few DMs rather than one per change, within Slack's message-a-second per conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot import blocks
from bot.blocks.dms import reply_dm
from bot.blocks.kit import message
from bot.engineering.notices import (
    fix_confirmed_text,
    fix_pending_text,
    fix_shipped_dm,
    still_fails_text,
)
from bot.jobs.kinds import NotifyReporter, TellPerson
from bot.jobs.queue import JobQueue
from bot.notifier import Notifier
from bot.services.entitlements import Entitlements
from bot.services.sla import FIRST_RESPONSE, SlaService
from bot.slack.once import PostOnce
from models import Job, Ticket

log = logging.getLogger(__name__)

Render = Callable[[Ticket, NotifyReporter], Awaitable[blocks.Message]]
COALESCE_HORIZON = timedelta(seconds=30)  # pending notices due this soon go out with the one being sent
MESSAGE_BLOCKS_MAX = 50


def _plain(render: Callable[[Ticket, NotifyReporter], blocks.Message]) -> Render:
    async def rendered(ticket: Ticket, news: NotifyReporter) -> blocks.Message:
        return render(ticket, news)

    return rendered


def combine(messages: list[blocks.Message]) -> list[blocks.Message]:
    """Messages for one person as few messages as Block Kit allows (dividers between, block ids unique)."""
    combined: list[blocks.Message] = []
    texts: list[str] = []
    current: list[dict[str, Any]] = []
    for index, one in enumerate(messages):
        parts = [
            dict(b, block_id=f"{b['block_id']}-{index}") if "block_id" in b else b for b in one["blocks"]
        ]
        if current and len(current) + 1 + len(parts) > MESSAGE_BLOCKS_MAX:
            combined.append(message("\n".join(texts), current))
            texts, current = [], []
        current = [*current, {"type": "divider"}, *parts] if current else parts
        texts.append(one["text"])
    if current:
        combined.append(message("\n".join(texts), current))
    return combined


@dataclass
class ReporterNews:
    notifier: Notifier
    sla: SlaService
    jobs: JobQueue
    once: PostOnce
    renderers: dict[str, Render] = field(init=False)

    def __post_init__(self) -> None:
        self.renderers = {
            "raised": self._raised,
            "claimed": _plain(lambda t, n: blocks.claimed_dm(t, n.by)),
            "waiting": _plain(lambda t, n: blocks.waiting_dm(t, n.by, n.text)),
            "reply": _plain(lambda t, n: reply_dm(t, n.by, str(n.text or ""))),
            "resumed": _plain(
                lambda t, n: blocks.simple_dm(
                    t, "thanks, your answer arrived; the resolution clock runs again."
                )
            ),
            "resolved": _plain(lambda t, n: blocks.resolved_dm(t, n.by)),
            "reopened": _plain(lambda t, n: blocks.simple_dm(t, f"<@{n.by}> reopened the ticket.")),
            "priority": _plain(
                lambda t, n: blocks.simple_dm(
                    t, f"<@{n.by}> changed the priority from {n.previous} to {t.priority}."
                )
            ),
            "escalated": _plain(lambda t, n: blocks.simple_dm(t, str(n.text))),
            "reclassified": _plain(lambda t, n: blocks.simple_dm(t, str(n.text))),
            "fix_shipped": _plain(
                lambda t, n: fix_shipped_dm(t, n.text, self.sla.policy.engineering.confirm_within)
            ),
            "fix_pending": _plain(lambda t, n: blocks.simple_dm(t, fix_pending_text())),
            "fix_confirmed": _plain(lambda t, n: blocks.simple_dm(t, fix_confirmed_text())),
            "still_fails": _plain(lambda t, n: blocks.simple_dm(t, still_fails_text())),
            "post_failed": _plain(
                lambda t, n: blocks.simple_dm(
                    t,
                    "your ticket is saved, but it could not be shown to the support team just now. They "
                    "have been alerted, and it will reach them as soon as that is fixed; nothing is lost.",
                )
            ),
        }

    async def notify(self, news: NotifyReporter, job: Job) -> None:
        along = await self.jobs.take_topic(job, COALESCE_HORIZON)
        try:
            messages = [m for m in [await self._render(news)] if m is not None]
            for other in along:
                rendered = await self._render(NotifyReporter.from_job(other))
                if rendered is not None:
                    messages.append(rendered)
            recipient = news.to or await self._reporter_of(news) if messages else ""
            for n, combined in enumerate(combine(messages)):
                news_message = {"unfurl_links": False, **combined}
                await self.once.post(job, f"news:{job.id}.{n}", recipient, news_message)
        except BaseException:
            await self.jobs.release(along)
            raise
        await self.jobs.finish_all(along)

    async def tell(self, note: TellPerson, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=note.ticket_id)
        if ticket is not None:
            told = {"unfurl_links": False, **blocks.simple_dm(ticket, note.text)}
            await self.once.post(job, f"tell:{job.id}", note.to, told)

    async def _render(self, news: NotifyReporter) -> blocks.Message | None:
        ticket = await Ticket.get_or_none(id=news.ticket_id)
        render = self.renderers.get(news.event)
        if ticket is None or render is None:
            log.error(
                "reporter notification %r for SUP-%s cannot be shown; dropped", news.event, news.ticket_id
            )
            return None
        return await render(ticket, news)

    async def _reporter_of(self, news: NotifyReporter) -> str:
        """For notices queued before they carried their recipient."""
        ticket = await Ticket.get(id=news.ticket_id)
        return ticket.reporter_id

    async def _raised(self, ticket: Ticket, news: NotifyReporter) -> blocks.Message:
        calendar = self.sla.calendar(ticket)
        clocks = await self.sla.clocks(ticket)
        due = clocks[FIRST_RESPONSE].due_at if FIRST_RESPONSE in clocks else None
        # Each key user told of a ticket raised on their company's behalf reads the due time in their zone.
        timezone = await self.notifier.timezone_of(news.to or ticket.reporter_id, calendar.timezone)
        policy = self.sla.policy
        known = ticket.paid_request and ticket.customer in policy.customers
        entitled = Entitlements(policy)
        terms = entitled.paid_work(ticket.customer).text if known else None
        if known and ticket.addon:  # paid at its add-on's rate, not the contract's
            terms = entitled.addon_words(ticket.customer, ticket.category) or terms
        return blocks.raised_dm(ticket, due, timezone, calendar, policy.plan_label(ticket.plan), terms)
