"""Tickets and engineering issues: linking them, and closing the loop when the fix ships.

A verified webhook delivery (bot/engineering/hooks.py) about a linked issue that shipped moves every
linked ticket to fix shipped: its clocks pause, the owner is told in the thread, the key user is told
(with a **Still fails** button) and a `ConfirmFix` timer resolves it after `engineering.confirm_within`
of business time on its plan calendar. The delivery's id is stored in the same transaction, so a
redelivery changes nothing, and a delivery that fails half-way leaves nothing behind to block its retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from bot.clock import Clock
from bot.engineering.hooks import Happened, IssueNews
from bot.engineering.trackers import NAMES, SUMMARY_MAX, NewIssue, Trackers
from bot.engineering.urls import IssueRef, Recogniser
from bot.jobs.kinds import AlertOperators, ConfirmFix, CreateIssue, NotifyReporter, ThreadNote
from bot.jobs.queue import JobQueue
from bot.permissions import Do
from bot.policy import Policy
from bot.reports.load import engineering_since
from bot.reports.sla_report import EngineeringWait
from bot.services.errors import ServiceError
from bot.services.events import announce, record
from bot.services.incident_links import link_children
from bot.services.queries import TicketQueries
from bot.services.resolutions import Resolution
from bot.services.roles import Roles
from bot.services.sla import CLOCK_NAMES, RESOLUTION, SlaService
from bot.services.transitions import Change, Transitions
from bot.text import escape, mention
from models import WITH_ENGINEERING, IssueLink, Job, ProcessedEvent, Ticket, TicketEvent, TicketStatus

log = logging.getLogger(__name__)

LOOP_EVENTS = ("fix_shipped", "fix_confirmed", "fix_still_fails", "reopened")  # where a ticket is in the loop
LIST_MAX = 25  # tickets in `/support list`'s "waiting on engineering"
WORDS = {
    Happened.REOPENED: "was reopened",
    Happened.NOT_PLANNED: "was closed without a fix (not planned, or not merged)",
}


@dataclass(frozen=True)
class Waiting:
    """What `/support list` and App Home show under "Waiting on engineering"."""

    tickets: list[Ticket]  # fix pending and fix shipped, at most LIST_MAX
    wait: EngineeringWait  # all fix pending, however many

    def summary(self) -> list[str]:
        """The count and the longest wait, above the tickets (nothing when none waits on engineering)."""
        if not self.wait.tickets:
            return []
        return [f"_{self.wait.tickets} fix pending, the longest for {self.wait.longest_hours or 0:g} hours_"]


async def confirm_deadline(sla: SlaService, ticket: Ticket) -> datetime | None:
    """When a fix-shipped ticket resolves itself unless its key user says it still fails: its last
    shipping plus `engineering.confirm_within` of business time (what `_shipped` scheduled)."""
    shipped = await TicketEvent.filter(ticket_id=ticket.id, kind="fix_shipped").order_by("-id").first()
    if shipped is None:
        return None
    return sla.calendar(ticket).add(shipped.at, sla.policy.engineering.confirm_within)


class _Replay(Exception):
    """The delivery was handled before: roll back and answer as for the first time."""


@dataclass
class Engineering:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    roles: Roles
    queries: TicketQueries
    sla: SlaService
    transitions: Transitions
    recognise: Recogniser
    trackers: Trackers | None = None  # Create issue: unset, only links

    # --- linking ---

    async def link(self, ticket_id: int, user_id: str, url: str) -> str:
        """Link a ticket to the issue a URL names; the answer for the engineer."""
        ticket = await self.queries.get(ticket_id)
        self.roles.require(Do.LINK_ISSUE, user_id, ticket)
        ref = self.recognise.parse(url)
        if ref is None:
            raise ServiceError(
                "That is not a link to an engineering issue. Paste a GitHub issue or pull request "
                "(https://github.com/owner/repo/issues/12), a Jira issue (https://…/browse/KEY-12) or a "
                "Linear issue (https://linear.app/team/issue/ABC-12). Nothing was changed."
            )
        return await self._link(ticket, user_id, ref)

    async def _link(self, ticket: Ticket, user_id: str, ref: IssueRef) -> str:
        now = self.clock.now()
        async with self.jobs.transaction():
            link = await IssueLink.get_or_none(ticket_id=ticket.id, issue_key=ref.key)
            linked_before = link is not None
            if link is None:
                link = await IssueLink.create(
                    ticket_id=ticket.id,
                    provider=ref.provider,
                    issue_key=ref.key,
                    url=ref.url,
                    linked_by=user_id,
                    linked_at=now,
                )
                await record(ticket.id, now, user_id, "issue_linked", issue=ref.key, url=ref.url)
                await announce(
                    self.jobs,
                    ticket.id,
                    note=f"<@{user_id}> linked the engineering issue <{ref.url}|{escape(ref.label)}>.",
                    redraw=False,
                )
            # An incident's children link it too, so the shipped fix reaches each child's own key user.
            children = await link_children(self.jobs, ticket, link, user_id, now) if ticket.is_incident else 0
        if ticket.is_incident:
            links = "already links" if linked_before else "now links"
            return (
                f"{ticket.ref} {links} {ref.label}, and so do its {children} open ticket(s); each key user "
                "is told when the fix ships."
            )
        if linked_before:
            return f"{ticket.ref} already links {ref.label}."
        others = await IssueLink.filter(issue_key=ref.key).exclude(ticket_id=ticket.id).count()
        also = f" ({others} other ticket(s) link it too)" if others else ""
        return f"{ticket.ref} now links {ref.label}{also}; its key user is told when the fix ships."

    # --- creating an issue ---

    def creatable(self) -> list[str]:
        """The trackers **Create issue** can open issues in here (policy target and credentials set)."""
        return self.trackers.available(self.policy.engineering) if self.trackers else []

    async def create(self, ticket_id: int, user_id: str, tracker: str, summary: str) -> str:
        """Queue opening an issue with the engineer's summary; the job links it when it exists."""
        ticket = await self.queries.get(ticket_id)
        self.roles.require(Do.LINK_ISSUE, user_id, ticket)
        summary = summary.strip()
        if tracker not in self.creatable():
            raise ServiceError("Creating issues there is not set up in this deployment. Nothing was changed.")
        if not summary:
            raise ServiceError(
                "Write a summary for engineering (the issue's description). Nothing was changed."
            )
        if len(summary) > SUMMARY_MAX:
            raise ServiceError(f"The summary is over {SUMMARY_MAX} characters. Nothing was changed.")
        now = self.clock.now()
        async with self.jobs.transaction():
            await self.jobs.enqueue(
                CreateIssue(ticket_id=ticket.id, tracker=tracker, summary=summary, by=user_id)
            )
            await record(ticket.id, now, user_id, "issue_create_requested", tracker=tracker)
        return f"Opening a {NAMES[tracker]} issue for {ticket.ref}; it is linked here once it exists."

    async def create_due(self, job: CreateIssue, row: Job) -> None:
        """The create-issue job: open the issue (errors sorted by bot/engineering/trackers.py), link it."""
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None or self.trackers is None:
            return
        issue = NewIssue(ticket.title, job.summary, ticket.ref, f"secondline-job:{row.id}")
        retrying = row.attempts > 1  # an earlier attempt may have created it and lost the answer
        url = await self.trackers.create(job.tracker, self.policy.engineering, issue, retrying=retrying)
        ref = self.recognise.parse(url)
        if ref is None:  # a tracker URL we do not recognise: still say where it is
            await announce(self.jobs, ticket.id, note=f"<@{job.by}> opened <{url}>.", redraw=False)
            return
        await self._link(ticket, job.by, ref)

    async def create_failed(self, job: CreateIssue, _: Job, code: str, reason: str) -> None:
        """Failed for good: the operators are alerted and the engineer is told in the ticket's thread."""
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        ref = ticket.ref if ticket else f"ticket {job.ticket_id}"
        name = NAMES.get(job.tracker, job.tracker)
        async with self.jobs.transaction():
            await self.jobs.enqueue(
                AlertOperators(
                    code=f"create_issue:{code}",
                    text=f"A {name} issue for {ref} could not be created: {reason}",
                )
            )
            if ticket is not None:
                await self.jobs.enqueue(
                    ThreadNote(
                        ticket_id=ticket.id,
                        text=f"{mention(job.by)}: the {name} issue could not be created, so nothing is "
                        "linked. The operators are told why. Your summary was:",
                        quote=job.summary,
                    )
                )

    async def link_lines(self, ticket_id: int) -> list[str]:
        """The issues a ticket links, for the support team's `/support show`."""
        links = await IssueLink.filter(ticket_id=ticket_id).order_by("id")
        return [
            f"*Engineering issue:* <{link.url}|{escape(link.issue_key.split(':', 1)[1])}>" for link in links
        ]

    async def waiting(self) -> Waiting:
        """Tickets with engineering (fix pending) or waiting on the key user (fix shipped), oldest first,
        with how many wait on engineering and the longest wait (as `/support account` counts them)."""
        listed = Ticket.filter(status__in=list(WITH_ENGINEERING)).order_by("updated_at").limit(LIST_MAX)
        since = await engineering_since()
        return Waiting(await listed, EngineeringWait.of(since.values(), self.clock.now()))

    # --- webhook deliveries ---

    async def receive(self, news: IssueNews) -> str:
        """Act on a verified delivery once; says what came of it (for the log and the HTTP answer)."""
        if await ProcessedEvent.exists(event_id=news.dedupe_id):
            return "duplicate"
        now = self.clock.now()
        try:
            async with self.jobs.transaction():
                await self._first_time(news.dedupe_id, now)
                links = await IssueLink.filter(issue_key=news.issue_key) if news.issue_key else []
                if not links or news.happened == Happened.OTHER:
                    return "ignored"
                tickets = sorted({link.ticket_id for link in links})
                for ticket_id in tickets:
                    link = next(link for link in links if link.ticket_id == ticket_id)
                    if news.happened == Happened.SHIPPED:
                        await self._shipped(ticket_id, link, news, now)
                    else:
                        what = (
                            f"<{link.url}|{escape(link.issue_key.split(':', 1)[1])}> {WORDS[news.happened]}"
                        )
                        await record(
                            ticket_id, now, None, f"issue_{news.happened.value}", issue=news.issue_key
                        )
                        await announce(
                            self.jobs, ticket_id, note=f"The engineering issue {what}.", redraw=False
                        )
        except _Replay:
            return "duplicate"
        log.info(
            "%s delivery %s: %s for %d ticket(s)",
            news.provider,
            news.delivery_id,
            news.happened,
            len(tickets),
        )
        return news.happened.value

    async def _first_time(self, dedupe_id: str, now: datetime) -> None:
        try:
            async with in_transaction():  # a savepoint: the duplicate must not abort the caller's transaction
                await ProcessedEvent.create(event_id=dedupe_id, at=now)
        except IntegrityError as exc:
            raise _Replay from exc

    async def _shipped(self, ticket_id: int, link: IssueLink, news: IssueNews, now: datetime) -> None:
        ticket = await Ticket.get(id=ticket_id)
        if ticket.status == TicketStatus.FIX_SHIPPED:
            return  # the issue and its pull request both shipped: once is enough
        if ticket.status == TicketStatus.RESOLVED and await self._confirmed(ticket):
            return  # resolved by this loop already: a later close (or an old redelivery) changes nothing
        moved = await Ticket.filter(id=ticket.id, version=ticket.version).update(
            status=TicketStatus.FIX_SHIPPED, updated_at=now, version=F("version") + 1
        )
        if not moved:
            raise ServiceError(f"{ticket.ref} changed meanwhile; the delivery will be retried")
        ticket.status, ticket.version = TicketStatus.FIX_SHIPPED, ticket.version + 1
        await self.sla.pause_all(ticket, now, None)
        await record(ticket.id, now, None, "fix_shipped", issue=link.issue_key, release=news.release)
        within = self.policy.engineering.confirm_within
        due = self.sla.calendar(ticket).add(now, within)
        await self.jobs.enqueue(ConfirmFix(ticket_id=ticket.id, version=ticket.version), due_at=due)
        label = escape(link.issue_key.split(":", 1)[1])
        who = mention(ticket.owner_id) if ticket.owner_id else "Nobody owns it, but"
        release = f" ({escape(news.release)})" if news.release else ""
        note = (
            f"{who}: the fix shipped: <{link.url}|{label}>{release}. The key user is told; the ticket "
            f"resolves itself <!date^{int(due.timestamp())}^{{date_short_pretty}} at {{time}}|then> unless "
            "they say it still fails."
        )
        # An incident's customers are its children, each told through its own link, not the incident.
        reporter = (
            None if ticket.is_incident else NotifyReporter.about(ticket, "fix_shipped", text=news.release)
        )
        await announce(self.jobs, ticket.id, note=note, reporter=reporter)

    async def _confirmed(self, ticket: Ticket) -> bool:
        last = await TicketEvent.filter(ticket_id=ticket.id, kind__in=LOOP_EVENTS).order_by("-id").first()
        return last is not None and last.kind == "fix_confirmed"

    # --- after the fix shipped ---

    async def confirm_due(self, timer: ConfirmFix, job: Job) -> None:
        """Nobody said it still fails in time: resolved, unless the ticket moved on meanwhile."""
        ticket = await Ticket.get_or_none(id=timer.ticket_id)
        if ticket is None or ticket.status != TicketStatus.FIX_SHIPPED or ticket.version != timer.version:
            return
        now = self.clock.now()
        async with self.jobs.transaction():
            moved = await Ticket.filter(id=ticket.id, version=ticket.version).update(
                status=TicketStatus.RESOLVED,
                resolved_at=now,
                resolution=ticket.resolution or Resolution.PRODUCT_DEFECT.value,
                waiver_reason=ticket.waiver_reason or "product defect",
                updated_at=now,
                version=F("version") + 1,
            )
            if not moved:
                return
            for name in CLOCK_NAMES:
                await self.sla.stop(ticket, name, now, None)
            await record(ticket.id, now, None, "fix_confirmed")
            await announce(
                self.jobs,
                ticket.id,
                note="Nobody said the fix still fails: the ticket resolved itself.",
                reporter=None if ticket.is_incident else NotifyReporter.about(ticket, "fix_confirmed"),
            )

    async def still_fails(self, ticket_id: int, user_id: str) -> Ticket:
        """The key user says the shipped fix did not solve it: open again, clocks running, owner told."""

        async def decide(ticket: Ticket, now: datetime) -> Change:
            if ticket.status != TicketStatus.FIX_SHIPPED:
                raise ServiceError(
                    f"{ticket.ref} is not waiting for you to confirm a fix. Nothing was changed."
                )
            self.roles.require(Do.STILL_FAILS, user_id, ticket)  # the customer's word, not staff's
            was_resolved = ticket.resolution is not None  # resolved, or fix pending: clocks stopped

            async def clocks(t: Ticket, at: datetime) -> None:
                if was_resolved:  # its clocks had stopped: the resolution clock starts again
                    await self.sla.reopen(t, RESOLUTION, at, user_id)
                    await self.sla.reopened(t, at, user_id)
                else:
                    await self.sla.resume_all(t, at, user_id)
                await self.sla.customer_message(t, at, user_id)

            owner = f"{mention(ticket.owner_id)}: " if ticket.owner_id else ""
            return Change(
                "fix_still_fails",
                fields={"status": TicketStatus.OPEN, "resolved_at": None, "resolution": None},
                effects=(clocks,),
                note=f"{owner}{mention(user_id)} says the shipped fix does not solve it: open again.",
                reporter=NotifyReporter.about(ticket, "still_fails", by=user_id),
            )

        return (await self.transitions.run(Do.REOPEN, ticket_id, user_id, decide, must_be_open=False))[0]
