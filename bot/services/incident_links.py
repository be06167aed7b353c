"""What a transition or a ladder step means for an incident, run inside the transition's own transaction
(bot/services/transitions.py): an incident's change is followed by its children (a durable job,
bot/services/incidents.py), a reopened child leaves its incident, and the engineering issues an incident
links are linked by its children too (bot/services/engineering.py), so the webhook that ships the fix
moves every child and tells each child's own key user."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from tortoise.expressions import F

from bot.jobs.kinds import FollowIncident
from bot.jobs.queue import JobQueue
from bot.services.events import announce, record
from bot.text import escape
from models import IssueLink, Ticket, TicketStatus

if TYPE_CHECKING:
    from bot.services.ladder import PageRequest

# The incident's changes its children follow: customer-visible news for every child's reporter, and the
# release (its children go back to the queue with it).
FOLLOWED = frozenset(
    {"claimed", "reassigned", "released", "waiting_on_customer", "replied_to_customer", "resolved"}
)


async def on_transition(jobs: JobQueue, ticket: Ticket, user_id: str, event: str, now: datetime) -> None:
    if ticket.is_incident and event in FOLLOWED:
        await jobs.enqueue(FollowIncident(ticket_id=ticket.id, event=event, by=user_id, at=now.isoformat()))
    elif event == "resolved" and ticket.incident_id is not None and ticket.status == TicketStatus.FIX_PENDING:
        # A child waiting on engineering links the issues its incident links (now or later: link_children).
        for link in await IssueLink.filter(ticket_id=ticket.incident_id).order_by("id"):
            await share_link(jobs, ticket, link, user_id, now)
    elif event == "reopened" and ticket.incident_id is not None:
        incident = ticket.incident_id
        await Ticket.filter(id=ticket.id).update(incident_id=None, version=F("version") + 1)
        ticket.incident_id = None
        await record(ticket.id, now, user_id, "left_incident", incident=incident)
        await record(incident, now, user_id, "child_left", ticket=ticket.id)
        await announce(jobs, ticket.id, note=f"Reopened, so it left incident SUP-{incident}.", redraw=True)
        await announce(jobs, incident, note=f"{ticket.ref} was reopened and left this incident.", redraw=True)


async def link_children(
    jobs: JobQueue, incident: Ticket, link: IssueLink, user_id: str, now: datetime
) -> int:
    """The incident now links an engineering issue: so does each of its children not yet resolved."""
    open_children = Ticket.filter(incident_id=incident.id).exclude(status=TicketStatus.RESOLVED)
    children = await open_children.order_by("id")
    for child in children:
        await share_link(jobs, child, link, user_id, now)
    return len(children)


async def share_link(jobs: JobQueue, child: Ticket, link: IssueLink, user_id: str, now: datetime) -> None:
    """The child links its incident's issue (once); the note in its own thread says where it came from."""
    if await IssueLink.exists(ticket_id=child.id, issue_key=link.issue_key):
        return
    await IssueLink.create(
        ticket_id=child.id,
        provider=link.provider,
        issue_key=link.issue_key,
        url=link.url,
        linked_by=user_id,
        linked_at=now,
    )
    await record(
        child.id, now, user_id, "issue_linked", issue=link.issue_key, url=link.url, incident=link.ticket_id
    )
    label = escape(link.issue_key.split(":", 1)[1])
    note = f"Linked the engineering issue <{link.url}|{label}> through incident SUP-{link.ticket_id}."
    await announce(jobs, child.id, note=note, redraw=False)


async def incident_page(request: PageRequest) -> PageRequest:
    """A child's ladder step pages as its incident: one page per (incident, level, person) however many
    children fall due, naming how many tickets and customers it holds and the highest priority."""
    child = request.ticket
    incident = await Ticket.get_or_none(id=child.incident_id, is_incident=True)
    if incident is None:
        return request
    children = await Ticket.filter(incident_id=incident.id).only("id", "customer", "priority")
    customers = len({t.customer for t in children})
    highest = min((t.priority for t in children), default=child.priority)
    reason = (
        f"{request.reason}; incident {incident.ref} holds {len(children)} tickets from {customers} "
        f"customers, highest {highest} (first due: {child.ref})"
    )
    return replace(request, ticket=incident, step_key=f"incident.{request.level}", reason=reason)


def split_evenly(minutes: int, shares: int) -> list[int]:
    """Whole minutes split into `shares` as evenly as they go: the remainder one minute each to the first
    shares (the oldest tickets), so the parts always add up and the same split comes out every time."""
    if shares < 1:
        raise ValueError("nothing to split among")
    base, extra = divmod(minutes, shares)
    return [base + (1 if i < extra else 0) for i in range(shares)]
