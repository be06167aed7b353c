"""Raising a ticket: validate the draft, offer a similar open ticket, save and queue its post.

A key user raises for their own company. Vendor staff (engineers, leads, managers, executives, account
managers: whoever the `raise` permission names) raise on a customer's behalf; the ticket then records who
raised it (`raised_by`) and is the customer's as if a key user had raised it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.clock import Clock
from bot.clocks import policy_snapshot
from bot.ids import Block
from bot.jobs.kinds import CheckStorm, NotifyReporter, PostTicket, ScheduleTicket
from bot.jobs.queue import JobQueue
from bot.permissions import EMAIL_ACTOR, Do, Role, allowed
from bot.policy import Policy, Priority
from bot.services import answers
from bot.services.deposits import Deposits
from bot.services.entitlements import Entitlements, Scoped
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.events import record
from bot.services.ladder import Ladder
from bot.services.roles import Roles
from bot.services.sla import SlaService
from models import Job, Ticket, TicketStatus

log = logging.getLogger(__name__)

TITLE_MAX = 150
DESCRIPTION_MAX = 2900
DETAILS_MAX = 2900
DUPLICATE_WINDOW = timedelta(hours=24)
SIMILAR_TITLE = 0.75  # similarity() of two titles from which we ask "is it the same problem?"
RECENT_CANDIDATES = 50
ENVIRONMENTS = {"production": "Production", "non-production": "Non-production"}


@dataclass(frozen=True)
class Origin:
    """Where a ticket raised from a customer's own (Slack Connect) channel came from: the message (None:
    the how-to's button), the card in its thread, a link to the message, the reporter's organisation."""

    channel: str
    thread_ts: str | None = None
    card_ts: str | None = None
    link: str | None = None
    team: str | None = None


@dataclass(frozen=True)
class TicketDraft:
    """What someone typed into the modal, before validation."""

    reporter_id: str  # who submitted the form: a key user, or staff raising on a customer's behalf
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
    for_key_user: str | None = None  # staff raising: the customer's key user it is for, if they chose one
    origin: Origin | None = None  # raised from a customer's channel (Slack Connect)


@dataclass(frozen=True)
class ValidDraft:
    reporter_id: str  # the customer's key user the ticket is for (told as if they had raised it)
    customer: str
    priority: Priority
    environment: str
    title: str
    description: str
    tried: str
    category: str | None
    paid_request: bool
    phone: str | None
    raised_by: str | None = None  # staff who raised it on the customer's behalf
    tell: tuple[str, ...] = ()  # who gets the confirmation DM
    addon: str | None = None  # the add-on service that covers its category, if one does
    origin: Origin | None = None  # raised from a customer's channel (Slack Connect)


def _origin_fields(origin: Origin | None) -> dict[str, Any]:
    if origin is None:
        return {}
    return {
        "source": "slack_connect",
        "customer_channel": origin.channel,
        "customer_thread_ts": origin.thread_ts,
        "customer_card_ts": origin.card_ts,
        "customer_link": origin.link,
        "reporter_team": origin.team,
    }


def similarity(a: str, b: str, at_least: float = 0.0) -> float:
    """How alike two titles read, 0..1, ignoring case, punctuation and word order (rapidfuzz's token-sort
    ratio: the same reading as difflib on sorted words, in C, since it runs on the busy raise path before
    the form is answered). A pair below `at_least` is 0.0."""
    score = fuzz.token_sort_ratio(a, b, processor=default_process, score_cutoff=at_least * 100)
    return float(score) / 100


def draft_as_details(draft: TicketDraft) -> str:
    parts = [f"*{draft.title or ''}*", draft.description or ""]
    if draft.tried:
        parts.append(f"Already tried: {draft.tried}")
    return "\n".join(p for p in parts if p.strip())[:DETAILS_MAX]


@dataclass
class Intake:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    sla: SlaService
    ladder: Ladder
    roles: Roles | None = None  # bot/app.py passes the directory-aware one (leads listed by e-mail)
    deposits: Deposits | None = None
    entitled: Entitlements = field(init=False)

    def __post_init__(self) -> None:
        self.entitled = Entitlements(self.policy)
        if self.roles is None:
            self.roles = Roles(self.policy)

    def customers_for(self, user_id: str) -> list[str]:
        """The customers this person may raise for: their own company's first, then the accounts they
        manage, then any other the `raise` permission lets them raise for (staff), in policy order.

        An account manager who is not also an engineer or on an escalation level gets their own accounts
        only: the permission table gives them that role towards their own customers, not others'.
        """
        assert self.roles is not None
        table = self.policy.permission_table
        # Roles.of_customer, with the roles that do not depend on the customer worked out once (this runs
        # before a submission is acknowledged, so it stays linear in the number of customers).
        general = self.roles.of(user_id) - {Role.KEY_USER, Role.ACCOUNT_MANAGER}
        ranked: list[tuple[int, str]] = []
        for key, customer in self.policy.customers.items():
            roles = set(general)
            if user_id in customer.key_users:
                roles.add(Role.KEY_USER)
            if customer.account_manager == user_id:
                roles.add(Role.ACCOUNT_MANAGER)
            if allowed(table, Do.RAISE, roles):
                closeness = 0 if Role.KEY_USER in roles else 1 if Role.ACCOUNT_MANAGER in roles else 2
                ranked.append((closeness, key))
        return [key for _, key in sorted(ranked, key=lambda pair: pair[0])]  # stable: policy order

    def raises_on_behalf(self, user_id: str, customer: str) -> bool:
        """True when this person raises for a customer they are not a key user of (vendor staff)."""
        spec = self.policy.customers.get(customer)
        return spec is not None and user_id not in spec.key_users

    def validate(self, draft: TicketDraft) -> ValidDraft:
        """Check a draft; raises InvalidInput keyed by the modal's block ids, every error at once."""
        errors: dict[str, str] = {}
        allowed_customers = self.customers_for(draft.reporter_id)
        if not allowed_customers:
            raise NotAllowed(
                "Only your company's key users (or the support team, on a customer's behalf) can raise "
                "second-line tickets."
            )
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
        scope = self.policy.scope
        if scope is not None and (draft.category is None or scope.category(draft.category) is None):
            errors[Block.CATEGORY] = "Say what the ticket is about."  # with the others, not a round later
        reporter = draft.reporter_id
        tell: tuple[str, ...] = (draft.reporter_id,)
        raised_by: str | None = None
        if customer in allowed_customers:
            if priority is not None and (
                problem := self.entitled.priority_error(customer, Priority(priority))
            ):
                errors[Block.PRIORITY] = problem
            if phone is not None and (problem := self.entitled.phone_error(customer, phone)):
                errors[Block.PHONE] = problem
            if self.raises_on_behalf(draft.reporter_id, customer):
                reporter, raised_by, tell = self._on_behalf(draft, customer, errors)
            if not errors:  # the paid-work question only once the rest of the form is right
                scoped = self.entitled.scope(
                    customer, draft.category, draft.paid_confirmed, draft.terms_shown_for, errors
                )
        if errors:
            raise InvalidInput(errors)
        assert customer is not None and priority is not None and environment is not None
        return ValidDraft(
            reporter,
            customer,
            Priority(priority),
            environment,
            title,
            description,
            tried,
            scoped.category,
            scoped.paid_request,
            phone,
            raised_by,
            tell,
            scoped.addon,
            draft.origin,
        )

    def _on_behalf(
        self, draft: TicketDraft, customer: str, errors: dict[str, str]
    ) -> tuple[str, str, tuple[str, ...]]:
        """Staff raising for a customer: the ticket is the chosen key user's, who alone is told; with
        nobody chosen, it is the customer's first key user's and every key user is told, since none of
        them asked and each should know their company has a ticket open."""
        key_users = self.policy.customers[customer].key_users
        chosen = draft.for_key_user or None
        if chosen is not None and chosen not in key_users:
            errors[Block.FOR_KEY_USER] = (
                f"Choose one of {self.policy.customers[customer].name}'s key users, or nobody in particular."
            )
            return draft.reporter_id, draft.reporter_id, ()
        if chosen is not None:
            return chosen, draft.reporter_id, (chosen,)
        return key_users[0], draft.reporter_id, tuple(key_users)

    async def deposit_refusal(self, customer: str) -> str | None:
        """Why the customer's key users cannot raise a ticket now: its prepaid deposit is too low."""
        return await self.deposits.refusal(customer) if self.deposits is not None else None

    async def _deposit_allows(self, valid: ValidDraft) -> None:
        if (refusal := await self.deposit_refusal(valid.customer)) is not None:
            refusal += " Nothing was raised."
            several = len(self.policy.customers_of(valid.reporter_id)) > 1  # the form then has a picker
            raise InvalidInput({Block.CUSTOMER: refusal}) if several else NotAllowed(refusal)

    async def admit(self, draft: TicketDraft) -> ValidDraft:
        """The draft checked once for a submission: its fields, then the customer's deposit."""
        valid = self.validate(draft)
        await self._deposit_allows(valid)
        return valid

    async def similar_open(self, draft: TicketDraft | ValidDraft) -> Ticket | None:
        """An open ticket of the same customer from the last 24 hours whose title reads the same."""
        valid = draft if isinstance(draft, ValidDraft) else await self.admit(draft)
        since = self.clock.now() - DUPLICATE_WINDOW
        recent = (
            await Ticket.filter(
                customer=valid.customer, created_at__gte=since, status__not=TicketStatus.RESOLVED
            )
            .order_by("-id")
            .limit(RECENT_CANDIDATES)
            .values_list("id", "title")  # titles only: whole tickets are loaded for a match alone
        )
        best = process.extractOne(
            valid.title,
            {int(i): str(title) for i, title in recent},
            scorer=fuzz.token_sort_ratio,
            processor=default_process,
            score_cutoff=SIMILAR_TITLE * 100,
        )
        return await Ticket.get_or_none(id=best[2]) if best is not None else None

    async def answers_for(self, draft: TicketDraft | ValidDraft) -> list[answers.Found]:
        """The published answers that may solve it (title and description searched in the plan's
        language), offered before a key user raises it; one indexed query."""
        valid = draft if isinstance(draft, ValidDraft) else self.validate(draft)
        language = self.policy.plan_of(valid.customer).language
        return await answers.search(f"{valid.title} {valid.description}", language)

    async def deflected(self, draft: TicketDraft, answer_id: int) -> None:
        """The key user said a published answer solved it: counted for their customer, nothing raised."""
        valid = self.validate(draft)
        now = self.clock.now()
        await answers.deflected(
            customer=valid.customer, person=valid.reporter_id, answer_id=answer_id, now=now
        )

    async def schedule(self, job: ScheduleTicket, row: Job) -> None:
        """Job handler: a new ticket's timers, post, storm check and confirmations, once. The job's row
        is deleted in the same transaction, so a worker dying before it finishes cannot run it twice."""
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None:
            return
        async with self.jobs.transaction():
            if not await Job.filter(id=row.id).delete():
                return  # already done
            await self.sla.schedule_timers(ticket)
            if ticket.status != TicketStatus.RESOLVED:
                await self.ladder.schedule(ticket)  # each step checks the ticket again when it is due
            await self.jobs.enqueue(PostTicket(ticket_id=ticket.id))
            await self.jobs.enqueue(CheckStorm(ticket=ticket.id))  # one of many alike? (storms.py)
            for person in job.tell:
                await self.jobs.enqueue(NotifyReporter(ticket_id=ticket.id, to=person, event="raised"))

    async def raise_ticket(self, draft: TicketDraft) -> Ticket:
        valid = self.validate(draft)
        await self._deposit_allows(valid)
        return await self.save(valid)

    def email_draft(self, customer: str, subject: str, text: str) -> ValidDraft:
        """A key user's mail as a draft: covered work, the subject's [P1]…[P4] when the plan offers it,
        else the plan's lowest priority; the sender was already found among the customer's key users."""
        plan = self.policy.plan_of(customer)
        tag = re.search(r"\[(P[1-4])\]", subject, re.I)
        offered = tag is not None and plan.offers(tag[1].upper())
        priority = Priority(tag[1].upper()) if tag is not None and offered else max(plan.priorities)
        title = " ".join(re.sub(r"\[P[1-4]\]", "", subject, flags=re.I).split()) or "(no subject)"
        if len(title) > TITLE_MAX:
            title = title[: TITLE_MAX - 1] + "…"
        description = text.strip() or "(the mail had no text)"
        if len(description) > DESCRIPTION_MAX:
            description = description[: DESCRIPTION_MAX - 40] + "\n… (cut; the whole mail is kept)"
        return ValidDraft(
            EMAIL_ACTOR,
            customer,
            priority,
            "production",
            title,
            description,
            "",
            None,
            False,
            None,
            tell=(EMAIL_ACTOR,),  # the sender, answered by mail (bot/mail/place.py)
        )

    async def save(
        self, valid: ValidDraft, *, source: str = "slack", reporter_email: str | None = None
    ) -> Ticket:
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
                raised_by=valid.raised_by,
                policy=policy_snapshot(self.policy, plan),
                category=valid.category,
                paid_request=valid.paid_request,
                addon=valid.addon,
                callback_phone=valid.phone,
                plan_rank=self.policy.plans[plan].rank,
                **(_origin_fields(valid.origin) or {"source": source}),
                reporter_email=reporter_email,
                created_at=now,
                updated_at=now,
            )
            await record(
                ticket.id, now, valid.raised_by or valid.reporter_id, "raised",
                priority=valid.priority.value, customer=valid.customer, plan=plan,
                category=valid.category, paid_request=valid.paid_request,
                **({"for": valid.reporter_id} if valid.raised_by else {}),
                **({"addon": valid.addon} if valid.addon else {}),
            )  # fmt: skip
            await self.sla.start(ticket, now)
            # The rest follows in a job (`schedule`): saved before anything is posted, so if Slack is
            # down it keeps retrying (docs/ARCHITECTURE.md, decision 6), and the form is answered sooner.
            await self.jobs.enqueue(ScheduleTicket(ticket_id=ticket.id, tell=list(valid.tell)))
        log.info(
            "%s raised by %s for %s (%s, %s)",
            ticket.ref,
            valid.raised_by or valid.reporter_id,
            valid.customer,
            plan,
            ticket.priority,
        )
        return ticket
