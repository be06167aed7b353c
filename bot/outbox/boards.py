"""Shared by the queue and storm messages: load what they list, and draw them only when something changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.blocks import Message
from bot.blocks.storm import storm_message
from bot.clock import Clock
from bot.jobs.kinds import ShowStorm
from bot.jobs.outcomes import Deferred
from bot.jobs.queue import JobQueue
from bot.policy import Policy
from bot.slack.api import SlackApi
from bot.slack.once import PostOnce
from models import BoardKind, ChannelBoard, Job, SlaClock, Ticket

FIRST_RESPONSE = "first_response"
REDRAW_GAP = 3.0  # seconds between updates of one such message (chat.update is ~50 a minute per workspace)
KEPT_UP = timedelta(days=1)  # storm messages older than this are left as they are
LISTED_FIELDS = ("id", "customer", "plan", "priority", "title", "owner_id")  # what the message shows


async def first_response_due(ticket_ids: Iterable[int]) -> dict[int, datetime | None]:
    """Each ticket's first-response due time (None once met or without that target), in one query."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    clocks = await SlaClock.filter(
        ticket_id__in=ids, name=FIRST_RESPONSE, stopped_at__isnull=True
    ).values_list("ticket_id", "due_at")
    return {int(ticket_id): due_at for ticket_id, due_at in clocks}


def fingerprint(message: Message) -> str:
    return hashlib.sha256(json.dumps(message, sort_keys=True).encode()).hexdigest()


def since_drawn(board: ChannelBoard, now: datetime) -> float | None:
    return (now - board.drawn_at).total_seconds() if board.drawn_at else None


@dataclass
class BoardPainter:
    """Posts a board message once, then updates it in place, at most every REDRAW_GAP seconds and only
    when what it shows changed."""

    api: SlackApi
    once: PostOnce
    clock: Clock

    def hold(self, board: ChannelBoard) -> None:
        """Drawn moments ago: raise Deferred until an update may go out."""
        since = since_drawn(board, self.clock.now())
        if since is not None and since < REDRAW_GAP:
            raise Deferred("the message was drawn moments ago", REDRAW_GAP - since)

    async def paint(self, board: ChannelBoard, drawn: Message, attempt: Job, **fields: object) -> bool:
        """Post or update; `fields` are saved on the board with it. True if Slack was called."""
        mark = fingerprint(drawn)
        if board.message_ts is None:
            # Several jobs paint one board: an earlier job's post may have landed unanswered (a timeout, a
            # replica killed), so look for it first, whichever job this is (the soak posted storms twice).
            key = f"board:{board.id}"
            found = await self.once.find(attempt, key, board.channel_id, None)
            answer = found or await self.once.post_marked(
                key, board.channel_id, {"unfurl_links": False, **drawn}
            )
            await ChannelBoard.filter(id=board.id).update(
                message_ts=answer["ts"],
                channel_id=answer.get("channel", board.channel_id),
                fingerprint=mark,
                drawn_at=self.clock.now(),
                **fields,
            )
            return True
        if mark == board.fingerprint:
            return False
        await self.api.call("chat.update", channel=board.channel_id, ts=board.message_ts, **drawn)
        await ChannelBoard.filter(id=board.id).update(fingerprint=mark, drawn_at=self.clock.now(), **fields)
        return True


@dataclass
class StormMessages:
    painter: BoardPainter
    policy: Policy
    jobs: JobQueue

    async def touch(self, ticket_id: int) -> None:
        """A ticket changed (claimed, say): the storm messages listing it are brought up to date."""
        since = self.painter.clock.now() - KEPT_UP
        for board in await ChannelBoard.filter(kind=BoardKind.STORM, opened_at__gte=since):
            if ticket_id in board.ticket_ids:
                await self.jobs.enqueue(ShowStorm(board=board.id))

    async def show(self, job: ShowStorm, attempt: Job) -> None:
        board = await ChannelBoard.get_or_none(id=job.board)
        if board is None:
            return
        self.painter.hold(board)
        tickets = await Ticket.filter(id__in=list(board.ticket_ids)).order_by("id").only(*LISTED_FIELDS)
        incident = await Ticket.get_or_none(id=board.incident_id) if board.incident_id else None
        due = await first_response_due(t.id for t in tickets)
        drawn = storm_message(tickets, self.policy, due, board_id=board.id, incident=incident)
        await self.painter.paint(board, drawn, attempt)
