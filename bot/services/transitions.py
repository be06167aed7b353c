"""Working a ticket: claim, release, reassign, priority, wait, resume, details, resolve, reopen.

Every transition is the same step (`_run`): load the ticket, check the permission, let the transition
decide its `Change` (or refuse), then in one transaction apply it under optimistic locking, log it, move
the SLA clocks and queue what Slack must show.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.expressions import F

from bot.clock import Clock
from bot.ids import Block
from bot.jobs.kinds import NotifyReporter, TellPerson
from bot.jobs.queue import JobQueue
from bot.permissions import Do, Role
from bot.policy import Priority
from bot.services import answers
from bot.services.csat import Satisfaction
from bot.services.errors import InvalidInput, NotAllowed, ServiceError
from bot.services.events import announce, record
from bot.services.incident_links import on_transition
from bot.services.intake import DETAILS_MAX
from bot.services.ladder import Ladder
from bot.services.queries import TicketQueries
from bot.services.resolutions import REOPEN_WINDOW, Resolution
from bot.services.roles import Roles
from bot.services.sla import CLOCK_NAMES, FIRST_RESPONSE, RESOLUTION, SlaService, targets_for
from bot.text import escape, mention
from models import Answer, Ticket, TicketStatus

log = logging.getLogger(__name__)

MAX_FILES = 10  # file links in one note


def fix_pending_note(ticket: Ticket) -> str:
    if ticket.is_incident:  # its children follow it to fix pending and link its issue (incident_links.py)
        return (
            f" It and its open tickets wait on engineering (fix pending, no clock runs): link its issue with "
            f"`/support link {ticket.ref} <url>` and every ticket links it; each key user is told when the "
            "fix ships."
        )
    return (
        f" It waits on engineering (fix pending, no clock runs): link its issue with `/support link "
        f"{ticket.ref} <url>`, and the key user is told when the fix ships."
    )


ClockEffect = Callable[[Ticket, datetime], Awaitable[object]]


@dataclass(frozen=True)
class Change:
    """What one transition does to a ticket; `Transitions._apply` carries it out."""

    event: str  # the event-log kind
    fields: dict[str, Any] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    effects: tuple[ClockEffect, ...] = ()  # SLA clocks and ladder, after the fields changed
    note: str | None = None  # for the ticket's thread (mrkdwn we wrote)
    quote: str | None = None  # a person's words under the note, escaped when sent
    reporter: NotifyReporter | None = None
    only_if_unclaimed: bool = False  # a claim: exactly one of many simultaneous clicks wins


@dataclass(frozen=True)
class ClaimResult:
    ticket: Ticket
    won: bool  # False: someone else already had it; ticket.owner_id says who


def _ensure_open(ticket: Ticket) -> None:
    if ticket.status == TicketStatus.RESOLVED:
        raise ServiceError(f"{ticket.ref} is resolved; reopen it first.")


@dataclass
class Transitions:
    clock: Clock
    jobs: JobQueue
    roles: Roles
    queries: TicketQueries
    sla: SlaService
    ladder: Ladder
    satisfaction: Satisfaction | None = None  # asks the reporter "How did we do?" on resolve

    # --- the shared step ---

    async def run(
        self,
        action: Do,
        ticket_id: int,
        user_id: str,
        decide: Callable[[Ticket, datetime], Awaitable[Change | None]],
        *,
        must_be_open: bool = True,
    ) -> tuple[Ticket, bool]:
        """Load, authorise, decide, apply; returns the ticket as it now stands and whether it changed."""
        ticket = await self.queries.get(ticket_id)
        self.roles.require(action, user_id, ticket)
        if must_be_open:
            _ensure_open(ticket)
        now = self.clock.now()
        change = await decide(ticket, now)
        if change is None:
            return ticket, False
        async with self.jobs.transaction():
            applied = await self._apply(ticket, user_id, now, change)
        return await self.queries.get(ticket_id), applied

    async def _apply(self, ticket: Ticket, user_id: str, now: datetime, change: Change) -> bool:
        if change.fields:
            match = {"owner_id__isnull": True} if change.only_if_unclaimed else {"version": ticket.version}
            done = await Ticket.filter(id=ticket.id, **match).update(
                **change.fields, updated_at=now, version=F("version") + 1
            )
            if not done:
                if change.only_if_unclaimed:
                    return False
                raise ServiceError(
                    f"{ticket.ref} was changed by someone else just now. Please look and try again."
                )
            # The in-memory ticket follows, so effects run afterwards see the new state.
            for name, value in {**change.fields, "updated_at": now, "version": ticket.version + 1}.items():
                setattr(ticket, name, value)
        await record(ticket.id, now, user_id, change.event, **change.detail)
        log.info("%s %s by %s", ticket.ref, change.event.replace("_", " "), user_id)
        for effect in change.effects:
            await effect(ticket, now)
        await on_transition(self.jobs, ticket, user_id, change.event, now)  # incidents: children follow
        await announce(
            self.jobs,
            ticket.id,
            note=change.note,
            quote=change.quote,
            # An incident's news reaches its children's reporters through the children themselves.
            reporter=None if ticket.is_incident else change.reporter,
            redraw=bool(change.fields),
        )
        return True

    def _callback_for(self, owner: str) -> ClockEffect:
        """The customer's callback number goes to the new owner privately, never to the shared channel."""

        async def tell(ticket: Ticket, now: datetime) -> None:
            if ticket.callback_phone:
                dial = "".join(c for c in ticket.callback_phone if c.isdigit() or c == "+")
                text = (
                    f"<@{ticket.reporter_id}> asked to be called back on "
                    f"<tel:{dial}|{escape(ticket.callback_phone)}>."
                )
                await self.jobs.enqueue(TellPerson(ticket_id=ticket.id, to=owner, text=text))

        return tell

    # --- transitions ---

    async def claim(self, ticket_id: int, user_id: str) -> ClaimResult:
        async def decide(ticket: Ticket, now: datetime) -> Change:
            if ticket.status == TicketStatus.RESOLVED:
                raise NotAllowed(f"{ticket.ref} is already resolved.")
            return Change(
                "claimed",
                fields={"owner_id": user_id, "claimed_at": now},
                effects=(
                    lambda t, at: self.sla.stop(t, FIRST_RESPONSE, at, user_id),
                    lambda t, at: self.sla.vendor_message(t, at, user_id),  # the key user is told
                    self._callback_for(user_id),
                ),
                note=f"Claimed by <@{user_id}>.",
                reporter=NotifyReporter.about(ticket, "claimed", by=user_id),
                only_if_unclaimed=True,
            )

        ticket, won = await self.run(Do.CLAIM, ticket_id, user_id, decide, must_be_open=False)
        return ClaimResult(ticket, won)

    async def release(self, ticket_id: int, user_id: str) -> Ticket:
        async def decide(ticket: Ticket, now: datetime) -> Change:
            if ticket.owner_id is None:
                raise ServiceError(f"{ticket.ref} is not claimed.")
            return Change(
                "released",
                fields={"owner_id": None},
                detail={"previous_owner": ticket.owner_id},
                note=f"<@{user_id}> released the ticket; it is back in the queue.",
            )

        return (await self.run(Do.RELEASE, ticket_id, user_id, decide))[0]

    async def reassign(self, ticket_id: int, user_id: str, new_owner: str) -> Ticket:
        async def decide(ticket: Ticket, now: datetime) -> Change:
            if not self.roles.of(new_owner) & {Role.ENGINEER, Role.ESCALATION}:
                raise NotAllowed(f"<@{new_owner}> is not a support engineer, so cannot own {ticket.ref}.")
            return Change(
                "reassigned",
                fields={"owner_id": new_owner, "claimed_at": ticket.claimed_at or now},
                detail={"previous_owner": ticket.owner_id, "owner": new_owner},
                effects=(
                    lambda t, at: self.sla.stop(t, FIRST_RESPONSE, at, user_id),
                    self._callback_for(new_owner),
                ),
                note=f"<@{user_id}> reassigned the ticket to <@{new_owner}>.",
                reporter=NotifyReporter.about(ticket, "claimed", by=new_owner),
            )

        return (await self.run(Do.REASSIGN, ticket_id, user_id, decide))[0]

    async def change_priority(self, ticket_id: int, user_id: str, priority: str) -> Ticket:
        async def decide(ticket: Ticket, now: datetime) -> Change | None:
            if priority not in Priority.__members__:
                raise ServiceError(f"{priority!r} is not a priority.")
            if priority == ticket.priority:
                return None
            if ticket.policy.get("targets") and not targets_for(ticket, priority):
                plan = self.roles.policy.plan_label(ticket.plan)
                raise NotAllowed(
                    f"{Priority(priority).label} is not part of the {plan} plan of {ticket.ref}."
                )
            previous = ticket.priority
            return Change(
                "priority_changed",
                fields={"priority": priority, "ladder_epoch": ticket.ladder_epoch + 1},
                detail={"previous": previous, "priority": priority},
                effects=(
                    lambda t, at: self.sla.retarget(t, priority, at, user_id),
                    lambda t, at: self.ladder.schedule(t),  # the old epoch's steps now do nothing
                ),
                note=f"<@{user_id}> changed the priority from {previous} to {Priority(priority).label}.",
                reporter=NotifyReporter.about(ticket, "priority", by=user_id, previous=previous),
            )

        return (await self.run(Do.CHANGE_PRIORITY, ticket_id, user_id, decide))[0]

    async def wait_on_customer(self, ticket_id: int, user_id: str, question: str | None = None) -> Ticket:
        """Waiting on the customer; `question` (what is needed) reaches them wherever they follow it."""
        question = (question or "").strip() or None

        async def decide(ticket: Ticket, now: datetime) -> Change | None:
            if ticket.status == TicketStatus.WAITING:
                return None
            if question is not None and len(question) > DETAILS_MAX:
                raise InvalidInput({Block.QUESTION: f"Keep it under {DETAILS_MAX} characters."})
            asked = " They were asked:" if question else ""
            # A question is a message to the customer (it answers theirs); then every clock pauses.
            effects: tuple[ClockEffect, ...] = (lambda t, at: self.sla.pause_all(t, at, user_id),)
            if question:
                effects = (lambda t, at: self.sla.vendor_message(t, at, user_id), *effects)
            return Change(
                "waiting_on_customer",
                fields={"status": TicketStatus.WAITING},
                detail={"question": question} if question else {},
                effects=effects,
                note=f"<@{user_id}> is waiting on the customer; the resolution clock is paused.{asked}",
                quote=question,
                reporter=NotifyReporter.about(ticket, "waiting", by=user_id, text=question),
            )

        return (await self.run(Do.WAIT, ticket_id, user_id, decide))[0]

    async def resume(self, ticket_id: int, user_id: str, *, reason: str = "resumed") -> Ticket:
        async def decide(ticket: Ticket, now: datetime) -> Change | None:
            return self._resumed(ticket, user_id, reason)

        return (await self.run(Do.RESUME, ticket_id, user_id, decide, must_be_open=False))[0]

    def _resumed(self, ticket: Ticket, user_id: str, reason: str) -> Change | None:
        if ticket.status != TicketStatus.WAITING:
            return None
        # The customer's own answer: they are told it arrived and the clock runs again.
        by_customer = not self.roles.of(user_id, ticket) & {Role.ENGINEER, Role.ESCALATION, Role.OWNER}
        return Change(
            "resumed",
            fields={"status": TicketStatus.OPEN},
            detail={"reason": reason},
            effects=(lambda t, at: self.sla.resume_all(t, at, user_id),),
            note=f"{mention(user_id)} {reason}; the resolution clock runs again.",
            reporter=NotifyReporter.about(ticket, "resumed", by=user_id) if by_customer else None,
        )

    async def customer_replied(self, ticket_id: int, user_id: str) -> Ticket:
        """One of the customer's people answered in their channel's thread (bot/services/connect.py decided
        on their organisation; they need not be a key user): a ticket waiting on them resumes."""
        ticket = await self.queries.get(ticket_id)
        await self.customer_wrote(ticket, user_id, "customer_thread")
        change = self._resumed(ticket, user_id, "replied in the customer's channel")
        if change is None:
            return ticket
        async with self.jobs.transaction():
            await self._apply(ticket, user_id, self.clock.now(), change)
        return await self.queries.get(ticket_id)

    async def reply_to_customer(
        self, ticket_id: int, user_id: str, text: str, *, sent_at: datetime | None = None
    ) -> Ticket:
        """An engineer's answer to the customer, sent wherever they follow the ticket (their thread, a DM).

        `sent_at`: the reply was written a moment ago on the ticket's incident; it is this ticket's first
        response and next response as of then (bot/services/incidents.py).
        """
        text = text.strip()

        async def answered(ticket: Ticket, now: datetime) -> None:
            if sent_at is None:
                await self.sla.vendor_message(ticket, now, user_id)
            else:
                await self.sla.answered_at(ticket, min(sent_at, now), user_id)

        async def decide(ticket: Ticket, now: datetime) -> Change:
            if not self.roles.is_staff(user_id):
                raise NotAllowed("Only support engineers, leads, managers and executives reply to customers.")
            if not text:
                raise InvalidInput({Block.REPLY: "Write the reply."})
            if len(text) > DETAILS_MAX:
                raise InvalidInput({Block.REPLY: f"Keep it under {DETAILS_MAX} characters."})
            return Change(
                "replied_to_customer",
                detail={"text": text},
                note=f"<@{user_id}> replied to the customer:",
                quote=text,
                effects=(answered,),
                reporter=NotifyReporter.about(ticket, "reply", by=user_id, text=text),
            )

        return (await self.run(Do.WAIT, ticket_id, user_id, decide, must_be_open=False))[0]

    async def customer_wrote(self, ticket: Ticket, user_id: str, where: str) -> None:
        """The customer wrote somewhere the engineers read it (the ticket's thread, say): their message
        wants an answer. Logged; the next-response clock starts (bot/services/sla.py)."""
        now = self.clock.now()
        async with self.jobs.transaction():
            await record(ticket.id, now, user_id, "customer_wrote", where=where)
            await self.sla.customer_message(ticket, now, user_id)

    async def add_details(
        self, ticket_id: int, user_id: str, text: str, files: Sequence[tuple[str, str]] = ()
    ) -> Ticket:
        """Add a person's words (and links to files they shared, as (name, permalink)) to the ticket."""
        text = text.strip()

        async def decide(ticket: Ticket, now: datetime) -> Change:
            if not text and not files:
                raise InvalidInput({Block.DETAILS: "Write what you want to add."})
            if len(text) > DETAILS_MAX:
                raise InvalidInput({Block.DETAILS: f"Keep it under {DETAILS_MAX} characters."})
            links = "".join(f"\n:paperclip: <{link}|{escape(name)}>" for name, link in files[:MAX_FILES])
            # The customer's words want an answer (a next-response clock); an engineer's are internal.
            customer = Role.KEY_USER in self.roles.of(user_id, ticket)
            return Change(
                "details_added",
                detail={"text": text, "files": [link for _, link in files]},
                effects=(lambda t, at: self.sla.customer_message(t, at, user_id),) if customer else (),
                note=f"<@{user_id}> added details:{links}",
                quote=text or None,
            )

        ticket, _ = await self.run(Do.ADD_DETAILS, ticket_id, user_id, decide, must_be_open=False)
        if ticket.status == TicketStatus.WAITING:
            return await self.resume(ticket_id, user_id, reason="added details")
        return ticket

    async def resolve(
        self,
        ticket_id: int,
        user_id: str,
        resolution: str,
        note: str,
        time_spent_minutes: int | None,
        duplicate_of: int | None = None,
        publish_as: str | None = None,
    ) -> Ticket:
        """`publish_as`: the title under which the customer-facing note becomes a published answer."""

        async def stop_clocks(ticket: Ticket, now: datetime) -> None:
            if note.strip():  # the resolution note reaches the customer: it answers them
                await self.sla.vendor_message(ticket, now, user_id)
            if self.satisfaction is not None:
                await self.satisfaction.on_resolved(ticket, now)
            for name in CLOCK_NAMES:
                await self.sla.stop(ticket, name, now, user_id)
            if publish_as is not None:  # only the note: never the description, thread or customer
                plan = self.roles.policy.plans.get(ticket.plan)
                await answers.publish(
                    title=publish_as,
                    text=note,
                    language=plan.language if plan else "english",
                    by=user_id,
                    ticket_id=ticket.id,
                    now=now,
                )

        async def decide(ticket: Ticket, now: datetime) -> Change:
            if resolution not in {r.value for r in Resolution}:
                raise InvalidInput({Block.RESOLUTION: "Choose how the ticket was resolved."})
            defect = resolution == Resolution.PRODUCT_DEFECT
            if resolution == Resolution.DUPLICATE and (
                duplicate_of is None or duplicate_of == ticket_id or not await Ticket.exists(id=duplicate_of)
            ):
                raise InvalidInput({Block.DUPLICATE_OF: "Give the reference of the ticket this duplicates."})
            if publish_as is not None and not publish_as.strip():
                raise InvalidInput({Block.ANSWER_TITLE: "Give the published answer a title."})
            if publish_as is not None and not note.strip():
                raise InvalidInput({Block.RESOLUTION_NOTE: "Write the answer to publish."})
            return Change(
                "resolved",
                fields={
                    # A product defect waits on engineering (fix pending) until its fix ships.
                    "status": TicketStatus.FIX_PENDING if defect else TicketStatus.RESOLVED,
                    "resolved_at": None if defect else now,
                    "resolution": resolution,
                    "resolution_note": note.strip(),
                    "time_spent_minutes": time_spent_minutes,
                    # A product defect is on the vendor's side: its time is never charged.
                    **({"waiver_reason": ticket.waiver_reason or "product defect"} if defect else {}),
                },
                detail={
                    "resolution": resolution,
                    "time_spent_minutes": time_spent_minutes,
                    "duplicate_of": duplicate_of,
                },
                effects=(stop_clocks,),
                note=f"<@{user_id}> resolved the ticket: {Resolution(resolution).label}."
                + (fix_pending_note(ticket) if defect else ""),
                reporter=NotifyReporter.about(
                    ticket, "fix_pending" if defect else "resolved", by=user_id, duplicate_of=duplicate_of
                ),
            )

        return (await self.run(Do.RESOLVE, ticket_id, user_id, decide))[0]

    async def solved_by_answer(self, ticket_id: int, user_id: str, answer_id: int, person: str) -> Ticket:
        """The reporter says a published answer offered to them solved it: resolved as answered by that
        entry, and counted as a deflected request (the same count as the raise form's This solved it)."""

        async def decide(ticket: Ticket, now: datetime) -> Change:
            answer = await Answer.get_or_none(id=answer_id, withdrawn=False)
            if answer is None:
                raise ServiceError("That answer is no longer published. Nothing was changed.")
            if ticket.status != TicketStatus.OPEN and ticket.status != TicketStatus.WAITING:
                raise ServiceError(f"{ticket.ref} is no longer open. Nothing was changed.")

            async def settle(t: Ticket, at: datetime) -> None:
                for name in CLOCK_NAMES:
                    await self.sla.stop(t, name, at, user_id)
                await answers.deflected(customer=t.customer, person=person, answer_id=answer.id, now=at)

            return Change(
                "solved_by_answer",
                fields={
                    "status": TicketStatus.RESOLVED,
                    "resolved_at": now,
                    "resolution": Resolution.ANSWERED.value,
                    "resolution_note": f"Solved by the published answer: {answer.title}",
                },
                detail={"answer": answer.id},
                effects=(settle,),
                note=f"The reporter says the published answer _{escape(answer.title)}_ (answer {answer.id}) "
                "solved it: resolved, counted as a deflected request.",
                reporter=NotifyReporter.about(ticket, "resolved", by=user_id),
            )

        return (await self.run(Do.SOLVED_BY_ANSWER, ticket_id, user_id, decide, must_be_open=False))[0]

    async def reopen(self, ticket_id: int, user_id: str) -> Ticket:
        async def decide(ticket: Ticket, now: datetime) -> Change:
            if ticket.status != TicketStatus.RESOLVED:
                raise ServiceError(f"{ticket.ref} is not resolved.")
            staff = self.roles.of(user_id, ticket) & {Role.ENGINEER, Role.ESCALATION}
            if not staff and ticket.resolved_at and now - ticket.resolved_at > REOPEN_WINDOW:
                raise NotAllowed(
                    f"{ticket.ref} was resolved more than {REOPEN_WINDOW.days} days ago; "
                    "please raise a new ticket."
                )
            return Change(
                "reopened",
                fields={"status": TicketStatus.OPEN, "resolved_at": None, "resolution": None},
                effects=(
                    lambda t, at: self.sla.reopen(t, RESOLUTION, at, user_id),
                    lambda t, at: self.sla.reopened(t, at, user_id),
                ),
                note=f"{mention(user_id)} reopened the ticket.",
                reporter=NotifyReporter.about(ticket, "reopened", by=user_id),
            )

        return (await self.run(Do.REOPEN, ticket_id, user_id, decide, must_be_open=False))[0]
