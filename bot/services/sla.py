"""SLA clocks of tickets: start, pause, resume, re-target, stop, and the threshold timers.

Every change is a database write plus an event-log row; threshold crossings are timer rows (jobs)
tagged with the clock's epoch, so a timer scheduled before a pause or a priority change does nothing.

Recurring clocks (bot/clocks.py) are moved by two entry points every door calls, inside its transaction:
`customer_message` (the customer wrote: thread, DM, e-mail, Add details) and `vendor_message` (the vendor
said something the customer sees: a reply, a status change with a note, the claim).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot import metrics, sla_time
from bot.clock import Clock
from bot.clocks import (
    CLOCK_LABELS,
    CLOCK_NAMES,
    FIRST_RESPONSE,
    NEXT_RESPONSE,
    ONCE,
    RECURRING,
    RESOLUTION,
    UPDATE_EVERY,
    miss_steps,
    targets_for,
)
from bot.durations import format_duration
from bot.jobs.kinds import LadderStepDue, RedrawTicket, SlaThreshold, TellPerson
from bot.jobs.queue import JobQueue
from bot.policy import CalendarSpec, Policy
from bot.services.directory import Directory
from bot.services.events import announce, record
from models import WITH_ENGINEERING, ClockState, Job, SlaClock, Ticket, TicketStatus

log = logging.getLogger(__name__)

# Clock names and targets live in the pure bot/clocks.py; imported from here by older callers.
__all__ = [
    "CLOCK_LABELS",
    "CLOCK_NAMES",
    "FIRST_RESPONSE",
    "RESOLUTION",
    "SlaService",
    "targets_for",
    "threshold_note",
]


def threshold_note(timer: SlaThreshold) -> str | None:
    label = CLOCK_LABELS[timer.clock]
    due = f"<!date^{timer.due_ts}^{{date_short_pretty}} at {{time}}|due time>"
    if timer.clock == UPDATE_EVERY:  # the owner is reminded privately; only the miss is noted
        if timer.percent >= sla_time.BREACH:
            return f":red_circle: The customer got no update in time: one was due {due}."
        return None
    if timer.percent == sla_time.AT_RISK:
        return f":warning: The {label} target is at risk: {timer.percent} % of it is used; due {due}."
    if timer.percent >= sla_time.BREACH:
        return f":red_circle: The {label} target was missed: it was due {due}."
    return None


def update_reminder(ticket: Ticket, timer: SlaThreshold) -> str:
    due = f"<!date^{timer.due_ts}^{{date_short_pretty}} at {{time}}|due time>"
    return f"{ticket.ref} owes the customer an update by {due}: {timer.percent} % of the period is used."


@dataclass
class SlaService:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    directory: Directory | None = None  # who is on the lead level, told of a missed update

    def calendar(self, ticket: Ticket) -> CalendarSpec:
        name = ticket.policy.get("calendar") or self.policy.plans[ticket.plan].calendar
        return self.policy.calendars[name]

    async def clocks(self, ticket: Ticket) -> dict[str, SlaClock]:
        return {c.name: c for c in await SlaClock.filter(ticket_id=ticket.id)}

    def read_clock(self, ticket: Ticket, sla_clock: SlaClock, now: datetime) -> sla_time.ClockReading:
        return sla_time.read(sla_clock.name, sla_clock, self.calendar(ticket), now)

    async def readings(self, ticket: Ticket, now: datetime) -> list[sla_time.ClockReading]:
        calendar = self.calendar(ticket)
        clocks = await self.clocks(ticket)
        return [sla_time.read(name, clocks[name], calendar, now) for name in CLOCK_NAMES if name in clocks]

    # --- changes; call these inside the caller's transaction ---

    async def start(self, ticket: Ticket, now: datetime) -> None:
        """Start the clocks that run from when the ticket was raised (recurring ones start on messages);
        their threshold timers are queued by `schedule_timers`, from the new ticket's follow-up job."""
        calendar = self.calendar(ticket)
        started = []
        for name, target in targets_for(ticket).items():
            if name not in ONCE:
                continue
            sla_clock = SlaClock(
                ticket_id=ticket.id,
                name=name,
                target_seconds=int(target.total_seconds()),
                state=ClockState.RUNNING,
                running_since=now,
                epoch=1,
            )
            sla_clock.due_at = sla_time.due_at(sla_clock, calendar)
            started.append(sla_clock)
        if started:  # one statement: this runs before the raise form is answered
            await SlaClock.bulk_create(started)

    async def schedule_timers(self, ticket: Ticket) -> None:
        """Queue the threshold timers of the ticket's running clocks, as they stand now."""
        for sla_clock in await SlaClock.filter(ticket_id=ticket.id, running_since__isnull=False):
            await self._schedule(ticket, sla_clock)

    async def customer_message(self, ticket: Ticket, at: datetime, actor: str | None = None) -> None:
        """The customer wrote (a reply in the thread or a shared channel, a DM, an e-mail, Add details).

        On a claimed, unresolved ticket with a next-response target this starts a next-response clock,
        unless one already runs for an earlier unanswered message (the vendor owes the earliest answer).
        Call it after the ticket's status changed (a reply that resumes a waiting ticket resumes first).
        """
        if (
            ticket.owner_id is None
            or ticket.status == TicketStatus.RESOLVED
            or ticket.status in WITH_ENGINEERING
        ):
            return
        if await self._begin_cycle(ticket, NEXT_RESPONSE, at, actor, keep_running=True):
            await self.jobs.enqueue(RedrawTicket(ticket_id=ticket.id))  # the new due time shows

    async def vendor_message(self, ticket: Ticket, at: datetime, actor: str | None = None) -> None:
        """The vendor said something the customer sees (Reply to customer, an engineer in a Slack Connect
        customer's thread, a status change with a note, an e-mail, the claim): the next-response clock is
        met (or breached) and stops, and a new update period begins on a claimed, unresolved ticket."""
        answered = await self.stop(ticket, NEXT_RESPONSE, at, actor)
        changed = answered is not None and answered.stopped_at == at
        if (
            ticket.owner_id is not None
            and ticket.status != TicketStatus.RESOLVED
            and ticket.status not in WITH_ENGINEERING
        ):
            changed = await self._begin_cycle(ticket, UPDATE_EVERY, at, actor) or changed
        if changed:
            await self.jobs.enqueue(RedrawTicket(ticket_id=ticket.id))

    async def answered_at(self, ticket: Ticket, at: datetime, actor: str | None = None) -> None:
        """A customer-visible message sent at `at`, a moment ago (its incident's update, followed by this
        child afterwards): a first response still running is met or breached as of `at`, and the next
        response with it unless the customer wrote again after `at` (that message is still owed an answer)."""
        first = await SlaClock.get_or_none(ticket_id=ticket.id, name=FIRST_RESPONSE)
        if first is not None and first.stopped_at is None:
            started = first.running_since
            await self.stop(ticket, FIRST_RESPONSE, at if started is None else max(at, started), actor)
        owed = await SlaClock.get_or_none(ticket_id=ticket.id, name=NEXT_RESPONSE, stopped_at=None)
        if owed is None or owed.running_since is None or owed.running_since <= at:
            await self.vendor_message(ticket, at, actor)

    async def reopened(self, ticket: Ticket, at: datetime, actor: str | None) -> None:
        """Open again: updates are owed again from now, on a claimed ticket."""
        if ticket.owner_id is not None:
            await self._begin_cycle(ticket, UPDATE_EVERY, at, actor)

    async def pause_all(self, ticket: Ticket, now: datetime, actor: str | None) -> None:
        """Waiting on the customer: the resolution clock and the recurring clocks pause."""
        for name in (RESOLUTION, *RECURRING):
            await self.pause(ticket, name, now, actor)

    async def resume_all(self, ticket: Ticket, now: datetime, actor: str | None) -> None:
        for name in (RESOLUTION, *RECURRING):
            await self.resume(ticket, name, now, actor)

    async def _begin_cycle(
        self, ticket: Ticket, name: str, at: datetime, actor: str | None, *, keep_running: bool = False
    ) -> bool:
        """A new cycle of a recurring clock in its row, the finished one counted by its outcome; paused
        from the start while the ticket waits on the customer. False if none began."""
        target = targets_for(ticket).get(name)
        if target is None:
            return False
        sla_clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if sla_clock is None:
            sla_clock = SlaClock(ticket_id=ticket.id, name=name, epoch=0)
        else:
            if sla_clock.stopped_at is None:
                if keep_running:
                    return False
                self._bank(ticket, sla_clock, at)
            if sla_clock.breached_at is not None or sla_clock.state == ClockState.BREACHED:
                sla_clock.breached_count += 1
            else:
                sla_clock.met_count += 1
        waiting = ticket.status == TicketStatus.WAITING
        sla_clock.target_seconds = int(target.total_seconds())
        sla_clock.elapsed_seconds = 0.0
        sla_clock.breached_at = sla_clock.stopped_at = None
        sla_clock.running_since = None if waiting else at
        sla_clock.state = ClockState.PAUSED if waiting else ClockState.RUNNING
        sla_clock.due_at = sla_time.due_at(sla_clock, self.calendar(ticket))
        sla_clock.epoch += 1
        await sla_clock.save()
        await self._log(ticket, at, actor, f"{name}_started", sla_clock)
        await self._schedule(ticket, sla_clock)
        return True

    async def stop(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        """Stop a clock for good: met if it never ran past its target, else breached."""
        sla_clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if sla_clock is None or sla_clock.stopped_at is not None:
            return sla_clock
        self._bank(ticket, sla_clock, now)
        sla_clock.state = ClockState.MET if sla_clock.breached_at is None else ClockState.BREACHED
        sla_clock.stopped_at = now
        sla_clock.epoch += 1
        await sla_clock.save()
        await self._log(ticket, now, actor, f"{name}_{sla_clock.state.value}", sla_clock)
        return sla_clock

    async def pause(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        sla_clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if sla_clock is None or sla_clock.running_since is None or sla_clock.stopped_at is not None:
            return sla_clock
        self._bank(ticket, sla_clock, now)
        sla_clock.state = ClockState.PAUSED
        sla_clock.due_at = None
        sla_clock.epoch += 1
        await sla_clock.save()
        await self._log(ticket, now, actor, f"{name}_paused", sla_clock)
        return sla_clock

    async def resume(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        sla_clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if sla_clock is None or sla_clock.state != ClockState.PAUSED:
            return sla_clock
        sla_clock.running_since = now
        sla_clock.state = ClockState.BREACHED if sla_clock.breached_at else ClockState.RUNNING
        sla_clock.due_at = sla_time.due_at(sla_clock, self.calendar(ticket))
        sla_clock.epoch += 1
        await sla_clock.save()
        await self._log(ticket, now, actor, f"{name}_resumed", sla_clock)
        await self._schedule(ticket, sla_clock)
        return sla_clock

    async def reopen(self, ticket: Ticket, name: str, now: datetime, actor: str | None) -> SlaClock | None:
        """Run a stopped clock again from the business time it had banked."""
        sla_clock = await SlaClock.get_or_none(ticket_id=ticket.id, name=name)
        if sla_clock is None or sla_clock.stopped_at is None:
            return sla_clock
        sla_clock.stopped_at = None
        sla_clock.state = ClockState.PAUSED
        await sla_clock.save()
        return await self.resume(ticket, name, now, actor)

    async def retarget(self, ticket: Ticket, priority: str, now: datetime, actor: str | None) -> None:
        """New targets for a new priority, keeping the business time already elapsed on each clock."""
        calendar = self.calendar(ticket)
        targets = targets_for(ticket, priority)
        for name, sla_clock in (await self.clocks(ticket)).items():
            if sla_clock.stopped_at is not None or name not in targets:
                continue
            running = sla_clock.running_since is not None
            self._bank(ticket, sla_clock, now)
            sla_clock.target_seconds = int(targets[name].total_seconds())
            sla_clock.running_since = now if running else None
            past_target = sla_clock.elapsed_seconds >= sla_clock.target_seconds
            if past_target and sla_clock.breached_at is None:
                sla_clock.breached_at = now
            elif not past_target:
                sla_clock.breached_at = None  # a lower priority can give a breached clock time again
            if running:
                sla_clock.state = ClockState.BREACHED if sla_clock.breached_at else ClockState.RUNNING
            sla_clock.due_at = sla_time.due_at(sla_clock, calendar)
            sla_clock.epoch += 1
            await sla_clock.save()
            await self._log(ticket, now, actor, f"{name}_retargeted", sla_clock, priority=priority)
            await self._schedule(ticket, sla_clock)

    # --- timers ---

    async def handle_threshold(self, timer: SlaThreshold, job: Job) -> None:
        """Job handler: a crossing redraws the ticket; 75 % and 100 % also leave a thread note.

        A breach is recorded at the job's due time: when the clock really ran out, even if the timer fires
        late. A timer of an older epoch (the clock paused, re-targeted or stopped since) does nothing.
        """
        async with self.jobs.transaction():
            ticket = await Ticket.get_or_none(id=timer.ticket_id)
            sla_clock = await SlaClock.get_or_none(ticket_id=timer.ticket_id, name=timer.clock)
            if (
                ticket is None
                or sla_clock is None
                or sla_clock.epoch != timer.epoch
                or sla_clock.running_since is None
            ):
                return
            now = self.clock.now()
            missed = False
            if timer.percent >= sla_time.BREACH and sla_clock.breached_at is None:
                sla_clock.breached_at = job.due_at
                sla_clock.state = ClockState.BREACHED
                await sla_clock.save()
                await self._log(ticket, now, None, f"{timer.clock}_breached", sla_clock)
                log.info("%s %s target breached", ticket.ref, CLOCK_LABELS[timer.clock])
                metrics.SLA_BREACHES.labels(timer.clock, ticket.priority).inc()
                missed = True
                await self._ladder_on_miss(ticket, sla_clock, job.due_at)
            elif timer.percent == sla_time.AT_RISK:
                await self._log(ticket, now, None, f"{timer.clock}_at_risk", sla_clock)
                if timer.clock == UPDATE_EVERY and ticket.owner_id:
                    await self.jobs.enqueue(
                        TellPerson(
                            ticket_id=ticket.id, to=ticket.owner_id, text=update_reminder(ticket, timer)
                        )
                    )
            await announce(self.jobs, ticket.id, note=threshold_note(timer))
        if missed and timer.clock == UPDATE_EVERY:
            await self._tell_lead(ticket, sla_clock, job.due_at)

    async def _ladder_on_miss(self, ticket: Ticket, sla_clock: SlaClock, due: datetime) -> None:
        """Ladder steps `after: next_response` / `after: update_every` fire at each miss, once per cycle."""
        if sla_clock.name not in RECURRING:
            return
        cycle = sla_clock.met_count + sla_clock.breached_count + 1
        for index in miss_steps(ticket, sla_clock.name):
            await self.jobs.enqueue(
                LadderStepDue.of(ticket, index, cycle=cycle),
                due_at=due,
            )

    async def _tell_lead(self, ticket: Ticket, sla_clock: SlaClock, due: datetime) -> None:
        """A missed update is news for the lead level: a message each, not a page. Looked up outside the
        clock's transaction (an e-mail may need a Slack lookup)."""
        if self.directory is None:
            return
        level = next(iter(self.policy.escalation.levels))
        period = format_duration(timedelta(seconds=sla_clock.target_seconds))
        owner = f"<@{ticket.owner_id}>" if ticket.owner_id else "nobody"
        text = (
            f"{ticket.ref} ({ticket.customer}, {ticket.priority}) missed its customer update: none in "
            f"{period} of business time (owner {owner})."
        )
        people = await self.directory.recipients(level, due, ticket.customer)
        async with self.jobs.transaction():
            for person in people:
                await self.jobs.enqueue(TellPerson(ticket_id=ticket.id, to=person, text=text))

    async def _schedule(self, ticket: Ticket, sla_clock: SlaClock) -> None:
        calendar = self.calendar(ticket)
        for percent in sla_time.THRESHOLDS:
            at = sla_time.threshold_at(sla_clock, calendar, percent)
            if at is None and percent == sla_time.BREACH and sla_clock.breached_at is None:
                at = sla_clock.running_since  # resumed with no time left: the breach is now
            if at is None:
                continue
            due_ts = int(sla_clock.due_at.timestamp()) if sla_clock.due_at else int(at.timestamp())
            await self.jobs.enqueue(
                SlaThreshold(
                    ticket_id=ticket.id,
                    clock=sla_clock.name,
                    percent=percent,
                    epoch=sla_clock.epoch,
                    due_ts=due_ts,
                ),
                due_at=at,
            )

    def _bank(self, ticket: Ticket, sla_clock: SlaClock, now: datetime) -> None:
        """Bank the business time run since the clock last started; a clock found past its target here
        (its breach timer went stale, or had not fired yet) is breached as of its due time."""
        if sla_clock.running_since is not None:
            sla_clock.elapsed_seconds = sla_time.elapsed(
                sla_clock, self.calendar(ticket), now
            ).total_seconds()
            sla_clock.running_since = None
            if sla_clock.elapsed_seconds > sla_clock.target_seconds and sla_clock.breached_at is None:
                sla_clock.breached_at = min(sla_clock.due_at or now, now)

    async def _log(
        self, ticket: Ticket, now: datetime, actor: str | None, kind: str, sla_clock: SlaClock, **extra: Any
    ) -> None:
        # The business time used up to now: banked time only is stale while the clock runs.
        used = sla_time.elapsed(sla_clock, self.calendar(ticket), now).total_seconds()
        await record(
            ticket.id,
            now,
            actor,
            kind,
            elapsed_seconds=round(used),
            target_seconds=sla_clock.target_seconds,
            due_at=sla_clock.due_at.isoformat() if sla_clock.due_at else None,
            **extra,
        )
