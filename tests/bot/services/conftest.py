"""The services as bot/app.py wires them, without Slack, on SQLite and the fake clock.

`env` holds every service plus a worker whose handler table has the real timer handlers (SLA thresholds,
ladder steps, housekeeping); jobs bound for Slack (posts, redraws, notes, DMs, pages) are taken off the
queue by a recorder instead, as the outbox would send them, and kept in `env.sent`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, overload
from zoneinfo import ZoneInfo

import pytest

from bot import db
from bot.clock import FakeClock
from bot.jobs import kinds
from bot.jobs.kinds import JobPayload, decode
from bot.jobs.queue import JobQueue
from bot.jobs.worker import HandlerTable, Worker
from bot.policy import Policy
from bot.services.csat import Satisfaction
from bot.services.deliveries import Deliveries
from bot.services.directory import Directory
from bot.services.housekeeping import Housekeeping
from bot.services.intake import Intake, TicketDraft
from bot.services.ladder import Ladder
from bot.services.pages import PageActions
from bot.services.queries import TicketQueries
from bot.services.replies import CustomerReplies
from bot.services.roles import Roles
from bot.services.sla import SlaService
from bot.services.transitions import Transitions
from models import Job, JobStatus, Page, SlaClock, Ticket, TicketEvent

P = TypeVar("P", bound=JobPayload)

CENTRAL = ZoneInfo("America/Chicago")


def central(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """An instant of 2026 given as US Central wall time, in UTC (as the database returns it)."""
    return datetime(2026, month, day, hour, minute, tzinfo=CENTRAL).astimezone(UTC)


# Instants on the Standard plan's calendar (Mon–Fri 08:00–17:00 US Central, US holidays off).
TUESDAY_10AM = central(17, 10)  # where the fake clock starts (tests/conftest.py)
FRIDAY_4PM = central(20, 16)
MONDAY_11AM = central(23, 11)

# Jobs that end in Slack: the outbox's, not a service's; the recorder stands in for it.
SLACK_KINDS: tuple[type[JobPayload], ...] = (
    kinds.PostTicket,
    kinds.RedrawTicket,
    kinds.ThreadNote,
    kinds.NotifyReporter,
    kinds.RefreshHome,
    kinds.DeliverPage,
    kinds.RedrawPage,
    kinds.AlertOperators,
    kinds.TellPerson,
    kinds.DigestDue,
    # e-mail's kinds: recorded here like Slack output (tests/bot/mail/ runs them for real)
    kinds.ReadMail,
    kinds.SendMail,
    kinds.MailFiles,
    kinds.PostIntakeCard,
    kinds.CloseIntakeCard,
    kinds.PostHowTo,
    kinds.CopyCustomerMessage,
    kinds.ShowQueue,
    kinds.CheckStorm,
    kinds.ShowStorm,
    kinds.FollowIncident,
    kinds.AskCsat,  # the satisfaction question, shown by bot/outbox/csat.py
    # engineering's confirmation timer: recorded here (tests/e2e/test_engineering.py runs it for real)
    kinds.ConfirmFix,
    kinds.CreateIssue,  # opens a GitHub or Jira issue (tests/e2e/test_create_issue.py runs it for real)
)


@dataclass
class Env:
    policy: Policy
    clock: FakeClock
    jobs: JobQueue
    directory: Directory
    roles: Roles
    sla: SlaService
    queries: TicketQueries
    ladder: Ladder
    transitions: Transitions
    replies: CustomerReplies
    intake: Intake
    pages: PageActions
    deliveries: Deliveries
    housekeeping: Housekeeping
    worker: Worker
    satisfaction: Satisfaction
    emails: dict[str, str]  # what the directory's e-mail lookup knows
    lookups: list[str] = field(default_factory=list)  # every e-mail it was asked about
    sent: list[JobPayload] = field(default_factory=list)  # Slack-bound jobs the worker ran, in order

    # --- raising and working tickets ---

    def draft(self, **overrides: Any) -> TicketDraft:
        """A valid draft from Globex's key user (Standard plan, business hours) unless overridden."""
        values: dict[str, Any] = {
            "reporter_id": "U0KEY2",
            "customer": None,
            "priority": "P2",
            "environment": "production",
            "title": "Invoices fail to export",
            "description": "Export to PDF shows error 500 since this morning.",
            "tried": "Cleared the cache",
            "category": "incident",  # the example policy asks what it is about
        }
        values.update(overrides)
        return TicketDraft(**values)

    async def raise_ticket(self, **overrides: Any) -> Ticket:
        """Raise a ticket, then run its follow-up job (timers, post, confirmations) as the worker would
        first, leaving those jobs pending."""
        ticket = await self.intake.raise_ticket(self.draft(**overrides))
        await self.schedule_new()
        return ticket

    async def schedule_new(self) -> None:
        for job in await Job.filter(kind=kinds.ScheduleTicket.kind):
            await self.intake.schedule(kinds.ScheduleTicket.from_job(job), job)

    async def claimed(self, engineer: str = "U0ENG1", **overrides: Any) -> Ticket:
        ticket = await self.raise_ticket(**overrides)
        result = await self.transitions.claim(ticket.id, engineer)
        assert result.won
        return result.ticket

    # --- the queue, read as the worker would ---

    @overload
    async def pending(self) -> list[JobPayload]: ...
    @overload
    async def pending(self, kind: type[P]) -> list[P]: ...
    async def pending(self, kind: type[JobPayload] | None = None) -> list[Any]:
        """Decoded payloads of pending jobs (of one kind, or all), in due order."""
        return [payload for _, payload in await self._pending(kind)]

    @overload
    async def pending_with_due(self) -> list[tuple[datetime, JobPayload]]: ...
    @overload
    async def pending_with_due(self, kind: type[P]) -> list[tuple[datetime, P]]: ...
    async def pending_with_due(self, kind: type[JobPayload] | None = None) -> list[tuple[datetime, Any]]:
        """Like `pending`, each with its due time."""
        return await self._pending(kind)

    async def _pending(self, kind: type[JobPayload] | None) -> list[tuple[datetime, JobPayload]]:
        query = Job.filter(status=JobStatus.PENDING)
        if kind is not None:
            query = query.filter(kind=kind.kind)
        return [(row.due_at, decode(row)) for row in await query.order_by("due_at", "id")]

    async def run_due(self) -> list[JobPayload]:
        """Run every job due now, as the worker does; returns the Slack-bound ones it ran.

        A handler that raised would be retried quietly by the worker (a pending job with its error); here
        it fails the test instead.
        """
        before = len(self.sent)
        await self.worker.run_due()
        broken = await Job.filter(status=JobStatus.PENDING, last_error__isnull=False).values_list(
            "kind", "last_error"
        )
        assert not broken, f"a job handler failed: {broken}"
        return self.sent[before:]

    async def advance(self, delta: timedelta) -> list[JobPayload]:
        """Move the clock, running due jobs at each due time on the way (as a live worker would)."""
        end = self.clock.now() + delta
        sent: list[JobPayload] = []
        while True:
            sent += await self.run_due()
            upcoming = await self.jobs.next_due_at()
            if upcoming is None or upcoming > end:
                break
            self.clock.set(max(upcoming, self.clock.now()))
        self.clock.set(end)
        return sent + await self.run_due()

    async def fire(self, job_id: int) -> None:
        """Run one job now through the worker's table, whatever its due time (a timer late, or twice)."""
        job = await Job.get(id=job_id)
        payload = decode(job)
        handler = self.worker.handlers.get(type(payload))
        assert handler is not None
        await handler(payload, job)

    # --- what people and operators see ---

    async def events(self, ticket_id: int) -> list[str]:
        return [e.kind for e in await TicketEvent.filter(ticket_id=ticket_id).order_by("id")]

    async def clock_row(self, ticket_id: int, name: str) -> SlaClock:
        return await SlaClock.get(ticket_id=ticket_id, name=name)

    async def snapshot(self) -> dict[str, list[dict[str, Any]]]:
        """Every row a service writes, to show that a refused action changed nothing."""
        return {
            "tickets": await Ticket.all().order_by("id").values(),
            "clocks": await SlaClock.all().order_by("id").values(),
            "events": await TicketEvent.all().order_by("id").values(),
            "jobs": await Job.all().order_by("id").values(),
            "pages": await Page.all().order_by("id").values(),
        }


