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
from typing import Any

from tortoise.exceptions import IntegrityError

from bot.clock import Clock
from bot.config import TARGET_NAMES, LadderStep, Policy, Priority
from bot.durations import format_duration
from bot.jobs import JobQueue
from bot.permissions import Do, Role
from bot.services.directory import Directory
from bot.services.errors import NotAllowed, ServiceError
from bot.services.sla import CLOCK_LABELS, SlaService, targets_for
from bot.services.tickets import NOTIFY_REPORTER, REDRAW_TICKET, THREAD_NOTE, TicketService
from bot.text import escape
from models import Job, Page, Ticket, TicketEvent, TicketStatus

log = logging.getLogger(__name__)

LADDER_STEP = "ladder_step"
DELIVER_PAGE = "deliver_page"
REDRAW_PAGE = "redraw_page"
LATE_AFTER = timedelta(minutes=1)  # a step firing later than this (the bot was down) is marked late
REASON_MAX = 500


@dataclass(frozen=True)
class PageRequest:
    ticket: Ticket
    level: str
    step_key: str
    reason: str
    due_at: datetime


def step_reason(ticket: Ticket, step: LadderStep, offset: timedelta, due: datetime, now: datetime) -> str:
    """Why this page: "P1 first-response target missed by 4m" or "P1 unresolved after 2h"."""
    late_by = format_duration(max(now - due, timedelta(0)))
    if step.after in TARGET_NAMES:
        target = CLOCK_LABELS[step.after].replace(" ", "-")
        return f"{ticket.priority} {target} target missed by {late_by}"
    state = {"claimed": "unclaimed", "acknowledged": "unacknowledged", "resolved": "unresolved"}[step.unless]
    return f"{ticket.priority} {state} after {format_duration(offset)} of business time"


