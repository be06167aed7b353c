"""SLA clocks of tickets: start, pause, resume, re-target, stop, and the threshold timers.

Every change is a database write plus an event-log row; threshold crossings are timer rows (jobs)
tagged with the clock's epoch, so a timer scheduled before a pause or a priority change does nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import sla
from bot.clock import Clock
from bot.config import CalendarSpec, Policy
from bot.jobs import JobQueue
from models import ClockState, Job, SlaClock, Ticket, TicketEvent

log = logging.getLogger(__name__)

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
CLOCK_NAMES = (FIRST_RESPONSE, RESOLUTION)
CLOCK_LABELS = {FIRST_RESPONSE: "first response", RESOLUTION: "resolution"}

# Job kinds.
SLA_THRESHOLD = "sla_threshold"
REDRAW_TICKET = "redraw_ticket"
THREAD_NOTE = "thread_note"


@dataclass(frozen=True)
class Crossing:
    """A threshold a clock crossed; the caller turns it into a redraw and maybe a thread note."""

    clock: str
    percent: int


def targets_for(ticket: Ticket, priority: str | None = None) -> dict[str, timedelta]:
    """The ticket's targets for a priority, from the policy snapshot stored with it."""
    priority = priority or ticket.priority
    targets: dict[str, timedelta] = {}
    for name in CLOCK_NAMES:
        seconds = (ticket.policy.get("targets", {}).get(name) or {}).get(priority)
        if seconds:
            targets[name] = timedelta(seconds=seconds)
    return targets


def threshold_note(crossing: Crossing, job: Job) -> str | None:
    label = CLOCK_LABELS[crossing.clock]
    due = f"<!date^{int(job.payload['due_ts'])}^{{date_short_pretty}} at {{time}}|due time>"
    if crossing.percent == sla.AT_RISK:
        return f":warning: The {label} target is at risk: {crossing.percent} % of it is used; due {due}."
    if crossing.percent >= sla.BREACH:
        return f":red_circle: The {label} target was missed: it was due {due}."
    return None


