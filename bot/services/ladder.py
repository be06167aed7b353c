"""The escalation ladder: durable, exactly-once pages to leads, managers and executives.

Each ladder step of a ticket is a timer row due at its offset (business time on the plan calendar from when
the ticket was raised). When it fires it re-reads the ticket and pages nobody if the ticket moved on
(claimed, acknowledged, resolved, or re-prioritised: a newer ladder epoch). A page is a row unique per
(ticket, step, person), so neither a retry nor a second replica can page anyone twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from bot import metrics
from bot.clock import Clock
from bot.durations import HOURS_ONLY, BusinessDay, business_duration, format_duration, parse_duration
from bot.jobs.kinds import DeliverPage, LadderStepDue, NotifyReporter, ThreadNote
from bot.jobs.queue import JobQueue
from bot.policy import LadderStep, Policy, Priority
from bot.services.directory import Directory
from bot.services.events import record
from bot.services.incident_links import incident_page
from bot.services.sla import CLOCK_LABELS, SlaService, targets_for
from models import WITH_ENGINEERING, Job, JobStatus, Page, Ticket, TicketEvent, TicketStatus

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=1)  # a step firing later than this (the bot was down) is marked late
# Pages due together to one person go out as one DM (bot/outbox/pages.py). A page made while other ladder
# steps are due by this soon and have not run yet waits just past the last of them (GATHER_MARGIN), so that
# their pages join its DM: a page waits at most GATHER_WINDOW + GATHER_MARGIN, within a second of its due
# time.
GATHER_WINDOW = timedelta(milliseconds=600)
GATHER_MARGIN = timedelta(milliseconds=100)


# What counts as a ticket moving on after an acknowledgement (besides being claimed): what its key user is
# told (bot/services/transitions.py), and a reply to the customer (Reply to customer, by any door).
PROGRESS = frozenset({"claimed", "reassigned", "waiting_on_customer", "replied_to_customer", "resolved"})


@dataclass(frozen=True)
class PageRequest:
    ticket: Ticket
    level: str
    step_key: str
    reason: str
    due_at: datetime
    repeat: int = 0  # n: the step's n-th repeat
    step_job: int | None = None  # the ladder job paging, if one is


def step_reason(
    ticket: Ticket,
    step: LadderStep,
    offset: timedelta,
    due: datetime,
    now: datetime,
    day: BusinessDay = HOURS_ONLY,
) -> str:
    """Why this page: "P1 first-response target missed by 4m" or "P1 unresolved after 2 business hours"."""
    late_by = format_duration(max(now - due, timedelta(0)))
    if step.after in CLOCK_LABELS:
        target = CLOCK_LABELS[step.after].replace(" ", "-")
        if step.on_miss:  # a recurring target (next response, update), due the moment it was missed
            return f"{ticket.priority} {target} target missed"
        return f"{ticket.priority} {target} target missed by {late_by}"
    state = {"claimed": "unclaimed", "acknowledged": "unacknowledged", "resolved": "unresolved"}[step.unless]
    return f"{ticket.priority} {state} after {business_duration(offset, day)}"


@dataclass
class Ladder:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    sla: SlaService
    directory: Directory

    def steps(self, ticket: Ticket) -> list[LadderStep]:
        raw = ticket.policy.get("ladders", {}).get(ticket.priority)
        if raw is None:  # raised before ladders were stored with tickets: use the policy in force
            return self.policy.ladder_for(ticket.plan, Priority(ticket.priority))
        return [LadderStep.model_validate(step) for step in raw]

    async def schedule(self, ticket: Ticket) -> None:
        """Queue the ladder of the ticket's current epoch (inside the caller's transaction)."""
        calendar = self.sla.calendar(ticket)
        targets = targets_for(ticket)
        for index, step in enumerate(self.steps(ticket)):
            # The step, then its repeats (none if it names a target this plan does not set).
            for repeat, offset in enumerate(step.offsets(targets)):
                await self.jobs.enqueue(
                    LadderStepDue.of(ticket, index, repeat=repeat),
                    due_at=calendar.add(ticket.created_at, offset),
                )

    async def fire_step(self, due: LadderStepDue, job: Job) -> None:
        """Job handler: page a ladder step's level, unless the ticket moved on."""
        ticket = await Ticket.get_or_none(id=due.ticket_id)
        if ticket is None or ticket.ladder_epoch != due.epoch or ticket.status == TicketStatus.RESOLVED:
            return
        if ticket.status in WITH_ENGINEERING:  # no clock runs while engineering has it
            return
        ladder = self.steps(ticket)
        if due.index >= len(ladder):
            return
        step = ladder[due.index]
        if due.ack:
            await self._fire_ack_timeout(ticket, step, due, job)
            return
        if due.repeat and (step.repeat is None or due.repeat > step.repeat.times):
            return  # a repeat the ticket's ladder no longer has
        again = {"repeat": due.repeat} if due.repeat else {}
        if await self._condition_met(ticket, step.unless):
            await record(
                ticket.id, self.clock.now(), None, "step_skipped",
                index=due.index, level=step.page, unless=step.unless, **again,
            )  # fmt: skip
            return
        if due.repeat and await self._level_acknowledged(ticket, step.page):
            await record(
                ticket.id, self.clock.now(), None, "step_skipped",
                index=due.index, level=step.page, unless="acknowledged", **again,
            )  # fmt: skip
            return
        offset = step.offset(targets_for(ticket)) or timedelta(0)
        day = self.sla.calendar(ticket).business_day
        # A step after a recurring target pages once per miss (cycle), the others once per ticket.
        cycle = f".{due.cycle}" if due.cycle else ""
        step_key = f"{ticket.priority}.{due.index}{cycle}"
        if due.repeat and step.repeat is not None:
            # Why the step paged, as of the step's own due time; then that this is a repeat.
            first_due = self.sla.calendar(ticket).add(ticket.created_at, offset)
            reason = (
                f"{step_reason(ticket, step, offset, first_due, self.clock.now(), day)}; paged again "
                f"(repeat {due.repeat} of {step.repeat.times}): nobody on the {step.page} level "
                "has acknowledged"
            )
            step_key = f"{step_key}.r{due.repeat}"
        else:
            reason = step_reason(ticket, step, offset, job.due_at, self.clock.now(), day)
        request = PageRequest(
            ticket, step.page, step_key, reason, job.due_at, repeat=due.repeat, step_job=job.id
        )
        if ticket.incident_id is not None:  # a child of an incident pages as the incident
            request = await incident_page(request)
        pages = await self.page(request)
        # The key user hears that their ticket went up a level, once per step.
        if (pages or request.ticket.id != ticket.id) and not due.repeat:
            async with self.jobs.transaction():
                await self.jobs.enqueue(
                    NotifyReporter.about(
                        ticket,
                        "escalated",
                        text=f"Your ticket was escalated to the {step.page} level ({reason}).",
                    )
                )

    async def acknowledged(self, ticket: Ticket, page: Page) -> None:
        """A page was acknowledged (inside the caller's transaction): if its step has an `ack_timeout`,
        queue the check that pages the level again should the ticket not move on within it."""
        found = self._step_of(ticket, page.step_key)
        if found is None or page.acknowledged_at is None:
            return
        index, step = found
        if step.ack_timeout is None:
            return
        await self.jobs.enqueue(
            LadderStepDue.of(ticket, index, ack=page.id),
            due_at=self.sla.calendar(ticket).add(page.acknowledged_at, parse_duration(step.ack_timeout)),
        )

    def _step_of(self, ticket: Ticket, step_key: str) -> tuple[int, LadderStep] | None:
        """The current ladder's step a page came from ("P1.0", "P1.0.r1"); None for a key user's request
        or a step of an earlier ladder (the priority changed since)."""
        priority, _, rest = step_key.partition(".")
        index = rest.split(".")[0]
        if priority != ticket.priority or not index.isdigit():
            return None
        ladder = self.steps(ticket)
        return (int(index), ladder[int(index)]) if int(index) < len(ladder) else None

    async def _fire_ack_timeout(self, ticket: Ticket, step: LadderStep, due: LadderStepDue, job: Job) -> None:
        """Page the step's level again: a page was acknowledged `ack_timeout` ago and nothing moved since."""
        page = await Page.get_or_none(id=due.ack)
        if page is None or page.acknowledged_at is None or step.ack_timeout is None:
            return
        moved = await TicketEvent.filter(
            ticket_id=ticket.id, at__gte=page.acknowledged_at, kind__in=PROGRESS
        ).exists()
        if moved or ticket.owner_id is not None or ticket.status != TicketStatus.OPEN:
            await record(
                ticket.id, self.clock.now(), None, "step_skipped",
                index=due.index, level=step.page, unless="progress", ack=page.id,
            )  # fmt: skip
            return
        reason = (
            f"{ticket.priority} acknowledged by <@{page.acknowledged_by}> but not moved on within "
            f"{format_duration(parse_duration(step.ack_timeout))} of business time (ack timeout)"
        )
        await self.page(
            PageRequest(
                ticket,
                step.page,
                f"{ticket.priority}.{due.index}.ack{page.id}",
                reason,
                job.due_at,
                step_job=job.id,
            )
        )

    async def _level_acknowledged(self, ticket: Ticket, level: str) -> bool:
        """Someone paged at `level` about this ticket acknowledged (a repeat is then not needed)."""
        return await Page.filter(ticket_id=ticket.id, level=level, acknowledged_at__isnull=False).exists()

    async def _condition_met(self, ticket: Ticket, unless: str) -> bool:
        if unless == "claimed":
            return ticket.owner_id is not None
        if unless == "resolved":
            return ticket.status == TicketStatus.RESOLVED
        return await Page.filter(ticket_id=ticket.id, acknowledged_at__isnull=False).exists()

    async def page(self, request: PageRequest) -> list[Page]:
        """Page everyone on duty at a level; each (ticket, step, person) at most once."""
        now = self.clock.now()
        late = now - request.due_at > LATE_AFTER or self.jobs.missed_while_down(request.due_at)
        pages: list[Page] = []
        send_at = await self._send_at(now, request.step_job)
        again = {"repeat": request.repeat} if request.repeat else {}
        escalated = "Escalated again to" if request.repeat else "Escalated to"
        for recipient in await self.directory.recipients(
            request.level, request.due_at, request.ticket.customer
        ):
            try:
                async with self.jobs.transaction():
                    page = await Page.create(
                        ticket_id=request.ticket.id,
                        step_key=request.step_key,
                        level=request.level,
                        recipient=recipient,
                        reason=request.reason,
                        due_at=request.due_at,
                        created_at=now,
                        late=late,
                        repeat=request.repeat,
                    )
                    await record(
                        request.ticket.id, now, None, "paged",
                        level=request.level, recipient=recipient, step=request.step_key,
                        reason=request.reason, late=late, **again,
                    )  # fmt: skip
                    await self.jobs.enqueue(
                        DeliverPage(ticket_id=request.ticket.id, page=page.id, to=recipient), due_at=send_at
                    )
                    late_note = " (late: Secondline was not running when it was due)" if late else ""
                    await self.jobs.enqueue(
                        ThreadNote(
                            ticket_id=request.ticket.id,
                            text=f"{escalated} <@{recipient}>: {request.reason}.{late_note}",
                        )
                    )
            except IntegrityError:
                log.info("%s step %s already paged %s", request.ticket.ref, request.step_key, recipient)
                continue
            pages.append(page)
            metrics.PAGES.labels(request.level).inc()
            late_by = f", late by {format_duration(now - request.due_at)}" if late else ""
            log.info(
                "%s paged %s (%s level, step %s%s)",
                request.ticket.ref,
                recipient,
                request.level,
                request.step_key,
                late_by,
            )
        if not pages:
            log.warning(
                "%s step %s paged nobody new (level %s)", request.ticket.ref, request.step_key, request.level
            )
        return pages

    async def _send_at(self, now: datetime, step_job: int | None) -> datetime:
        """When to send a page made now: at once, unless other ladder steps are due by now + GATHER_WINDOW
        and have not run yet; then just after the last of them, whose page takes this one along."""
        others = Job.filter(
            Q(lease_until__isnull=True) | Q(lease_until__lt=now),  # not running yet: those running now
            status=JobStatus.PENDING,  # are waited for by the worker (bot/jobs/worker.py, _run_lanes)
            kind=LadderStepDue.kind,
            due_at__lte=now + GATHER_WINDOW,
        )
        if step_job is not None:
            others = others.exclude(id=step_job)
        last = await others.order_by("-due_at").only("id", "due_at").first()
        return max(now, last.due_at) + GATHER_MARGIN if last else now

    async def next_level(self, ticket: Ticket) -> str:
        """The level after the highest one this ticket has paged (the first if none; the last stays)."""
        levels = self.directory.levels()
        paged = {p.level for p in await Page.filter(ticket_id=ticket.id).only("level")}
        reached = [i for i, level in enumerate(levels) if level in paged]
        return levels[min(max(reached) + 1, len(levels) - 1)] if reached else levels[0]
