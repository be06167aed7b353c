"""The support channel's queue message: every ticket of a burst visible and claimable within seconds.

Slack takes about one message a second into a channel, so 150 tickets raised in 30 s would need two and a
half minutes of posts. When more tickets wait for their post than the channel takes within a few seconds,
one message lists them all (bot/blocks/storm.py, with a Claim menu), goes out before the next ticket post
and is updated in place (chat.update: its own per-workspace budget, not the channel's) as tickets arrive,
are claimed or get their own message; each ticket's own message follows at the channel's pace. When none
waits any more it says so and is closed; the next burst gets a new one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.expressions import Q

from bot.blocks.storm import queue_message
from bot.clock import Clock
from bot.jobs.kinds import PostTicket, ShowQueue
from bot.jobs.outcomes import Deferred
from bot.jobs.queue import JobQueue
from bot.outbox.boards import LISTED_FIELDS, BoardPainter, first_response_due
from bot.policy import Policy
from models import BoardKind, ChannelBoard, Job, JobStatus, Ticket

log = logging.getLogger(__name__)

BACKLOG = 4  # tickets waiting for their post beyond this: more than the channel takes in a few seconds
POST_HOLD = 10.0  # seconds ticket posts wait for the queue message to go out first; then they go anyway
POST_PACE = 1.0  # seconds: about a message a second into the channel
HELD_RETRY = 1.0  # seconds: a held ticket post, or the queue message turned away by the budget, looks again


@dataclass
class ChannelQueue:
    painter: BoardPainter
    policy: Policy
    clock: Clock
    jobs: JobQueue

    async def waiting(self) -> list[Ticket]:
        """Tickets whose own post is still to come, oldest first."""
        ids = await Job.filter(kind=PostTicket.kind, status=JobStatus.PENDING).values_list(
            "ticket_id", flat=True
        )
        return (
            await Ticket.filter(id__in=list(ids), message_ts__isnull=True).order_by("id").only(*LISTED_FIELDS)
        )

    async def before_post(self, ticket_id: int) -> None:
        """Each ticket post asks first: a backed-up channel gets the queue message, and while that message
        is not out yet the ticket posts wait for it (it shows all of them at once). While it is open the
        posts go out in the order the tickets were raised, each coming back about at its turn rather than
        all of them waiting for the channel's budget side by side."""
        board = await self._open()
        if board is None:
            backlog = await Job.filter(kind=PostTicket.kind, status=JobStatus.PENDING).count()
            if backlog > BACKLOG:
                await self.jobs.enqueue(ShowQueue())
            return
        await self.jobs.enqueue(ShowQueue())
        if board.message_ts is None and self._age(board.opened_at) < POST_HOLD:
            raise Deferred("the queue message goes first", HELD_RETRY)
        soon = self.clock.now() + timedelta(seconds=POST_HOLD)  # one in backoff holds nobody up
        ahead = await Job.filter(
            kind=PostTicket.kind, status=JobStatus.PENDING, ticket_id__lt=ticket_id, due_at__lte=soon
        ).count()
        if ahead:
            raise Deferred("tickets are posted in the order they were raised", ahead * POST_PACE)

    async def touch(self) -> None:
        """A listed ticket changed (posted, claimed): the open queue message is brought up to date."""
        if await ChannelBoard.filter(kind=BoardKind.QUEUE, closed_at__isnull=True).exists():
            await self.jobs.enqueue(ShowQueue())

    async def show(self, _: ShowQueue, attempt: Job) -> None:
        # This run draws the latest state: twins queued meanwhile (a deferred run loses its dedupe key)
        # would only draw it again.
        free = Q(lease_until__isnull=True) | Q(lease_until__lt=self.clock.now())
        await Job.filter(free, kind=ShowQueue.kind, status=JobStatus.PENDING, id__not=attempt.id).delete()
        board = await self._open()
        if board is not None:
            self.painter.hold(board)
        waiting = await self.waiting()
        if board is None:
            if len(waiting) <= BACKLOG:
                return
            board = await ChannelBoard.create(
                kind=BoardKind.QUEUE, channel_id=self.policy.support_channel, opened_at=self.clock.now()
            )
            oldest = (
                await ChannelBoard.filter(kind=BoardKind.QUEUE, closed_at__isnull=True).order_by("id").first()
            )
            if oldest is not None and oldest.id != board.id:  # another replica opened one just now: its own
                await ChannelBoard.filter(id=board.id).delete()  # job posts it (or that job's retry does)
                return
        if board.message_ts is None and not waiting:  # all posted before it got out: nothing to show
            await ChannelBoard.filter(id=board.id).update(closed_at=self.clock.now())
            return
        drawn = queue_message(waiting, self.policy, await first_response_due(t.id for t in waiting))
        first = board.message_ts is None
        try:
            await self.painter.paint(board, drawn, attempt, ticket_ids=[t.id for t in waiting])
        except Deferred as exc:
            if not first:
                raise
            raise Deferred(str(exc), min(exc.after, HELD_RETRY)) from exc  # ticket posts are held for it
        if first:
            log.info("queue message posted in %s listing %d tickets", board.channel_id, len(waiting))
        if not waiting:
            await ChannelBoard.filter(id=board.id).update(closed_at=self.clock.now())

    async def _open(self) -> ChannelBoard | None:
        return await ChannelBoard.filter(kind=BoardKind.QUEUE, closed_at__isnull=True).order_by("id").first()

    def _age(self, since: datetime) -> float:
        return (self.clock.now() - since).total_seconds()
