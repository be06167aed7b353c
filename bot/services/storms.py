"""Storm detection: `storm.tickets` alike tickets arriving within `storm.within` (policy `storm:`) get one
storm message in the support channel (bot/outbox/boards.py draws it), offering to group them as one
incident (bot/services/incidents.py).

Alike: the same category, or titles sharing at least two thirds of the shorter one's words (normalised:
lower case, short and filler words left out). A storm is every recent ticket linked to the new one through
alike tickets, so "Checkout page fails" joins "Checkout fails with error 500" and "Error 500 at checkout".
Deliberately simple: a false storm costs one message an engineer can ignore; grouping is always a
person's decision.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.jobs.kinds import CheckStorm, ShowStorm
from bot.jobs.queue import JobQueue
from bot.policy import Policy
from models import BoardKind, ChannelBoard, Job, Ticket, TicketStatus

log = logging.getLogger(__name__)

STILL_GROWING = timedelta(days=1)  # a storm message older than this is not added to: a new one starts
ALIKE_WORDS = 2 / 3  # share of the shorter title's words the other one has too
FILLER = frozenset(
    "the and for with not can cannot cant are is was our all any from into when after this that has have "
    "does doesnt dont won wont get got".split()
)


def title_words(title: str) -> frozenset[str]:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return frozenset(w for w in words if len(w) >= 3 and w not in FILLER)


def alike(a: Ticket, b: Ticket) -> bool:
    if a.category and a.category == b.category:
        return True
    one, other = title_words(a.title), title_words(b.title)
    if not one or not other:
        return False
    return len(one & other) / min(len(one), len(other)) >= ALIKE_WORDS


def linked(ticket: Ticket, recent: list[Ticket]) -> set[int]:
    """The ids of the recent tickets linked to `ticket` through alike tickets (itself included)."""
    found, frontier = {ticket.id}, [ticket]
    rest = [t for t in recent if t.id != ticket.id]
    while frontier:
        current = frontier.pop()
        joined = [t for t in rest if alike(current, t)]
        joined_ids = {t.id for t in joined}  # by id: `in` on a list of models compared each pair
        rest = [t for t in rest if t.id not in joined_ids]
        found.update(joined_ids)
        frontier.extend(joined)
    return found


@dataclass
class Storms:
    policy: Policy
    clock: Clock
    jobs: JobQueue

    async def check(self, job: CheckStorm, _: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket)
        if ticket is None or ticket.is_incident or ticket.incident_id is not None:
            return
        spec = self.policy.storm
        recent = await Ticket.filter(
            created_at__gte=ticket.created_at - spec.within,
            created_at__lte=ticket.created_at,
            is_incident=False,
            incident_id__isnull=True,
            status__not=TicketStatus.RESOLVED,
        ).only("id", "title", "category")
        together = linked(ticket, list(recent))
        if len(together) < spec.tickets:
            return
        async with self.jobs.transaction():
            boards = await ChannelBoard.filter(
                kind=BoardKind.STORM,
                closed_at__isnull=True,
                incident_id__isnull=True,
                opened_at__gte=ticket.created_at - STILL_GROWING,
            ).order_by("-id")
            board = next((b for b in boards if together & set(b.ticket_ids)), None)
            if board is None:
                board = await ChannelBoard.create(
                    kind=BoardKind.STORM,
                    channel_id=self.policy.support_channel,
                    opened_at=self.clock.now(),
                    ticket_ids=sorted(together),
                    key=ticket.category or " ".join(sorted(title_words(ticket.title)))[:64],
                )
                log.info("storm of %d tickets like %s", len(together), ticket.ref)
            else:
                listed = sorted(set(board.ticket_ids) | together)
                if listed == board.ticket_ids:
                    return
                await ChannelBoard.filter(id=board.id).update(ticket_ids=listed)
            await self.jobs.enqueue(ShowStorm(board=board.id))
