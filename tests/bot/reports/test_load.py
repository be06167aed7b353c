"""The report's facts read from SQLite and PostgreSQL: tickets in range, their clocks, pages sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import db
from bot.policy import Policy
from bot.reports.export import to_csv
from bot.reports.load import load_report, load_ticket_facts
from bot.reports.sla_report import ClockFacts
from models import ClockState, CsatSurvey, Page, SlaClock, Ticket, TicketEvent, TicketStatus

START, END = datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 12, 1, 6, tzinfo=UTC)
NOW = datetime(2026, 12, 2, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[None]:
    await db.start_database(database_url)
    try:
        yield
    finally:
        await db.stop_database()


async def _ticket(
    customer: str, created_at: datetime, priority: str = "P1", plan: str = "standard"
) -> Ticket:
    return await Ticket.create(
        customer=customer, plan=plan, priority=priority, environment="production", title="t",
        description="d", reporter_id="U0KEY2", created_at=created_at, updated_at=created_at,
    )  # fmt: skip


async def _clock(ticket: Ticket, name: str, state: ClockState, elapsed: float, **kw: Any) -> None:
    await SlaClock.create(
        ticket=ticket, name=name, target_seconds=7200, state=state, elapsed_seconds=elapsed, **kw
    )


async def _page(ticket: Ticket, level: str, recipient: str, step: str, sent: bool = True) -> None:
    due = ticket.created_at + timedelta(hours=2)
    await Page.create(
        ticket=ticket, step_key=step, level=level, recipient=recipient, due_at=due, created_at=due,
        sent_at=due if sent else None,
    )  # fmt: skip


async def _seed() -> tuple[Ticket, Ticket]:
    raised = datetime(2026, 11, 3, 15, tzinfo=UTC)
    claimed = raised + timedelta(minutes=30)
    one = await _ticket("globex", raised)
    await _clock(one, "first_response", ClockState.MET, 1800.0, stopped_at=claimed, due_at=None)
    await _clock(
        one, "resolution", ClockState.RUNNING, 0.0, running_since=raised, due_at=raised + timedelta(hours=20)
    )
    late = await _ticket("globex", raised + timedelta(hours=1))
    await _clock(late, "first_response", ClockState.BREACHED, 9000.0, breached_at=raised, stopped_at=claimed)
    await _page(late, "lead", "U0LEAD", "P1.0")
    await _page(late, "executive", "U0EXEC1", "P1.2")
    await _page(late, "executive", "U0EXEC2", "P1.2")
    await _page(late, "manager", "U0MGR", "P1.1", sent=False)  # still waiting to be delivered
    await _page(one, "lead", "U0LEAD", "P1.0")
    other = await _ticket("initech", raised, priority="P3", plan="basic")
    await _clock(
        other, "first_response", ClockState.RUNNING, 0.0, running_since=raised, due_at=NOW + timedelta(1)
    )
    await _ticket("globex", END)  # raised when the period ends: not in it
    await _ticket("globex", START - timedelta(seconds=1))
    return one, late


async def test_facts_are_read_with_their_clocks_and_pages_sent(database: None) -> None:
    one, late = await _seed()
    facts = await load_ticket_facts(START, END, customer="globex")
    assert [f.id for f in facts] == [one.id, late.id]
    first, second = facts
    assert first.created_at == datetime(2026, 11, 3, 15, tzinfo=UTC) and first.created_at.tzinfo is not None
    assert first.first_response == ClockFacts(
        ClockState.MET, 7200, 1800.0, None, None, datetime(2026, 11, 3, 15, 30, tzinfo=UTC)
    )
    assert first.resolution is not None and first.resolution.state == ClockState.RUNNING
    assert first.pages == (("lead", 1),)
    assert second.resolution is None
    assert second.pages == (("executive", 2), ("lead", 1))  # the unsent manager page is not counted


async def _survey(ticket: Ticket, score: int | None) -> None:
    await CsatSurvey.create(
        ticket_id=ticket.id, customer=ticket.customer, person=ticket.reporter_id, place="dm",
        asked_at=ticket.created_at, score=score, answered_at=ticket.created_at if score else None,
    )  # fmt: skip


async def test_report_from_the_database(database: None, policy: Policy) -> None:
    one, late = await _seed()
    await _survey(one, 4)
    await _survey(late, 1)
    outside = await Ticket.get(customer="globex", created_at=END)
    await _survey(outside, 5)  # raised after the period: not counted
    await _survey(await Ticket.get(customer="initech"), None)  # asked, never answered: not counted
    report = await load_report(policy, START, END, NOW)
    lines = to_csv(report).splitlines()
    assert lines[1:] == [
        "globex,standard,P1,2,1,1,50.0,0,1,0.0,1800,9000,,2,0,2,0,0,,0,2,2.50,0,",
        "initech,basic,P3,1,0,0,,0,0,,,,,0,0,0,0,0,,0,0,,0,",
    ]


async def test_tickets_waiting_on_engineering_count_from_their_last_resolve(
    database: None, policy: Policy
) -> None:
    raised = datetime(2026, 11, 3, 15, tzinfo=UTC)
    waiting = await _ticket("globex", raised)
    older = await _ticket("globex", START - timedelta(days=10))  # raised before the period, still waiting
    incident = await _ticket("(incident)", raised)
    for ticket, resolved in ((waiting, NOW - timedelta(hours=50)), (older, NOW - timedelta(hours=80))):
        # Resolved as a defect once, reopened (still failing), resolved again: it waits since the last.
        await TicketEvent.create(ticket=ticket, at=resolved - timedelta(hours=100), kind="resolved")
        await TicketEvent.create(ticket=ticket, at=resolved, kind="resolved")
    for ticket in (waiting, older, incident):
        await Ticket.filter(id=ticket.id).update(status=TicketStatus.FIX_PENDING)
    await Ticket.filter(id=incident.id).update(is_incident=True)

    report = await load_report(policy, START, END, NOW)

    row = next(r for r in report.rows if r.customer == "globex")
    assert (row.customer, row.engineering.tickets, row.engineering.longest_hours) == ("globex", 1, 50.0)
    # Every ticket waiting now, whenever raised; an incident counts through its children only.
    assert (report.waiting_on_engineering.tickets, report.waiting_on_engineering.longest_hours) == (2, 80.0)
