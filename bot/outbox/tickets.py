"""The ticket in the support channel: its post, its redraws and the notes in its thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import blocks
from bot.blocks.storm import incident_section
from bot.clock import Clock
from bot.jobs.kinds import NotifyReporter, PostTicket, RedrawTicket, ThreadNote
from bot.jobs.outcomes import Deferred
from bot.jobs.queue import JobQueue
from bot.outbox.alerts import OperatorAlerts
from bot.outbox.boards import LISTED_FIELDS, StormMessages
from bot.outbox.queue import ChannelQueue
from bot.policy import Policy
from bot.services.sla import SlaService
from bot.slack.api import SlackApi
from bot.slack.once import PostOnce
from models import Job, JobStatus, Ticket

log = logging.getLogger(__name__)

NOT_POSTED_RETRY = 5.0  # seconds: a note waits this long for its ticket's post, then looks again
POSTS_FIRST_RETRY = 1.0  # seconds: a note waits this long while new tickets are being posted
POST_FAILED_RETRY = 300.0  # seconds: a note of a ticket whose post failed looks again this seldom


@dataclass
class TicketOutbox:
    api: SlackApi
    policy: Policy
    clock: Clock
    sla: SlaService
    jobs: JobQueue
    alerts: OperatorAlerts
    once: PostOnce
    queue: ChannelQueue | None = None  # the channel's queue message during a burst (bot/outbox/queue.py)
    storms: StormMessages | None = None  # storm messages listing tickets (bot/outbox/boards.py)

    async def render(self, ticket: Ticket) -> blocks.Message:
        now = self.clock.now()
        drawn = blocks.ticket_message(ticket, self.policy, await self.sla.readings(ticket, now), now)
        if ticket.is_incident:  # which tickets it holds, above its buttons
            children = await Ticket.filter(incident_id=ticket.id).order_by("id").only(*LISTED_FIELDS)
            drawn["blocks"].insert(len(drawn["blocks"]) - 1, incident_section(children, self.policy))
        return drawn

    async def post(self, job: PostTicket, attempt: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None or ticket.message_ts is not None:
            return
        if self.queue is not None:
            await self.queue.before_post(ticket.id)
        channel = self.policy.support_channel
        message = {"unfurl_links": False, **await self.render(ticket)}
        answer = await self.once.post(attempt, f"ticket:{ticket.id}", channel, message)
        log.info("%s posted in %s", ticket.ref, channel)
        await Ticket.filter(id=ticket.id).update(
            channel_id=answer.get("channel", channel), message_ts=answer["ts"]
        )
        if self.queue is not None:
            await self.queue.touch()
        latest = await Ticket.get(id=ticket.id)
        if (
            latest.version != ticket.version
        ):  # it changed while we were posting: redraw it, as a job of its own
            async with self.jobs.transaction():
                await self.jobs.enqueue(RedrawTicket(ticket_id=ticket.id))

    async def post_failed(self, job: PostTicket, _: Job, code: str, reason: str) -> None:
        """The ticket cannot be posted for good: its key user hears it is saved, the operators why."""
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None:
            return
        async with self.jobs.transaction():
            await self.jobs.enqueue(NotifyReporter.about(ticket, "post_failed"))
        await self.alerts.raise_alert(
            code,
            f"{ticket.ref} could not be posted in the support channel {self.policy.support_channel} "
            f"({reason}). It is saved and will be posted when the channel works again (on restart, or when "
            "the start-up check passes).",
        )

    async def redraw(self, job: RedrawTicket, _: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is not None and self.storms is not None:
            await self.storms.touch(ticket.id)
        if ticket is None or ticket.message_ts is None or ticket.channel_id is None:
            if ticket is not None and self.queue is not None:
                await self.queue.touch()  # the queue message lists it meanwhile
            return  # the pending post will show the latest state
        await self.api.call(
            "chat.update", channel=ticket.channel_id, ts=ticket.message_ts, **await self.render(ticket)
        )

    async def note(self, job: ThreadNote, attempt: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None:
            return
        if ticket.message_ts is None or ticket.channel_id is None:
            post = Job.filter(kind=PostTicket.kind, ticket_id=ticket.id, status=JobStatus.FAILED)
            failed = await post.exists()
            wait = POST_FAILED_RETRY if failed else NOT_POSTED_RETRY  # a failed post waits for an operator
            raise Deferred(f"{ticket.ref} is not posted yet; its thread note waits", wait)
        if await Job.filter(kind=PostTicket.kind, status=JobStatus.PENDING).exists():
            # Notes share the channel's message-a-second with new tickets, which go first.
            raise Deferred("tickets waiting to be posted go first", POSTS_FIRST_RETRY)
        text = job.text if job.quote is None else f"{job.text}\n{blocks.escape(job.quote)}"
        message = {"thread_ts": ticket.message_ts, "text": text, "unfurl_links": False}
        await self.once.post(attempt, f"note:{attempt.id}", ticket.channel_id, message)
