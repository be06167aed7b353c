"""An account at a glance, pure: the tallies by hand, its JSON shape, its Slack text and its chart."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from bot.reports.account import (
    Account,
    Balance,
    EngineeringWait,
    OpenTicket,
    as_json,
    render_chart,
    render_text,
    tally,
)
from bot.reports.sla_report import Achievement, ClockFacts, CsatTally, TicketFacts
from models import ClockState

NOW = datetime(2026, 11, 17, 16, tzinfo=UTC)
RAISED = NOW - timedelta(days=2)


def met() -> ClockFacts:
    return ClockFacts(ClockState.MET, 1800, 600.0, None, None, RAISED + timedelta(minutes=10))


def breached() -> ClockFacts:
    return ClockFacts(ClockState.BREACHED, 1800, 2400.0, None, RAISED, RAISED + timedelta(hours=1))


def running(due: datetime) -> ClockFacts:
    return ClockFacts(ClockState.RUNNING, 1800, 0.0, due_at=due)


def test_tally_by_hand() -> None:
    facts = [
        TicketFacts(
            1, "acme", "enterprise", "P1", RAISED, met(), running(NOW + timedelta(hours=1)), (("lead", 1),)
        ),
        TicketFacts(
            2, "acme", "enterprise", "P1", RAISED, breached(), breached(), (("lead", 1), ("manager", 2))
        ),
        TicketFacts(3, "acme", "enterprise", "P3", RAISED, running(NOW - timedelta(minutes=1)), None, ()),
        TicketFacts(4, "acme", "enterprise", "P3", RAISED, running(NOW + timedelta(minutes=1)), None, ()),
    ]
    tickets, first, resolution, pages = tally(facts, ["lead", "manager", "executive"], NOW)
    assert tickets == {"P1": 2, "P2": 0, "P3": 2, "P4": 0}
    assert first == Achievement(met=1, breached=2)  # a running clock past its due time is breached
    assert resolution == Achievement(met=0, breached=1)  # the one still inside its target counts in neither
    assert pages == {"lead": 2, "manager": 2, "executive": 0}


ACCOUNT = Account(
    customer="initech",
    name="Initech <R&D>",
    start=datetime(2026, 10, 19, 5, tzinfo=UTC),
    end=datetime(2026, 11, 18, 6, tzinfo=UTC),
    tickets={"P1": 0, "P2": 3, "P3": 1, "P4": 0},
    first_response=Achievement(3, 1),
    resolution=Achievement(),
    pages={"lead": 1, "manager": 0, "executive": 0},
    paid_requests=1,
    minutes=95,
    currency="USD",
    balance=Balance(
        deposit_paid=Decimal("500.00"), deposit_balance=Decimal("262.50"), deposit_minimum=Decimal("37.50")
    ),
    month="2026-11",
    month_charges=Decimal("237.50"),
    open=(OpenTicket("SUP-7", "P2", "Export <fails>", "open", NOW + timedelta(hours=2), "first_response"),),
    open_count=1,
    satisfaction=CsatTally(responses=3, total=11),
    waiting_on_engineering=EngineeringWait(tickets=2, longest_hours=50.5),
)


def test_json_carries_every_figure_with_money_as_strings() -> None:
    document = json.loads(json.dumps(as_json(ACCOUNT)))
    assert document == {
        "customer": "initech",
        "name": "Initech <R&D>",
        "from": "2026-10-19T05:00:00+00:00",
        "to": "2026-11-18T06:00:00+00:00",
        "tickets": {"P1": 0, "P2": 3, "P3": 1, "P4": 0},
        "first_response": {"met": 3, "breached": 1},
        "resolution": {"met": 0, "breached": 0},
        "pages": {"lead": 1, "manager": 0, "executive": 0},
        "paid_requests": 1,
        "minutes_recorded": 95,
        "currency": "USD",
        "bank": None,
        "deposit": {"paid": "500.00", "balance": "262.50", "minimum": "37.50"},
        "month": "2026-11",
        "month_charges": "237.50",
        "satisfaction": {"responses": 3, "average": 3.67},
        "waiting_on_engineering": {"tickets": 2, "longest_hours": 50.5},
        "open_count": 1,
        "open_tickets": [
            {
                "ticket": "SUP-7",
                "priority": "P2",
                "title": "Export <fails>",
                "status": "open",
                "due_at": "2026-11-17T18:00:00+00:00",
                "due_for": "first_response",
            }
        ],
    }


def test_the_slack_text_escapes_and_dates_in_each_readers_timezone() -> None:
    text = render_text(ACCOUNT, "the last 30 days")
    assert text.startswith("*Initech &lt;R&amp;D&gt;: the account, the last 30 days*")
    assert "*Tickets raised:* 4 (P2 3, P3 1); 1 paid request" in text
    assert "first response: 3 met, 1 breached (75.0%)" in text and "resolution: none decided yet" in text
    assert "*Pages sent:* lead 1" in text and "*Time recorded:* 1h 35m" in text
    assert "*Deposit:* $262.50 left of $500.00 paid (minimum $37.50)" in text
    assert "*Charges in 2026-11 so far:* $237.50" in text
    assert "*Satisfaction:* 3.67 of 5 (3 answers)" in text
    assert "*Waiting on engineering now:* 2, the longest for 50.5 hours" in text
    stamp = int((NOW + timedelta(hours=2)).timestamp())
    assert f"• *SUP-7* P2 · Export &lt;fails&gt; (open, first response due <!date^{stamp}^" in text


def test_the_chart_is_a_small_png() -> None:
    png = render_chart(ACCOUNT)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 100_000
