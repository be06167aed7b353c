"""A ticket's urgency from its clocks, the order lists show, and how a list line says it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot import blocks
from bot.durations import AROUND_THE_CLOCK, BusinessDay
from bot.services.sla import FIRST_RESPONSE, RESOLUTION
from bot.sla_time import ClockReading
from bot.urgency import Standing, Urgency, urgency_of, urgent_first
from models import ClockState, Ticket

NOW = datetime(2026, 11, 17, 19, 0, tzinfo=UTC)
NINE_HOURS = BusinessDay(timedelta(hours=9))


def clock(
    elapsed_min: float,
    target_min: float = 120,
    state: ClockState = ClockState.RUNNING,
    name: str = FIRST_RESPONSE,
    due_in_min: float | None = None,
    day: BusinessDay = NINE_HOURS,
) -> ClockReading:
    due = NOW + timedelta(minutes=target_min - elapsed_min if due_in_min is None else due_in_min)
    return ClockReading(name, state, timedelta(minutes=target_min), timedelta(minutes=elapsed_min), due, day)


@dataclass
class Row:
    id: int


def test_the_most_urgent_running_clock_decides() -> None:
    assert urgency_of([clock(30), clock(100, 120, name=RESOLUTION)]) == Urgency(  # 83 % of resolution
        Standing.AT_RISK, clock(100, 120, name=RESOLUTION)
    )
    breached = urgency_of([clock(150), clock(119, name=RESOLUTION)])
    assert (
        breached is not None
        and breached.standing == Standing.BREACHED
        and breached.reading.name == FIRST_RESPONSE
    )
    # Past its target before the 100 % timer ran: breached already.
    assert urgency_of([clock(121)]) == Urgency(Standing.BREACHED, clock(121))
    assert urgency_of([clock(10)]) == Urgency(Standing.ON_TRACK, clock(10))
    # Paused (waiting on the customer) or met: nothing threatens.
    assert urgency_of([clock(110, state=ClockState.PAUSED), clock(5, state=ClockState.MET)]) is None


def test_lists_show_breached_first_then_at_risk_then_the_rest_by_due() -> None:
    rows = [Row(1), Row(2), Row(3), Row(4), Row(5), Row(6)]
    urgencies = {
        1: Urgency(Standing.ON_TRACK, clock(10, due_in_min=300)),
        2: Urgency(Standing.AT_RISK, clock(100, due_in_min=20)),
        3: Urgency(Standing.BREACHED, clock(130, due_in_min=-10)),
        4: Urgency(Standing.ON_TRACK, clock(10, due_in_min=60)),
        5: Urgency(Standing.BREACHED, clock(200, due_in_min=-80)),  # the longest overdue
        # 6: waiting on the customer, no running clock: last
    }
    assert [r.id for r in urgent_first(rows, urgencies)] == [5, 3, 2, 4, 1, 6]
    # The queue keeps its own order (plan rank, then due) for the rest.
    assert [r.id for r in urgent_first(rows, urgencies, rest_by_due=False)] == [5, 3, 2, 1, 4, 6]


def _line(urgency: Urgency | None) -> str:
    ticket = Ticket(id=7, customer="globex", priority="P1", title="Checkout down", status="open")
    return blocks.ticket_line(ticket, NOW, urgency)


def test_a_list_line_says_breached_and_at_risk_in_business_time() -> None:
    breached = _line(Urgency(Standing.BREACHED, clock(240)))  # 2 business hours past its 2h target
    assert ":red_circle: *breached 2 business hours ago* (first response was due <!date^" in breached
    at_risk = _line(Urgency(Standing.AT_RISK, clock(100)))
    assert ":warning: *at risk: due in 20 business minutes* (first response due <!date^" in at_risk
    around_the_clock = _line(Urgency(Standing.AT_RISK, clock(25, 30, day=AROUND_THE_CLOCK)))
    assert "at risk: due in 5 minutes" in around_the_clock
    assert "breached just now" in _line(Urgency(Standing.BREACHED, clock(120.5)))
    # On track: the plain first-response due time, as before.
    plain = _line(Urgency(Standing.ON_TRACK, clock(10)))
    assert "first response due <!date^" in plain and "risk" not in plain and "breached" not in plain
    assert _line(None) == plain
