"""Escalation pages by DM, with a fallback into the support channel when a DM can never arrive."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import blocks, metrics
from bot.clock import Clock
from bot.durations import format_duration
from bot.jobs.kinds import DeliverPage, RedrawPage
from bot.notifier import Notifier
from bot.policy import Policy
from bot.services.events import record
from bot.slack.api import SlackApi
from bot.slack.errors import UNDELIVERABLE_DM, SlackRefused
from bot.slack.once import PostOnce
from models import Job, Page, Ticket

log = logging.getLogger(__name__)


@dataclass
class PageOutbox:
    api: SlackApi
    notifier: Notifier
    policy: Policy
    clock: Clock
    once: PostOnce

    async def deliver(self, job: DeliverPage, attempt: Job) -> None:
        page = await Page.get_or_none(id=job.page)
        if page is None or page.sent_at is not None:
            return
        ticket = await Ticket.get(id=page.ticket_id)
        link = await self.notifier.permalink(ticket.channel_id, ticket.message_ts)
        try:
            message = blocks.page_message(page, ticket, self.policy, self.clock.now(), link)
            answer = await self.once.post(
                attempt, f"page:{page.id}", page.recipient, {"unfurl_links": False, **message}, urgent=True
            )
        except SlackRefused as exc:
            if exc.error not in UNDELIVERABLE_DM:
                raise
            # Nobody may go unpaged: post it in the support channel instead, naming the person.
            log.warning(
                "page %s to %s undeliverable (%s); posting in the support channel",
                page.id,
                page.recipient,
                exc.error,
            )
            message = blocks.page_message(
                page, ticket, self.policy, self.clock.now(), link, fallback_for=page.recipient
            )
            answer = await self.once.post(
                attempt,
                f"page:{page.id}",
                self.policy.support_channel,
                {"unfurl_links": False, **message},
                urgent=True,
            )
            await record(
                ticket.id, self.clock.now(), None, "page_fell_back", recipient=page.recipient, error=exc.error
            )
            page.fell_back = True
        page.sent_at = self.clock.now()
        metrics.PAGE_LAG_SECONDS.observe(max(0.0, (page.sent_at - page.due_at).total_seconds()))
        log.info(
            "%s page to %s delivered %s after it was due",
            ticket.ref,
            page.recipient,
            format_duration(page.sent_at - page.due_at),
        )
        page.channel_id = str(answer.get("channel") or page.recipient)
        page.message_ts = str(answer.get("ts") or "")
        await page.save(update_fields=["sent_at", "channel_id", "message_ts", "fell_back"])

    async def redraw(self, job: RedrawPage, _: Job) -> None:
        page = await Page.get_or_none(id=job.page)
        if page is None or page.message_ts is None or page.channel_id is None:
            return
        ticket = await Ticket.get(id=page.ticket_id)
        message = blocks.page_message(
            page,
            ticket,
            self.policy,
            self.clock.now(),
            await self.notifier.permalink(ticket.channel_id, ticket.message_ts),
            fallback_for=page.recipient if page.fell_back else None,
        )
        await self.api.call("chat.update", channel=page.channel_id, ts=page.message_ts, **message)
