"""Escalation pages by DM, with a fallback into the support channel when a DM can never arrive.

Pages due together to one person go out as one DM listing them: their DeliverPage jobs share a topic (the
person), and the first to run takes the others along (JobQueue.take_topic), as reporter news does.

Exactly once, though a message may carry several pages: before a message is posted its pages are marked
with the message's own post-once key (Page.bundle, bot/slack/once.py). An attempt that finds a page so
marked but not sent looks for that key in the conversation first and takes the message it finds for every
page of that key: a timeout after Slack had posted, or a replica killed before it wrote the answer down,
doubles nothing, whichever of the pages' jobs runs next.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot import metrics
from bot.blocks.pages import PAGES_PER_MESSAGE, PagePart, page_bundle
from bot.clock import Clock
from bot.durations import format_duration
from bot.jobs.kinds import DeliverPage, RedrawPage
from bot.jobs.outcomes import Deferred
from bot.jobs.queue import JobQueue
from bot.notifier import Notifier
from bot.policy import Policy
from bot.services.events import record
from bot.services.ladder import LATE_AFTER
from bot.slack.api import SlackApi
from bot.slack.errors import UNDELIVERABLE_DM, SlackRefused
from bot.slack.once import PostOnce
from models import Job, Page, Ticket
from models.tickets import REF_PREFIX

log = logging.getLogger(__name__)

# Pending pages to the same person due this soon go out in the DM being sent (bot/services/ladder.py holds
# each page back GATHER_PAGES for its neighbours, so this covers them all).
BUNDLE_HORIZON = timedelta(seconds=2)
IN_ORDER = ("due_at", "ticket_id", "id")  # the order of the pages in their DM, the same on every redraw


@dataclass
class PageOutbox:
    api: SlackApi
    notifier: Notifier
    policy: Policy
    clock: Clock
    once: PostOnce
    jobs: JobQueue

    async def deliver(self, job: DeliverPage, attempt: Job) -> None:
        along = await self.jobs.take_topic(attempt, BUNDLE_HORIZON)
        try:
            ids = [job.page, *(DeliverPage.from_job(other).page for other in along)]
            # Where to look for an earlier attempt's message: from the oldest job's creation.
            since = min([attempt, *along], key=lambda one: one.created_at)
            await self._deliver(ids, since)
        except BaseException:
            await self.jobs.release(along)
            raise
        await self.jobs.finish_all(along)

    async def _deliver(self, ids: list[int], since: Job) -> None:
        pages = await Page.filter(id__in=ids, sent_at__isnull=True).order_by(*IN_ORDER)
        landed: set[str] = set()
        for key in sorted({page.bundle for page in pages if page.bundle}):
            marked = next(page for page in pages if page.bundle == key)
            where = self.policy.support_channel if marked.fell_back else marked.recipient
            found = await self.once.find(since, key, where, None)
            if found is not None:
                log.info("%s reached Slack on an earlier attempt; not posting it again", key)
                await self._sent(key, found)
                landed.add(key)
        pages = [page for page in pages if page.bundle not in landed]
        if not pages:
            return
        parts = await self._parts(pages)
        for start in range(0, len(parts), PAGES_PER_MESSAGE):
            await self._send(parts[start : start + PAGES_PER_MESSAGE])

    async def _send(self, parts: list[PagePart]) -> None:
        """Post one message of pages (all to one person), marked first so that no retry posts it again."""
        ids = [part.page.id for part in parts]
        recipient = parts[0].page.recipient
        await self._mark_late(parts)
        try:
            key, answer = await self._post(ids, recipient, page_bundle(parts, self.policy))
        except SlackRefused as exc:
            if exc.error not in UNDELIVERABLE_DM:
                raise
            # Nobody may go unpaged: post it in the support channel instead, naming the person.
            log.warning(
                "page %s to %s undeliverable (%s); posting in the support channel",
                ", ".join(map(str, ids)),
                recipient,
                exc.error,
            )
            message = page_bundle(parts, self.policy, fallback_for=recipient)
            key, answer = await self._post(ids, self.policy.support_channel, message, fell_back=True)
            for part in parts:
                await record(
                    part.ticket.id,
                    self.clock.now(),
                    None,
                    "page_fell_back",
                    recipient=recipient,
                    error=exc.error,
                )
        await self._sent(key, answer)

    async def _mark_late(self, parts: list[PagePart]) -> None:
        """A page its step made on time can still reach its person late (Slack down, the DM in backoff): it
        says so as the ladder's late pages do, decided as its message is drawn, so what it says and its
        `late` agree."""
        now = self.clock.now()
        held = [part.page for part in parts if not part.page.late and now - part.page.due_at > LATE_AFTER]
        if not held:
            return
        await Page.filter(id__in=[page.id for page in held]).update(late=True)
        for page in held:
            page.late = True
            log.info("page %s is late: sent %s after it was due", page.id, format_duration(now - page.due_at))

    async def _post(
        self, ids: list[int], channel: str, message: dict[str, Any], *, fell_back: bool = False
    ) -> tuple[str, dict[str, Any]]:
        """Mark the pages with a new key, then post them under it; the key and Slack's answer."""
        key = _new_key()
        await Page.filter(id__in=ids).update(bundle=key, fell_back=fell_back)
        try:
            return key, await self.once.post_marked(key, channel, _unfurled(message), urgent=True)
        except (Deferred, SlackRefused):  # turned away before it was sent, or refused: nothing was posted,
            await Page.filter(id__in=ids, bundle=key).update(bundle=None)  # so nothing to look for later
            raise

    async def _sent(self, key: str, answer: dict[str, Any]) -> None:
        """Write down where the message of `key` landed, for every page it carries."""
        pages = await Page.filter(bundle=key, sent_at__isnull=True)
        if not pages:
            return
        now = self.clock.now()
        await Page.filter(id__in=[page.id for page in pages]).update(
            sent_at=now,
            channel_id=str(answer.get("channel") or pages[0].recipient),
            message_ts=str(answer.get("ts") or ""),
        )
        for page in pages:
            metrics.PAGE_LAG_SECONDS.observe(max(0.0, (now - page.due_at).total_seconds()))
            log.info(
                "%s%s page to %s delivered %s after it was due",
                REF_PREFIX,
                page.ticket_id,
                page.recipient,
                format_duration(now - page.due_at),
            )

    async def redraw(self, job: RedrawPage, _: Job) -> None:
        """Show a page's new state (acknowledged, taken) in its message; the other pages of that message
        are drawn as they were."""
        page = await Page.get_or_none(id=job.page)
        if page is None or not page.message_ts or page.channel_id is None:
            return
        pages = [page]
        if page.bundle:
            pages = await Page.filter(bundle=page.bundle, message_ts=page.message_ts).order_by(*IN_ORDER)
        message = page_bundle(
            await self._parts(pages), self.policy, fallback_for=page.recipient if page.fell_back else None
        )
        await self.api.call("chat.update", channel=page.channel_id, ts=page.message_ts, **message)

    async def _parts(self, pages: list[Page]) -> list[PagePart]:
        ordered = await Ticket.filter(id__in=sorted({page.ticket_id for page in pages}))
        tickets = {ticket.id: ticket for ticket in ordered}
        links = await asyncio.gather(*(self._link(ticket) for ticket in ordered))
        link_of = {ticket.id: link for ticket, link in zip(ordered, links, strict=True)}
        return [PagePart(page, tickets[page.ticket_id], link_of[page.ticket_id]) for page in pages]

    async def _link(self, ticket: Ticket) -> str | None:
        """The ticket's permalink; a page goes without it rather than wait for the lookups' budget."""
        try:
            return await self.notifier.permalink(ticket.channel_id, ticket.message_ts)
        except Deferred:
            log.info("%s: no permalink for its page (the lookups' budget is spent)", ticket.ref)
            return None


def _new_key() -> str:
    """A post-once key of its own for each message posted: a retry that finds none under an earlier key
    may post the pages with others, under a new one."""
    return f"pages:{uuid.uuid4().hex[:20]}"


def _unfurled(message: dict[str, Any]) -> dict[str, Any]:
    return {"unfurl_links": False, **message}
