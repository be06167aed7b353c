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

from bot import metrics
from bot.clock import Clock
from bot.durations import HOURS_ONLY, BusinessDay, business_duration, format_duration
from bot.jobs.kinds import DeliverPage, LadderStepDue, NotifyReporter, ThreadNote
from bot.jobs.queue import JobQueue
from bot.policy import LadderStep, Policy, Priority
from bot.services.directory import Directory
from bot.services.events import record
from bot.services.sla import CLOCK_LABELS, SlaService, targets_for
from models import WITH_ENGINEERING, Job, Page, Ticket, TicketStatus

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=1)  # a step firing later than this (the bot was down) is marked late


@dataclass(frozen=True)
class PageRequest:
    ticket: Ticket
    level: str
    step_key: str
    reason: str
    due_at: datetime


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
            offset = step.offset(targets)
            if offset is None:
                continue  # names a target this plan does not set
            await self.jobs.enqueue(
                LadderStepDue(
                    ticket_id=ticket.id, epoch=ticket.ladder_epoch, index=index, priority=ticket.priority
                ),
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
        if await self._condition_met(ticket, step.unless):
            await record(
                ticket.id, self.clock.now(), None, "step_skipped",
                index=due.index, level=step.page, unless=step.unless,
            )  # fmt: skip
            return
        offset = step.offset(targets_for(ticket)) or timedelta(0)
        day = self.sla.calendar(ticket).business_day
        reason = step_reason(ticket, step, offset, job.due_at, self.clock.now(), day)
        # A step after a recurring target pages once per miss (cycle), the others once per ticket.
        cycle = f".{due.cycle}" if due.cycle else ""
        pages = await self.page(
            PageRequest(ticket, step.page, f"{ticket.priority}.{due.index}{cycle}", reason, job.due_at)
        )
        if pages:  # the key user hears that their ticket went up a level, once per step
            async with self.jobs.transaction():
                await self.jobs.enqueue(
                    NotifyReporter.about(
                        ticket,
                        "escalated",
                        text=f"Your ticket was escalated to the {step.page} level ({reason}).",
                    )
                )

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
        recipients = await self.directory.recipients(request.level, request.due_at, request.ticket.customer)
        for recipient in recipients:
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
                    )
                    await record(
                        request.ticket.id, now, None, "paged",
                        level=request.level, recipient=recipient, step=request.step_key,
                        reason=request.reason, late=late,
                    )  # fmt: skip
                    await self.jobs.enqueue(DeliverPage(ticket_id=request.ticket.id, page=page.id))
                    late_note = " (late: Secondline was not running when it was due)" if late else ""
                    await self.jobs.enqueue(
                        ThreadNote(
                            ticket_id=request.ticket.id,
                            text=f"Escalated to <@{recipient}>: {request.reason}.{late_note}",
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

    async def next_level(self, ticket: Ticket) -> str:
        """The level after the highest one this ticket has paged (the first if none; the last stays)."""
        levels = self.directory.levels()
        paged = {p.level for p in await Page.filter(ticket_id=ticket.id).only("level")}
        reached = [i for i, level in enumerate(levels) if level in paged]
        return levels[min(max(reached) + 1, len(levels) - 1)] if reached else levels[0]
