"""Incidents: many tickets, one problem. An incident is a ticket of its own (`is_incident`, its own
reference, raised by whoever grouped) whose children point at it (`incident_id`). The children keep their
customers, plans, contracts and SLA clocks; the incident has the owner, the status and the thread.

Claiming, reassigning, releasing, putting on hold and resolving the incident are followed by every open
child through the children's own transitions (a durable FollowIncident job): each child's reporter hears
it as news of their own ticket (an incident resolved as a product defect leaves each child fix pending,
linked to the incident's engineering issues: bot/services/incident_links.py), and a child's claim stops
its first-response clock, so the incident's first answer is the first response of every child at that
moment; a Reply to customer on the incident is every child's first and next response as of the incident's
reply (the job carries its instant). A reopened child leaves its incident (bot/services/incident_links.py).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from tortoise.expressions import F

from bot.clock import Clock
from bot.jobs.kinds import FollowIncident, PostTicket, ShowStorm
from bot.jobs.outcomes import RetryLater
from bot.jobs.queue import JobQueue
from bot.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from bot.services.events import announce, record
from bot.services.resolutions import Resolution
from bot.services.roles import Roles
from bot.services.transitions import Transitions
from models import WITH_ENGINEERING, BoardKind, ChannelBoard, Job, Ticket, TicketEvent, TicketStatus

log = logging.getLogger(__name__)

MAX_CHILDREN = 500
# The incident belongs to no customer: no key user lists, sees or is told about it (it names other
# customers' tickets); its customers are its children's. Not a key the policy would use.
INCIDENT_CUSTOMER = "(incident)"
TITLE_MAX = 150


@dataclass
class Incidents:
    clock: Clock
    jobs: JobQueue
    roles: Roles
    transitions: Transitions

    async def group(self, ticket_ids: Sequence[int], user_id: str, *, board_id: int | None = None) -> Ticket:
        """A new incident holding these tickets; refused (nothing changed) unless every one can join."""
        if not self.roles.is_staff(user_id):
            raise NotAllowed("Only the support team can group tickets as an incident.")
        ids = list(dict.fromkeys(ticket_ids))
        if len(ids) < 2:
            raise ServiceError("Name at least two tickets: `/support incident SUP-12 SUP-13`.")
        if len(ids) > MAX_CHILDREN:
            raise ServiceError(f"An incident holds at most {MAX_CHILDREN} tickets.")
        tickets = await Ticket.filter(id__in=ids).order_by("id")
        missing = [i for i in ids if i not in {t.id for t in tickets}]
        if missing:
            raise NotFound(f"There is no ticket SUP-{missing[0]}.")
        incidents = [t for t in tickets if t.is_incident]
        if len(incidents) == 1 and board_id is None:  # Link to incident: the others join that one
            return await self._link(incidents[0], [t for t in tickets if not t.is_incident], user_id)
        for ticket in tickets:
            if ticket.is_incident:
                raise ServiceError(f"{ticket.ref} is an incident itself; name one incident at most.")
            if ticket.incident_id is not None:
                raise ServiceError(f"{ticket.ref} is already part of incident SUP-{ticket.incident_id}.")
            if ticket.status == TicketStatus.RESOLVED:
                raise ServiceError(f"{ticket.ref} is resolved; reopen it first.")
        top = min(tickets, key=lambda t: (t.priority, t.plan_rank, t.id))
        customers = sorted({t.customer for t in tickets})
        now = self.clock.now()
        refs = ", ".join(t.ref for t in tickets)
        async with self.jobs.transaction():
            incident = await Ticket.create(
                customer=INCIDENT_CUSTOMER,
                plan=top.plan,
                priority=top.priority,
                environment=top.environment,
                title=f"Incident: {top.title}"[:TITLE_MAX],
                description=f"{len(tickets)} tickets from {len(customers)} customers: {refs}",
                reporter_id=user_id,
                raised_by=user_id,
                policy={},  # no targets of its own: the children's clocks are what customers were promised
                category=top.category,
                plan_rank=top.plan_rank,
                is_incident=True,
                created_at=now,
                updated_at=now,
            )
            await record(incident.id, now, user_id, "incident_opened", children=[t.id for t in tickets])
            grouped = Ticket.filter(id__in=ids, incident_id__isnull=True, is_incident=False)
            if await grouped.update(incident_id=incident.id, updated_at=now, version=F("version") + 1) != len(
                ids
            ):
                raise ServiceError("Some of these tickets were grouped by someone else just now; look again.")
            for ticket in tickets:
                await record(ticket.id, now, user_id, "grouped", incident=incident.id)
                await announce(
                    self.jobs, ticket.id, note=f"<@{user_id}> grouped this ticket into {incident.ref}."
                )
            await self.jobs.enqueue(PostTicket(ticket_id=incident.id))
            boards = ChannelBoard.filter(kind=BoardKind.STORM, incident_id__isnull=True)
            if board_id is not None:
                await boards.filter(id=board_id).update(incident_id=incident.id)
                await self.jobs.enqueue(ShowStorm(board=board_id))
        log.info("%s groups %s by %s", incident.ref, refs, user_id)
        return incident

    async def _link(self, incident: Ticket, tickets: Sequence[Ticket], user_id: str) -> Ticket:
        """Tickets join an existing incident, and catch up with it (its owner, if it has one)."""
        if incident.status == TicketStatus.RESOLVED:
            raise ServiceError(f"{incident.ref} is resolved; reopen it first.")
        for ticket in tickets:
            if ticket.incident_id is not None:
                raise ServiceError(f"{ticket.ref} is already part of incident SUP-{ticket.incident_id}.")
            if ticket.status == TicketStatus.RESOLVED:
                raise ServiceError(f"{ticket.ref} is resolved; reopen it first.")
        ids = [t.id for t in tickets]
        now = self.clock.now()
        async with self.jobs.transaction():
            joining = Ticket.filter(id__in=ids, incident_id__isnull=True, is_incident=False)
            if await joining.update(incident_id=incident.id, updated_at=now, version=F("version") + 1) != len(
                ids
            ):
                raise ServiceError("Some of these tickets were grouped by someone else just now; look again.")
            for ticket in tickets:
                await record(ticket.id, now, user_id, "grouped", incident=incident.id)
                await announce(
                    self.jobs, ticket.id, note=f"<@{user_id}> linked this ticket to {incident.ref}."
                )
            await record(incident.id, now, user_id, "incident_joined", children=ids)
            await announce(
                self.jobs, incident.id, note=f"<@{user_id}> linked {', '.join(t.ref for t in tickets)}."
            )
            if incident.owner_id:
                await self.jobs.enqueue(FollowIncident(ticket_id=incident.id, event="claimed", by=user_id))
        return incident

    async def group_storm(self, board_id: int, user_id: str) -> Ticket:
        """Group as one incident, from a storm message: its tickets still open and not grouped elsewhere."""
        board = await ChannelBoard.get_or_none(id=board_id, kind=BoardKind.STORM)
        if board is None:
            raise NotFound("That storm message is gone.")
        if board.incident_id is not None:
            raise ServiceError(f"These tickets are already grouped as SUP-{board.incident_id}.")
        free = await Ticket.filter(
            id__in=list(board.ticket_ids),
            incident_id__isnull=True,
            is_incident=False,
            status__not=TicketStatus.RESOLVED,
        ).only("id")
        return await self.group([t.id for t in free], user_id, board_id=board_id)

    async def children(self, incident_id: int) -> int:
        return await Ticket.filter(incident_id=incident_id).count()

    async def follow(self, job: FollowIncident, _: Job) -> None:
        """Every open child follows the incident's change, through its own transition."""
        incident = await Ticket.get_or_none(id=job.ticket_id)
        if incident is None:
            return
        children = await Ticket.filter(incident_id=incident.id).order_by("id")
        behind = 0
        for child in children:
            try:
                await self._follow_one(incident, child, job)
            except (NotAllowed, InvalidInput) as exc:  # retrying cannot change it: that child stays as it is
                log.warning("%s does not follow %s: %s", child.ref, incident.ref, exc)
            except ServiceError as exc:  # changed meanwhile: the next attempt sees it as it is now
                log.info("%s could not follow %s yet: %s", child.ref, incident.ref, exc)
                behind += 1
        if behind:
            raise RetryLater(f"{behind} tickets of {incident.ref} could not follow it yet")

    async def _follow_one(self, incident: Ticket, child: Ticket, job: FollowIncident) -> None:
        t = self.transitions
        if child.status == TicketStatus.RESOLVED:
            return
        if (
            job.event in ("claimed", "reassigned")
            and incident.owner_id
            and child.owner_id != incident.owner_id
        ):
            if child.owner_id is None:
                await t.claim(child.id, incident.owner_id)
            else:
                await t.reassign(child.id, job.by, incident.owner_id)
        elif job.event == "released" and incident.owner_id is None and child.owner_id is not None:
            # Only the children its owner held through the incident; one taken on its own stays taken.
            previous = await _said(incident, job.event, "previous_owner", _instant(job))
            if child.owner_id == previous:
                await t.release(child.id, job.by)
        elif job.event == "waiting_on_customer" and child.status == TicketStatus.OPEN:
            await t.wait_on_customer(child.id, job.by, await _said(incident, job.event, "question"))
        elif job.event == "replied_to_customer":  # each child's reporter hears it where they follow it
            sent_at = _instant(job)
            text = await _said(incident, job.event, "text", sent_at)
            if text:  # the first and next response of every child are met at the incident's reply
                await t.reply_to_customer(child.id, job.by, text, sent_at=sent_at)
        elif job.event == "resolved" and incident.resolution and child.status not in WITH_ENGINEERING:
            # As the incident: a product defect leaves each child fix pending, linked to its issues.
            resolution = incident.resolution or Resolution.FIXED
            duplicate_of = incident.id if resolution == Resolution.DUPLICATE else None
            await t.resolve(child.id, job.by, resolution, incident.resolution_note, None, duplicate_of)


def _instant(job: FollowIncident) -> datetime | None:
    """When the incident changed (None for a job queued before jobs carried it)."""
    return datetime.fromisoformat(job.at) if job.at else None


async def _said(incident: Ticket, kind: str, key: str, at: datetime | None = None) -> str | None:
    """What the incident's latest `kind` event (as of `at`, the followed change) said to the customers (a
    question, a reply): a second reply moments later is followed by its own job, not sent twice."""
    events = TicketEvent.filter(ticket_id=incident.id, kind=kind)
    if at is not None:
        events = events.filter(at__lte=at)
    event = await events.order_by("-id").first()
    value = event.detail.get(key) if event is not None else None
    return str(value) if value else None