class EscalationService:
    def __init__(
        self,
        policy: Policy,
        clock: Clock,
        jobs: JobQueue,
        sla: SlaService,
        tickets: TicketService,
        directory: Directory,
    ) -> None:
        self.policy = policy
        self.clock = clock
        self.jobs = jobs
        self.sla = sla
        self.tickets = tickets
        self.directory = directory
        tickets.hooks.append(self)

    # --- scheduling (TicketHook) ---

    async def on_raised(self, ticket: Ticket, now: datetime) -> None:
        await self.schedule(ticket)

    async def on_priority_changed(self, ticket: Ticket, now: datetime) -> None:
        await self.schedule(ticket)  # the old epoch's timers now do nothing

    def ladder(self, ticket: Ticket) -> list[LadderStep]:
        raw = ticket.policy.get("ladders", {}).get(ticket.priority)
        if raw is None:  # raised before ladders were stored with tickets: use the policy in force
            return self.policy.ladder_for(ticket.plan, Priority(ticket.priority))
        return [LadderStep.model_validate(step) for step in raw]

    async def schedule(self, ticket: Ticket) -> None:
        calendar = self.sla.calendar(ticket)
        targets = targets_for(ticket)
        for index, step in enumerate(self.ladder(ticket)):
            offset = step.offset(targets)
            if offset is None:
                continue  # names a target this plan does not set
            await self.jobs.enqueue(
                LADDER_STEP,
                ticket_id=ticket.id,
                due_at=calendar.add(ticket.created_at, offset),
                payload={"epoch": ticket.ladder_epoch, "index": index, "priority": ticket.priority},
                dedupe_key=f"ladder:{ticket.id}:{ticket.ladder_epoch}:{index}",
            )

    # --- firing ---

    async def fire_step(self, job: Job) -> None:
        """Job handler: page a ladder step's level, unless the ticket moved on."""
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        epoch, index = int(job.payload["epoch"]), int(job.payload["index"])
        if ticket is None or ticket.ladder_epoch != epoch or ticket.status == TicketStatus.RESOLVED:
            return
        ladder = self.ladder(ticket)
        if index >= len(ladder):
            return
        step = ladder[index]
        if await self._condition_met(ticket, step.unless):
            await self._log(ticket, None, "step_skipped", index=index, level=step.page, unless=step.unless)
            return
        offset = step.offset(targets_for(ticket)) or timedelta(0)
        now = self.clock.now()
        reason = step_reason(ticket, step, offset, job.due_at, now)
        pages = await self.page(
            PageRequest(ticket, step.page, f"{ticket.priority}.{index}", reason, job.due_at)
        )
        if pages:  # the key user hears that their ticket went up a level, once per step
            async with self.jobs.transaction():
                await self.jobs.enqueue(
                    NOTIFY_REPORTER,
                    ticket_id=ticket.id,
                    payload={
                        "event": "escalated",
                        "text": f"Your ticket was escalated to the {step.page} level ({reason}).",
                    },
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
        for recipient in await self.directory.recipients(request.level, request.due_at):
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
                    await self._log(
                        request.ticket,
                        None,
                        "paged",
                        level=request.level,
                        recipient=recipient,
                        step=request.step_key,
                        reason=request.reason,
                        late=late,
                    )
                    await self.jobs.enqueue(
                        DELIVER_PAGE, ticket_id=request.ticket.id, payload={"page": page.id}
                    )
                    late_note = " (late: Secondline was not running when it was due)" if late else ""
                    await self.jobs.enqueue(
                        THREAD_NOTE,
                        ticket_id=request.ticket.id,
                        payload={
                            "kind": "note",
                            "text": f"Escalated to <@{recipient}>: {request.reason}.{late_note}",
                        },
                    )
            except IntegrityError:
                log.info("%s step %s already paged %s", request.ticket.ref, request.step_key, recipient)
                continue
            pages.append(page)
        if not pages:
            log.warning(
                "%s step %s paged nobody new (level %s)", request.ticket.ref, request.step_key, request.level
            )
        return pages

    # --- people acting on pages ---

    async def acknowledge(self, page_id: int, user_id: str) -> Page:
        page = await self._page(page_id)
        ticket = await self.tickets.get(page.ticket_id)
        extra = {Role.PAGED} if page.recipient == user_id else set()
        self.tickets.require(Do.ACKNOWLEDGE, user_id, ticket, extra)
        now = self.clock.now()
        async with self.jobs.transaction():
            done = await Page.filter(id=page_id, acknowledged_at__isnull=True).update(
                acknowledged_at=now, acknowledged_by=user_id
            )
            if done:
                await self._log(ticket, user_id, "page_acknowledged", page=page_id, level=page.level)
                await self.jobs.enqueue(
                    REDRAW_PAGE,
                    ticket_id=ticket.id,
                    payload={"page": page_id},
                    dedupe_key=f"redraw-page:{page_id}",
                )
                await self.jobs.enqueue(
                    THREAD_NOTE,
                    ticket_id=ticket.id,
                    payload={"kind": "note", "text": f"<@{user_id}> acknowledged the escalation."},
                )
        return await self._page(page_id)

    async def take(self, page_id: int, user_id: str) -> Ticket:
        page = await self._page(page_id)
        ticket = await self.tickets.get(page.ticket_id)
        if ticket.owner_id == user_id:
            return ticket
        if ticket.owner_id is None:
            result = await self.tickets.claim(ticket.id, user_id)
            if not result.won:
                raise ServiceError(f"{ticket.ref} was just claimed by <@{result.ticket.owner_id}>.")
        else:
            await self.tickets.reassign(ticket.id, user_id, user_id)
        if page.acknowledged_at is None:
            await self.acknowledge(page_id, user_id)
        async with self.jobs.transaction():
            await self.jobs.enqueue(
                REDRAW_PAGE,
                ticket_id=ticket.id,
                payload={"page": page_id},
                dedupe_key=f"redraw-page:{page_id}",
            )
        return await self.tickets.get(ticket.id)

    async def request(self, ticket_id: int, user_id: str, reason: str) -> list[Page]:
        """A key user (or anyone allowed) asks for escalation: the next level is paged at once."""
        ticket = await self.tickets.get(ticket_id)
        self.tickets.require(Do.ESCALATE, user_id, ticket)
        if ticket.status == TicketStatus.RESOLVED:
            raise ServiceError(f"{ticket.ref} is resolved; reopen it first.")
        reason = " ".join(reason.split())[:REASON_MAX]
        if not reason:
            raise ServiceError(
                "Say why the ticket needs escalating, e.g. `/support escalate SUP-42 payroll run blocked`."
            )
        level = await self.next_level(ticket)
        now = self.clock.now()
        requests = await Page.filter(ticket_id=ticket.id, step_key__startswith="request.").count()
        async with self.jobs.transaction():
            await self._log(ticket, user_id, "escalation_requested", level=level, reason=reason)
            await self.jobs.enqueue(
                NOTIFY_REPORTER,
                ticket_id=ticket.id,
                payload={
                    "event": "escalated",
                    "text": f"Escalation requested by <@{user_id}>: the {level} level is being paged now.",
                },
            )
            await self.jobs.enqueue(REDRAW_TICKET, ticket_id=ticket.id, dedupe_key=f"redraw:{ticket.id}")
        # Stored as mrkdwn, the user's words escaped, as page DMs and thread notes show it.
        text = f"escalation requested by <@{user_id}>: {escape(reason)}"
        return await self.page(PageRequest(ticket, level, f"request.{requests + 1}", text, now))

    async def next_level(self, ticket: Ticket) -> str:
        levels = self.directory.levels()
        paged = {p.level for p in await Page.filter(ticket_id=ticket.id).only("level")}
        reached = [i for i, level in enumerate(levels) if level in paged]
        return levels[min(max(reached) + 1, len(levels) - 1)] if reached else levels[0]

    async def unacknowledged_for(self, user_id: str) -> list[Page]:
        return (
            await Page.filter(
                recipient=user_id, acknowledged_at__isnull=True, ticket__status__not=TicketStatus.RESOLVED
            )
            .order_by("-created_at")
            .limit(20)
        )

    async def _page(self, page_id: int) -> Page:
        page = await Page.get_or_none(id=page_id)
        if page is None:
            raise NotAllowed("That page no longer exists.")
        return page

    async def _log(self, ticket: Ticket, actor: str | None, kind: str, **detail: Any) -> None:
        await TicketEvent.create(
            ticket_id=ticket.id, at=self.clock.now(), actor=actor, kind=kind, detail=detail
        )