class SlaService:
    def __init__(self, policy: Policy, clock: Clock, jobs: JobQueue) -> None:
        self.policy = policy
        self.clock = clock
        self.jobs = jobs

    def calendar(self, ticket: Ticket) -> CalendarSpec:
        name = ticket.policy.get("calendar") or self.policy.plans[ticket.plan].calendar
        return self.policy.calendars[name]

    async def clocks(self, ticket: Ticket) -> dict[str, SlaClock]:
        return {c.name: c for c in await SlaClock.filter(ticket_id=ticket.id)}

    def read_clock(self, ticket: Ticket, clock: SlaClock, now: datetime) -> sla.ClockReading:
        return sla.read(clock.name, clock, self.calendar(ticket), now)

    async def readings(self, ticket: Ticket, now: datetime) -> list[sla.ClockReading]:
        calendar = self.calendar(ticket)
        clocks = await self.clocks(ticket)
        return [sla.read(name, clocks[name], calendar, now) for name in CLOCK_NAMES if name in clocks]

    # --- changes; call these inside the caller's transaction ---

    async def start(self, ticket: Ticket, now: datetime) -> None:
        calendar = self.calendar(ticket)
        for name, target in targets_for(ticket).items():
            clock = SlaClock(
                ticket_id=ticket.id,
                name=name,
                target_seconds=int(target.total_seconds()),
                state=ClockState.RUNNING,
                running_since=now,
                epoch=1,
            )
            clock.due_at = sla.due_at(clock, calendar)
            await clock.save()
            await self._schedule(ticket, clock)

    async def stop(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        """Stop a clock for good: met if it never ran past its target, else breached."""
        clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if clock is None or clock.stopped_at is not None:
            return clock
        self._bank(ticket, clock, now)
        clock.state = ClockState.MET if clock.breached_at is None else ClockState.BREACHED
        clock.stopped_at = now
        clock.epoch += 1
        await clock.save()
        await self._log(ticket, now, actor, f"{name}_{clock.state.value}", clock)
        return clock

    async def pause(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if clock is None or clock.running_since is None or clock.stopped_at is not None:
            return clock
        self._bank(ticket, clock, now)
        clock.state = ClockState.PAUSED
        clock.due_at = None
        clock.epoch += 1
        await clock.save()
        await self._log(ticket, now, actor, f"{name}_paused", clock)
        return clock

    async def resume(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if clock is None or clock.state != ClockState.PAUSED:
            return clock
        clock.running_since = now
        clock.state = ClockState.BREACHED if clock.breached_at else ClockState.RUNNING
        clock.due_at = sla.due_at(clock, self.calendar(ticket))
        clock.epoch += 1
        await clock.save()
        await self._log(ticket, now, actor, f"{name}_resumed", clock)
        await self._schedule(ticket, clock)
        return clock

    async def reopen(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        """Run a stopped clock again from the business time it had banked."""
        clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if clock is None or clock.stopped_at is None:
            return clock
        clock.stopped_at = None
        clock.state = ClockState.PAUSED
        await clock.save()
        return await self.resume(ticket, name, now, actor)

    async def retarget(self, ticket: Ticket, priority: str, now: datetime, actor: str | None) -> None:
        """New targets for a new priority, keeping the business time already elapsed on each clock."""
        calendar = self.calendar(ticket)
        targets = targets_for(ticket, priority)
        for name, clock in (await self.clocks(ticket)).items():
            if clock.stopped_at is not None or name not in targets:
                continue
            running = clock.running_since is not None
            self._bank(ticket, clock, now)
            clock.target_seconds = int(targets[name].total_seconds())
            clock.running_since = now if running else None
            past_target = clock.elapsed_seconds >= clock.target_seconds
            if past_target and clock.breached_at is None:
                clock.breached_at = now
            elif not past_target:
                clock.breached_at = None  # a lower priority can give a breached clock time again
            if running:
                clock.state = ClockState.BREACHED if clock.breached_at else ClockState.RUNNING
            clock.due_at = sla.due_at(clock, calendar)
            clock.epoch += 1
            await clock.save()
            await self._log(ticket, now, actor, f"{name}_retargeted", clock, priority=priority)
            await self._schedule(ticket, clock)

    # --- timers ---

    async def on_threshold(self, job: Job) -> Crossing | None:
        """A threshold timer fired: None if it is stale, else the crossing (a breach is recorded here)."""
        name, percent, epoch = job.payload["clock"], int(job.payload["percent"]), int(job.payload["epoch"])
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        clock = await SlaClock.get_or_none(ticket_id=job.ticket_id, name=name)
        if ticket is None or clock is None or clock.epoch != epoch or clock.running_since is None:
            return None
        now = self.clock.now()
        if percent >= sla.BREACH and clock.breached_at is None:
            clock.breached_at = job.due_at  # when it really ran out, even if this timer fires late
            clock.state = ClockState.BREACHED
            await clock.save()
            await self._log(ticket, now, None, f"{name}_breached", clock)
        elif percent == sla.AT_RISK:
            await self._log(ticket, now, None, f"{name}_at_risk", clock)
        return Crossing(name, percent)

    async def handle_threshold(self, job: Job) -> None:
        """Job handler: a threshold crossing redraws the ticket; 75 % and 100 % also leave a thread note."""
        async with self.jobs.transaction():
            crossing = await self.on_threshold(job)
            if crossing is None:
                return
            await self.jobs.enqueue(
                REDRAW_TICKET, ticket_id=job.ticket_id, dedupe_key=f"redraw:{job.ticket_id}"
            )
            text = threshold_note(crossing, job)
            if text:
                await self.jobs.enqueue(
                    THREAD_NOTE, ticket_id=job.ticket_id, payload={"kind": "note", "text": text}
                )

    async def _schedule(self, ticket: Ticket, clock: SlaClock) -> None:
        calendar = self.calendar(ticket)
        for percent in sla.THRESHOLDS:
            at = sla.threshold_at(clock, calendar, percent)
            if at is None:
                continue
            await self.jobs.enqueue(
                SLA_THRESHOLD,
                ticket_id=ticket.id,
                due_at=at,
                payload={
                    "clock": clock.name,
                    "percent": percent,
                    "epoch": clock.epoch,
                    "due_ts": int(clock.due_at.timestamp()) if clock.due_at else int(at.timestamp()),
                },
            )

    def _bank(self, ticket: Ticket, clock: SlaClock, now: datetime) -> None:
        if clock.running_since is not None:
            clock.elapsed_seconds = sla.elapsed(clock, self.calendar(ticket), now).total_seconds()
            clock.running_since = None

    async def _log(
        self, ticket: Ticket, now: datetime, actor: str | None, kind: str, clock: SlaClock, **extra: Any
    ) -> None:
        detail = {
            "elapsed_seconds": round(clock.elapsed_seconds),
            "target_seconds": clock.target_seconds,
            "due_at": clock.due_at.isoformat() if clock.due_at else None,
            **extra,
        }
        await TicketEvent.create(ticket_id=ticket.id, at=now, actor=actor, kind=kind, detail=detail)
