"""Raising and claiming tickets. No Slack here: Slack work is queued as jobs for the notifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.expressions import F

from bot.clock import Clock
from bot.config import Policy, Priority
from bot.ids import Block
from bot.jobs import JobQueue
from bot.services.errors import InvalidInput, NotAllowed, NotFound
from models import Ticket, TicketEvent, TicketStatus

TITLE_MAX = 150
DESCRIPTION_MAX = 2900
MAX_LISTED = 20  # tickets per list in App Home and /support list, to stay inside Block Kit limits
ENVIRONMENTS = {"production": "Production", "non-production": "Non-production"}

# Job kinds the notifier handles.
POST_TICKET = "post_ticket"
REDRAW_TICKET = "redraw_ticket"
NOTIFY_REPORTER = "notify_reporter"


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


def policy_snapshot(policy: Policy, plan: str, priority: Priority) -> dict[str, Any]:
    """The targets and ladder in force now, stored with the ticket so later YAML edits don't move it."""
    plan_spec = policy.plans[plan]
    return {
        "calendar": plan_spec.calendar,
        "first_response": int(plan_spec.first_response[priority].total_seconds()),
        "resolution": (
            int(plan_spec.resolution[priority].total_seconds()) if priority in plan_spec.resolution else None
        ),
        "ladder": [step.model_dump() for step in policy.ladder_for(plan, priority)],
    }


class TicketService:
    def __init__(self, policy: Policy, clock: Clock, jobs: JobQueue) -> None:
        self.policy = policy
        self.clock = clock
        self.jobs = jobs

    def validate(self, draft: TicketDraft) -> tuple[str, Priority, str, str, str, str]:
        """Check a draft; raises InvalidInput keyed by the modal's block ids."""
        errors: dict[str, str] = {}
        allowed = self.policy.customers_of(draft.reporter_id)
        customer = draft.customer or (allowed[0] if len(allowed) == 1 else None)
        if not allowed:
            raise NotAllowed("Only your company's key users can raise second-line tickets.")
        if customer not in allowed:
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

    async def raise_ticket(self, draft: TicketDraft) -> Ticket:
        customer, priority, environment, title, description, tried = self.validate(draft)
        plan = self.policy.customers[customer].plan
        now = self.clock.now()
        calendar = self.policy.calendar_for(plan)
        snapshot = policy_snapshot(self.policy, plan, priority)
        first_response_due = calendar.add(now, self.policy.plans[plan].first_response[priority])
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
                first_response_due=first_response_due,
                policy=snapshot,
                created_at=now,
                updated_at=now,
            )
            await TicketEvent.create(
                ticket=ticket,
                at=now,
                actor=draft.reporter_id,
                kind="raised",
                detail={"priority": priority.value, "customer": customer, "plan": plan},
            )
            # Saved before anything is posted: if Slack is down the jobs keep retrying (DESIGN decision 6).
            await self.jobs.enqueue(POST_TICKET, ticket_id=ticket.id, dedupe_key=f"post:{ticket.id}")
            await self.jobs.enqueue(NOTIFY_REPORTER, ticket_id=ticket.id, payload={"event": "raised"})
        return ticket

    async def get(self, ticket_id: int) -> Ticket:
        ticket = await Ticket.get_or_none(id=ticket_id)
        if ticket is None:
            raise NotFound(f"There is no ticket SUP-{ticket_id}.")
        return ticket

    async def open_for_customers(self, customers: list[str]) -> list[Ticket]:
        return (
            await Ticket.filter(customer__in=customers, status__not=TicketStatus.RESOLVED)
            .order_by("first_response_due", "id")
            .limit(MAX_LISTED)
        )

    async def unclaimed(self) -> list[Ticket]:
        return (
            await Ticket.filter(owner_id__isnull=True, status__not=TicketStatus.RESOLVED)
            .order_by("first_response_due", "id")
            .limit(MAX_LISTED)
        )

    async def owned_by(self, user_id: str) -> list[Ticket]:
        return (
            await Ticket.filter(owner_id=user_id, status__not=TicketStatus.RESOLVED)
            .order_by("first_response_due", "id")
            .limit(MAX_LISTED)
        )

    async def claim(self, ticket_id: int, user_id: str) -> ClaimResult:
        if not self.policy.is_engineer(user_id):
            raise NotAllowed("Only support engineers can claim tickets.")
        ticket = await self.get(ticket_id)
        if ticket.status == TicketStatus.RESOLVED:
            raise NotAllowed(f"{ticket.ref} is already resolved.")
        now = self.clock.now()
        async with self.jobs.transaction():
            # Conditional update: of many simultaneous clicks exactly one matches owner IS NULL.
            won = await Ticket.filter(id=ticket_id, owner_id__isnull=True).update(
                owner_id=user_id, claimed_at=now, updated_at=now, version=F("version") + 1
            )
            if won:
                await TicketEvent.create(ticket_id=ticket_id, at=now, actor=user_id, kind="claimed")
                await self._changed(ticket_id, {"event": "claimed", "by": user_id})
        return ClaimResult(ticket=await self.get(ticket_id), won=bool(won))

    async def _changed(self, ticket_id: int, reporter_news: dict[str, Any] | None) -> None:
        await self.jobs.enqueue(REDRAW_TICKET, ticket_id=ticket_id, dedupe_key=f"redraw:{ticket_id}")
        if reporter_news:
            await self.jobs.enqueue(NOTIFY_REPORTER, ticket_id=ticket_id, payload=reporter_news)
