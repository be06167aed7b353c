"""Tickets from raise to resolve. No Slack here: what Slack must show is queued as jobs for the notifier."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from tortoise.expressions import F

from bot.clock import Clock
from bot.config import Policy, Priority
from bot.ids import Block
from bot.jobs import JobQueue
from bot.permissions import Do, Role, allowed, refusal
from bot.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from bot.services.resolutions import Resolution
from bot.services.sla import FIRST_RESPONSE, RESOLUTION, SlaService
from models import Ticket, TicketEvent, TicketStatus

TITLE_MAX = 150
DESCRIPTION_MAX = 2900
DETAILS_MAX = 2900
LIST_FIELDS = ("id", "priority", "title", "owner_id", "status")  # what a list line shows: no policy JSON
MAX_LISTED = 20  # tickets per list in App Home and /support list, to stay inside Block Kit limits
REOPEN_WINDOW = timedelta(days=7)
DUPLICATE_WINDOW = timedelta(hours=24)
SIMILAR_TITLE = 0.75  # difflib ratio of normalised titles above which we ask "is it the same problem?"
ENVIRONMENTS = {"production": "Production", "non-production": "Non-production"}

# Job kinds the notifier handles.
POST_TICKET = "post_ticket"
REDRAW_TICKET = "redraw_ticket"
NOTIFY_REPORTER = "notify_reporter"
THREAD_NOTE = "thread_note"
REFRESH_HOME = "refresh_home"
HOUSEKEEPING = "housekeeping"
HOUSEKEEPING_EVERY = timedelta(hours=6)


@dataclass(frozen=True)
class TicketDraft:
    """What a key user typed into the modal, before validation."""

    reporter_id: str
    customer: str | None
    priority: str | None
    environment: str | None
    title: str | None
    description: str | None
    tried: str | None


@dataclass(frozen=True)
class ClaimResult:
    ticket: Ticket
    won: bool  # False: someone else already had it; ticket.owner_id says who


def similarity(a: str, b: str) -> float:
    """How alike two titles read, 0..1, ignoring case, punctuation and word order."""

    def words(text: str) -> str:
        return " ".join(sorted(re.findall(r"[a-z0-9]+", text.lower())))

    return difflib.SequenceMatcher(None, words(a), words(b)).ratio()


def draft_as_details(draft: TicketDraft) -> str:
    parts = [f"*{draft.title or ''}*", draft.description or ""]
    if draft.tried:
        parts.append(f"Already tried: {draft.tried}")
    return "\n".join(p for p in parts if p.strip())[:DETAILS_MAX]


def policy_snapshot(policy: Policy, plan: str) -> dict[str, Any]:
    """Targets and ladders in force now, for every priority, so a later priority change re-derives from
    the terms the ticket was raised under, and YAML edits never move a running ticket."""
    spec = policy.plans[plan]
    return {
        "calendar": spec.calendar,
        "targets": {
            FIRST_RESPONSE: {p.value: int(t.total_seconds()) for p, t in spec.first_response.items()},
            RESOLUTION: {p.value: int(t.total_seconds()) for p, t in spec.resolution.items()},
        },
        "ladders": {p.value: [s.model_dump() for s in policy.ladder_for(plan, p)] for p in Priority},
    }


class TicketHook(Protocol):
    """Told inside the transaction that raised or re-prioritised a ticket."""

    async def on_raised(self, ticket: Ticket, now: datetime) -> None: ...
    async def on_priority_changed(self, ticket: Ticket, now: datetime) -> None: ...


class TicketService:
    def __init__(
        self,
        policy: Policy,
        clock: Clock,
        jobs: JobQueue,
        sla: SlaService,
        is_escalation: Callable[[str], bool] | None = None,
    ) -> None:
        self.policy = policy
        # Leads, managers, executives; the directory knows those listed by e-mail once looked up.
        self.is_escalation = is_escalation or policy.escalation_people.__contains__
        self.clock = clock
        self.jobs = jobs
        self.sla = sla
        self.hooks: list[TicketHook] = []  # the escalation ladder listens here

    # --- who may do what ---

    def roles(self, user_id: str, ticket: Ticket | None = None) -> set[Role]:
        roles: set[Role] = set()
        if self.policy.is_engineer(user_id):
            roles.add(Role.ENGINEER)
        if self.is_escalation(user_id):
            roles.add(Role.ESCALATION)
        if ticket is None:
            if self.policy.customers_of(user_id):
                roles.add(Role.KEY_USER)
            return roles
        customer = self.policy.customers.get(ticket.customer)
        if customer is not None and user_id in customer.key_users:
            roles.add(Role.KEY_USER)
        if user_id == ticket.reporter_id:
            roles.add(Role.REPORTER)
        if ticket.owner_id == user_id:
            roles.add(Role.OWNER)
        return roles

    def require(
        self, action: Do, user_id: str, ticket: Ticket | None = None, extra: set[Role] | None = None
    ) -> None:
        roles = self.roles(user_id, ticket) | (extra or set())
        if not allowed(self.policy.permission_table, action, roles):
            raise NotAllowed(refusal(self.policy.permission_table, action))

    # --- intake ---

    def validate(self, draft: TicketDraft) -> tuple[str, Priority, str, str, str, str]:
        """Check a draft; raises InvalidInput keyed by the modal's block ids."""
        errors: dict[str, str] = {}
        allowed_customers = self.policy.customers_of(draft.reporter_id)
        if not allowed_customers:
            raise NotAllowed("Only your company's key users can raise second-line tickets.")
        customer = draft.customer or (allowed_customers[0] if len(allowed_customers) == 1 else None)
        if customer not in allowed_customers:
            errors[Block.CUSTOMER] = "Choose the customer this ticket is for."
        priority = draft.priority if draft.priority in Priority.__members__ else None
        if priority is None:
            errors[Block.PRIORITY] = "Choose a priority."
        environment = draft.environment if draft.environment in ENVIRONMENTS else None
        if environment is None:
            errors[Block.ENVIRONMENT] = "Say whether this is production or not."
        title = " ".join((draft.title or "").split())
        if not title:
            errors[Block.TITLE] = "Give the ticket a short title."
        elif len(title) > TITLE_MAX:
            errors[Block.TITLE] = f"Keep the title under {TITLE_MAX} characters."
        description = (draft.description or "").strip()
        if not description:
            errors[Block.DESCRIPTION] = "Describe the problem: what happens, and what you expected."
        elif len(description) > DESCRIPTION_MAX:
            errors[Block.DESCRIPTION] = f"Keep the description under {DESCRIPTION_MAX} characters."
        tried = (draft.tried or "").strip()
        if len(tried) > DESCRIPTION_MAX:
            errors[Block.TRIED] = f"Keep this under {DESCRIPTION_MAX} characters."
        if errors:
            raise InvalidInput(errors)
        assert customer is not None and priority is not None and environment is not None
        return customer, Priority(priority), environment, title, description, tried

    async def similar_open(self, draft: TicketDraft) -> Ticket | None:
        """An open ticket of the same customer from the last 24 hours whose title reads the same."""
        customer, _, _, title, _, _ = self.validate(draft)
        since = self.clock.now() - DUPLICATE_WINDOW
        recent = (
            await Ticket.filter(customer=customer, created_at__gte=since, status__not=TicketStatus.RESOLVED)
            .order_by("-id")
            .limit(50)
        )
        scored = [(similarity(title, t.title), t) for t in recent]
        best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
        return best[1] if best[0] >= SIMILAR_TITLE else None

    async def raise_ticket(self, draft: TicketDraft) -> Ticket:
        customer, priority, environment, title, description, tried = self.validate(draft)
        plan = self.policy.customers[customer].plan
        now = self.clock.now()
        async with self.jobs.transaction():
            ticket = await Ticket.create(
                customer=customer,
                plan=plan,
                priority=priority.value,
                environment=environment,
                title=title,
                description=description,
                tried=tried,
                reporter_id=draft.reporter_id,
                policy=policy_snapshot(self.policy, plan),
                created_at=now,
                updated_at=now,
            )
            await self._log(
                ticket, draft.reporter_id, "raised", priority=priority.value, customer=customer, plan=plan
            )
            await self.sla.start(ticket, now)
            for hook in self.hooks:
                await hook.on_raised(ticket, now)
            # Saved before anything is posted: if Slack is down the jobs keep retrying (DESIGN decision 6).
            await self.jobs.enqueue(POST_TICKET, ticket_id=ticket.id, dedupe_key=f"post:{ticket.id}")
            await self.jobs.enqueue(NOTIFY_REPORTER, ticket_id=ticket.id, payload={"event": "raised"})
        return ticket

    # --- reading ---

    async def get(self, ticket_id: int) -> Ticket:
        ticket = await Ticket.get_or_none(id=ticket_id)
        if ticket is None:
            raise NotFound(f"There is no ticket SUP-{ticket_id}.")
        return ticket

    async def open_for_customers(self, customers: list[str]) -> list[Ticket]:
        return (
            await Ticket.filter(customer__in=customers, status__not=TicketStatus.RESOLVED)
            .order_by("id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )

    async def owned_by(self, user_id: str) -> list[Ticket]:
        return (
            await Ticket.filter(owner_id=user_id, status__not=TicketStatus.RESOLVED)
            .order_by("priority", "id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )

    async def raised_by(self, user_id: str) -> list[Ticket]:
        return (
            await Ticket.filter(reporter_id=user_id, status__not=TicketStatus.RESOLVED)
            .order_by("priority", "id")
            .limit(MAX_LISTED)
            .only(*LIST_FIELDS)
        )

    async def visible_to(self, ticket_id: int, user_id: str) -> Ticket:
        """A ticket, if this person may see it: its customer's key users, engineers, escalation levels."""
        ticket = await self.get(ticket_id)
        if not self.roles(user_id, ticket) & {Role.KEY_USER, Role.ENGINEER, Role.ESCALATION}:
            raise NotFound(f"There is no ticket {ticket.ref} that you can see.")
        return ticket

    async def history(self, ticket_id: int) -> list[TicketEvent]:
        return await TicketEvent.filter(ticket_id=ticket_id).order_by("at", "id")

    async def schedule_housekeeping(self, at: datetime | None = None) -> None:
        """One pending housekeeping job at a time, whichever replica queued it."""
        async with self.jobs.transaction():
            await self.jobs.enqueue(HOUSEKEEPING, due_at=at, dedupe_key="housekeeping")

    async def refresh_home_of(self, user_id: str) -> None:
        """Queue a redraw of this person's App Home (after their own actions)."""
        async with self.jobs.transaction():
            await self.jobs.enqueue(REFRESH_HOME, payload={"user": user_id}, dedupe_key=f"home:{user_id}")

    # --- working a ticket ---

    async def claim(self, ticket_id: int, user_id: str) -> ClaimResult:
        ticket = await self.get(ticket_id)
        self.require(Do.CLAIM, user_id, ticket)
        if ticket.status == TicketStatus.RESOLVED:
            raise NotAllowed(f"{ticket.ref} is already resolved.")
        now = self.clock.now()
        async with self.jobs.transaction():
            # Conditional update: of many simultaneous clicks exactly one matches owner IS NULL.
            won = await Ticket.filter(id=ticket_id, owner_id__isnull=True).update(
                owner_id=user_id, claimed_at=now, updated_at=now, version=F("version") + 1
            )
            if won:
                await self._log(ticket, user_id, "claimed")
                await self.sla.stop(ticket, FIRST_RESPONSE, now, user_id)
                await self._changed(
                    ticket, note=f"Claimed by <@{user_id}>.", reporter={"event": "claimed", "by": user_id}
                )
        return ClaimResult(ticket=await self.get(ticket_id), won=bool(won))

    async def release(self, ticket_id: int, user_id: str) -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.RELEASE, user_id, ticket)
        self._open(ticket)
        if ticket.owner_id is None:
            raise ServiceError(f"{ticket.ref} is not claimed.")
        async with self.jobs.transaction():
            previous_owner = ticket.owner_id
            await self._transition(ticket, owner_id=None)
            await self._log(ticket, user_id, "released", previous_owner=previous_owner)
            await self._changed(ticket, note=f"<@{user_id}> released the ticket; it is back in the queue.")
        return await self.get(ticket_id)

    async def reassign(self, ticket_id: int, user_id: str, new_owner: str) -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.REASSIGN, user_id, ticket)
        self._open(ticket)
        if Role.ENGINEER not in self.roles(new_owner) and Role.ESCALATION not in self.roles(new_owner):
            raise NotAllowed(f"<@{new_owner}> is not a support engineer, so cannot own {ticket.ref}.")
        now = self.clock.now()
        async with self.jobs.transaction():
            previous_owner = ticket.owner_id
            await self._transition(ticket, owner_id=new_owner, claimed_at=ticket.claimed_at or now)
            await self._log(ticket, user_id, "reassigned", previous_owner=previous_owner, owner=new_owner)
            await self.sla.stop(ticket, FIRST_RESPONSE, now, user_id)
            await self._changed(
                ticket,
                note=f"<@{user_id}> reassigned the ticket to <@{new_owner}>.",
                reporter={"event": "claimed", "by": new_owner},
            )
        return await self.get(ticket_id)

    async def change_priority(self, ticket_id: int, user_id: str, priority: str) -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.CHANGE_PRIORITY, user_id, ticket)
        self._open(ticket)
        if priority not in Priority.__members__:
            raise ServiceError(f"{priority!r} is not a priority.")
        if priority == ticket.priority:
            return ticket
        now = self.clock.now()
        previous = ticket.priority
        async with self.jobs.transaction():
            await self._transition(ticket, priority=priority, ladder_epoch=ticket.ladder_epoch + 1)
            await self._log(ticket, user_id, "priority_changed", previous=previous, priority=priority)
            await self.sla.retarget(ticket, priority, now, user_id)
            for hook in self.hooks:
                await hook.on_priority_changed(ticket, now)
            label = Priority(priority).label
            await self._changed(
                ticket,
                note=f"<@{user_id}> changed the priority from {previous} to {label}.",
                reporter={"event": "priority", "by": user_id, "previous": previous},
            )
        return await self.get(ticket_id)

    async def wait_on_customer(self, ticket_id: int, user_id: str) -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.WAIT, user_id, ticket)
        self._open(ticket)
        if ticket.status == TicketStatus.WAITING:
            return ticket
        now = self.clock.now()
        async with self.jobs.transaction():
            await self._transition(ticket, status=TicketStatus.WAITING)
            await self._log(ticket, user_id, "waiting_on_customer")
            await self.sla.pause(ticket, RESOLUTION, now, user_id)
            await self._changed(
                ticket,
                note=f"<@{user_id}> is waiting on the customer; the resolution clock is paused.",
                reporter={"event": "waiting", "by": user_id},
            )
        return await self.get(ticket_id)

    async def resume(self, ticket_id: int, user_id: str, *, reason: str = "resumed") -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.RESUME, user_id, ticket)
        if ticket.status != TicketStatus.WAITING:
            return ticket
        now = self.clock.now()
        async with self.jobs.transaction():
            await self._transition(ticket, status=TicketStatus.OPEN)
            await self._log(ticket, user_id, "resumed", reason=reason)
            await self.sla.resume(ticket, RESOLUTION, now, user_id)
            await self._changed(ticket, note=f"<@{user_id}> {reason}; the resolution clock runs again.")
        return await self.get(ticket_id)

    async def add_details(self, ticket_id: int, user_id: str, text: str) -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.ADD_DETAILS, user_id, ticket)
        text = text.strip()
        if not text:
            raise InvalidInput({Block.DETAILS: "Write what you want to add."})
        if len(text) > DETAILS_MAX:
            raise InvalidInput({Block.DETAILS: f"Keep it under {DETAILS_MAX} characters."})
        async with self.jobs.transaction():
            await self._log(ticket, user_id, "details_added", text=text)
            await self.jobs.enqueue(
                THREAD_NOTE, ticket_id=ticket.id, payload={"kind": "details", "by": user_id, "text": text}
            )
        if ticket.status == TicketStatus.WAITING:
            return await self.resume(ticket_id, user_id, reason="added details")
        return ticket

    async def reply_in_thread(self, channel: str, thread_ts: str, user_id: str) -> Ticket | None:
        """Someone wrote in a ticket's thread: if it is the customer and the ticket waits on them, resume."""
        ticket = await Ticket.get_or_none(channel_id=channel, message_ts=thread_ts)
        if ticket is None or ticket.status != TicketStatus.WAITING:
            return ticket
        if Role.KEY_USER not in self.roles(user_id, ticket):
            return ticket
        return await self.resume(ticket.id, user_id, reason="replied in the thread")

    async def reply_from_dm(self, user_id: str, text: str) -> Ticket | None:
        """A key user wrote to the bot: the text goes to the one ticket of theirs that waits on them."""
        waiting = await Ticket.filter(reporter_id=user_id, status=TicketStatus.WAITING).order_by(
            "-updated_at"
        )
        if not waiting:
            return None
        if len(waiting) > 1:
            refs = ", ".join(t.ref for t in waiting)
            raise ServiceError(
                f"Several of your tickets wait on you ({refs}). Use the *Add details* button on "
                "the one you mean, so your answer reaches the right engineer."
            )
        return await self.add_details(waiting[0].id, user_id, text)

    async def resolve(
        self,
        ticket_id: int,
        user_id: str,
        resolution: str,
        note: str,
        time_spent_minutes: int | None,
        duplicate_of: int | None = None,
    ) -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.RESOLVE, user_id, ticket)
        self._open(ticket)
        if resolution not in {r.value for r in Resolution}:
            raise InvalidInput({Block.RESOLUTION: "Choose how the ticket was resolved."})
        if resolution == Resolution.DUPLICATE:
            if duplicate_of is None or duplicate_of == ticket_id or not await Ticket.exists(id=duplicate_of):
                raise InvalidInput({Block.DUPLICATE_OF: "Give the reference of the ticket this duplicates."})
        now = self.clock.now()
        async with self.jobs.transaction():
            await self._transition(
                ticket,
                status=TicketStatus.RESOLVED,
                resolved_at=now,
                resolution=resolution,
                resolution_note=note.strip(),
                time_spent_minutes=time_spent_minutes,
            )
            await self._log(
                ticket,
                user_id,
                "resolved",
                resolution=resolution,
                time_spent_minutes=time_spent_minutes,
                duplicate_of=duplicate_of,
            )
            for name in (FIRST_RESPONSE, RESOLUTION):
                await self.sla.stop(ticket, name, now, user_id)
            label = Resolution(resolution).label
            await self._changed(
                ticket,
                note=f"<@{user_id}> resolved the ticket: {label}.",
                reporter={"event": "resolved", "by": user_id, "duplicate_of": duplicate_of},
            )
        return await self.get(ticket_id)

    async def reopen(self, ticket_id: int, user_id: str) -> Ticket:
        ticket = await self.get(ticket_id)
        self.require(Do.REOPEN, user_id, ticket)
        if ticket.status != TicketStatus.RESOLVED:
            raise ServiceError(f"{ticket.ref} is not resolved.")
        now = self.clock.now()
        roles = self.roles(user_id, ticket)
        if (
            not roles & {Role.ENGINEER, Role.ESCALATION}
            and ticket.resolved_at
            and now - ticket.resolved_at > REOPEN_WINDOW
        ):
            raise NotAllowed(f"{ticket.ref} was resolved more than 7 days ago; please raise a new ticket.")
        async with self.jobs.transaction():
            await self._transition(ticket, status=TicketStatus.OPEN, resolved_at=None, resolution=None)
            await self._log(ticket, user_id, "reopened")
            await self.sla.reopen(ticket, RESOLUTION, now, user_id)
            await self._changed(
                ticket,
                note=f"<@{user_id}> reopened the ticket.",
                reporter={"event": "reopened", "by": user_id},
            )
        return await self.get(ticket_id)

    # --- helpers ---

    def _open(self, ticket: Ticket) -> None:
        if ticket.status == TicketStatus.RESOLVED:
            raise ServiceError(f"{ticket.ref} is resolved; reopen it first.")

    async def _transition(self, ticket: Ticket, **changes: Any) -> None:
        """Apply changes only if nobody changed the ticket since we read it (optimistic locking);
        the in-memory ticket follows, so hooks called afterwards see the new state."""
        now = self.clock.now()
        done = await Ticket.filter(id=ticket.id, version=ticket.version).update(
            **changes, updated_at=now, version=F("version") + 1
        )
        if not done:
            raise ServiceError(
                f"{ticket.ref} was changed by someone else just now. Please look and try again."
            )
        for name, value in {**changes, "updated_at": now, "version": ticket.version + 1}.items():
            setattr(ticket, name, value)

    async def _log(self, ticket: Ticket, actor: str | None, kind: str, **detail: Any) -> None:
        await TicketEvent.create(
            ticket_id=ticket.id, at=self.clock.now(), actor=actor, kind=kind, detail=detail
        )

    async def _changed(
        self, ticket: Ticket, *, note: str | None = None, reporter: dict[str, Any] | None = None
    ) -> None:
        """Queue what Slack must show after a change: a redraw, a thread note, news for the key user."""
        await self.jobs.enqueue(REDRAW_TICKET, ticket_id=ticket.id, dedupe_key=f"redraw:{ticket.id}")
        if note:
            await self.jobs.enqueue(THREAD_NOTE, ticket_id=ticket.id, payload={"kind": "note", "text": note})
        if reporter:
            await self.jobs.enqueue(NOTIFY_REPORTER, ticket_id=ticket.id, payload=reporter)