def sent_of(sent: list[JobPayload], kind: type[P]) -> list[P]:
    return [payload for payload in sent if isinstance(payload, kind)]


def build_env(policy: Policy, clock: FakeClock, emails: dict[str, str] | None = None) -> Env:
    """The services as `bot.app.build` wires them, minus Slack: the e-mail lookup is a dict."""
    known = dict(emails or {})
    lookups: list[str] = []

    async def lookup_email(email: str) -> str | None:
        lookups.append(email)
        return known.get(email)

    jobs = JobQueue(clock)
    directory = Directory(policy, lookup_email)
    roles = Roles(policy, directory.is_escalation)
    sla = SlaService(policy, clock, jobs, directory)
    queries = TicketQueries(clock, roles, sla)
    ladder = Ladder(policy, clock, jobs, sla, directory)
    satisfaction = Satisfaction(policy, clock, jobs, directory)
    transitions = Transitions(clock, jobs, roles, queries, sla, ladder, satisfaction)
    deliveries = Deliveries(clock)
    housekeeping = Housekeeping(clock, jobs, deliveries)
    sent: list[JobPayload] = []

    async def record(payload: JobPayload, _: Job) -> None:
        sent.append(payload)

    intake = Intake(policy, clock, jobs, sla, ladder)
    table = (
        HandlerTable()
        .on(kinds.ScheduleTicket, intake.schedule)
        .on(kinds.SlaThreshold, sla.handle_threshold)
        .on(kinds.LadderStepDue, ladder.fire_step)
        .on(kinds.Housekeeping, housekeeping.run)
        .on(kinds.CsatLowScore, satisfaction.tell_lead)
    )
    for kind in SLACK_KINDS:
        table.on(kind, record)
    table.check()
    return Env(
        policy=policy,
        clock=clock,
        jobs=jobs,
        directory=directory,
        roles=roles,
        sla=sla,
        queries=queries,
        ladder=ladder,
        transitions=transitions,
        replies=CustomerReplies(roles, transitions),
        intake=intake,
        pages=PageActions(clock, jobs, roles, queries, transitions, ladder),
        deliveries=deliveries,
        housekeeping=housekeeping,
        worker=Worker(jobs, clock, table),
        satisfaction=satisfaction,
        emails=known,
        lookups=lookups,
        sent=sent,
    )


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[None]:
    await db.start_database(sqlite_url)
    try:
        yield
    finally:
        await db.stop_database()


@pytest.fixture
def env(database: None, policy: Policy, clock: FakeClock) -> Env:
    return build_env(policy, clock)
