"""Raising a ticket: validate the key user's draft, offer a similar open ticket, save and queue its post."""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.ids import Block
from bot.jobs.kinds import NotifyReporter, PostTicket
from bot.jobs.queue import JobQueue
from bot.policy import Policy, Priority
from bot.services.entitlements import Entitlements, Scoped
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.events import record
from bot.services.ladder import Ladder
from bot.services.sla import FIRST_RESPONSE, RESOLUTION, SlaService
from models import Ticket, TicketStatus

log = logging.getLogger(__name__)

TITLE_MAX = 150
DESCRIPTION_MAX = 2900
DETAILS_MAX = 2900
DUPLICATE_WINDOW = timedelta(hours=24)
SIMILAR_TITLE = 0.75  # difflib ratio of normalised titles above which we ask "is it the same problem?"
RECENT_CANDIDATES = 50
ENVIRONMENTS = {"production": "Production", "non-production": "Non-production"}


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
    category: str | None = None
    paid_confirmed: bool = False
    terms_shown_for: str | None = None  # the not-covered category whose terms the form already showed
    phone: str | None = None


@dataclass(frozen=True)
class ValidDraft:
    reporter_id: str
    customer: str
    priority: Priority
    environment: str
    title: str
    description: str
    tried: str
    category: str | None
    paid_request: bool
    phone: str | None


def similarity(a: str, b: str, at_least: float = 0.0) -> float:
    """How alike two titles read, 0..1, ignoring case, punctuation and word order. A pair that cannot
    reach `at_least` is 0.0, found by difflib's cheap upper bounds without the full comparison (most
    titles differ, and the full one costs the most on a busy raise path)."""

    def words(text: str) -> str:
        return " ".join(sorted(re.findall(r"[a-z0-9]+", text.lower())))

    matcher = difflib.SequenceMatcher(None, words(a), words(b))
    if matcher.real_quick_ratio() < at_least or matcher.quick_ratio() < at_least:
        return 0.0
    return matcher.ratio()


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


@dataclass
class Intake:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    sla: SlaService
    ladder: Ladder
    entitled: Entitlements = field(init=False)

    def __post_init__(self) -> None:
        self.entitled = Entitlements(self.policy)

    def validate(self, draft: TicketDraft) -> ValidDraft:
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
        phone = " ".join((draft.phone or "").split()) or None
        scoped = Scoped(None, False)
        if customer in allowed_customers:
            if priority is not None and (
                problem := self.entitled.priority_error(customer, Priority(priority))
            ):
                errors[Block.PRIORITY] = problem
            if phone is not None and (problem := self.entitled.phone_error(customer, phone)):
                errors[Block.PHONE] = problem
            if not errors:  # the paid-work question only once the rest of the form is right
                scoped = self.entitled.scope(
                    customer, draft.category, draft.paid_confirmed, draft.terms_shown_for, errors
                )
        if errors:
            raise InvalidInput(errors)
        assert customer is not None and priority is not None and environment is not None
        return ValidDraft(
            draft.reporter_id,
            customer,
            Priority(priority),
            environment,
            title,
            description,
            tried,
            scoped.category,
            scoped.paid_request,
            phone,
        )

    async def similar_open(self, draft: TicketDraft) -> Ticket | None:
        """An open ticket of the same customer from the last 24 hours whose title reads the same."""
        valid = self.validate(draft)
        since = self.clock.now() - DUPLICATE_WINDOW
        recent = (
            await Ticket.filter(
                customer=valid.customer, created_at__gte=since, status__not=TicketStatus.RESOLVED
            )
            .order_by("-id")
            .limit(RECENT_CANDIDATES)
            .values_list("id", "title")  # titles only: whole tickets are loaded for a match alone
        )
        scored = [
            (similarity(valid.title, str(title), at_least=SIMILAR_TITLE), int(i)) for i, title in recent
        ]
        best, ticket_id = max(scored, default=(0.0, 0))
        return await Ticket.get_or_none(id=ticket_id) if best >= SIMILAR_TITLE else None

    async def raise_ticket(self, draft: TicketDraft) -> Ticket:
        valid = self.validate(draft)
        plan = self.policy.customers[valid.customer].plan
        now = self.clock.now()
        # One transaction, its jobs written together (fewer statements hold SQLite's one connection).
        async with self.jobs.transaction(), self.jobs.fresh():
            ticket = await Ticket.create(
                customer=valid.customer,
                plan=plan,
                priority=valid.priority.value,
                environment=valid.environment,
                title=valid.title,
                description=valid.description,
                tried=valid.tried,
                reporter_id=valid.reporter_id,
                policy=policy_snapshot(self.policy, plan),
                category=valid.category,
                paid_request=valid.paid_request,
                callback_phone=valid.phone,
                plan_rank=self.policy.plans[plan].rank,
                created_at=now,
                updated_at=now,
            )
            await record(
                ticket.id, now, valid.reporter_id, "raised",
                priority=valid.priority.value, customer=valid.customer, plan=plan,
                category=valid.category, paid_request=valid.paid_request,
            )  # fmt: skip
            await self.sla.start(ticket, now)
            await self.ladder.schedule(ticket)
            # Saved before anything is posted: if Slack is down the jobs keep retrying
            # (docs/ARCHITECTURE.md, decision 6).
            await self.jobs.enqueue(PostTicket(ticket_id=ticket.id))
            await self.jobs.enqueue(NotifyReporter.about(ticket, "raised"))
        log.info(
            "%s raised by %s for %s (%s, %s)",
            ticket.ref,
            valid.reporter_id,
            valid.customer,
            plan,
            ticket.priority,
        )
        return ticket
