"""Satisfaction in the pure report: the mean score rounded half-up to two decimals, and the chart's title."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from bot.reports.charts import _title
from bot.reports.sla_report import CsatTally, TicketFacts, build_report

START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
RAISED = datetime(2026, 11, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("scores", "average"),
    [
        ((5, 4, 4), "4.33"),
        ((5, 4), "4.50"),
        ((1, 2, 2), "1.67"),
        ((1, 1, 2, 2, 2, 2, 2, 2), "1.75"),
        ((3,), "3.00"),
    ],
)
def test_the_mean_score_is_rounded_half_up_to_two_decimals(scores: tuple[int, ...], average: str) -> None:
    tickets = [TicketFacts(n, "acme", "enterprise", "P1", RAISED, csat=s) for n, s in enumerate(scores)]
    tally = CsatTally.of(tickets)
    assert (tally.responses, tally.average) == (len(scores), Decimal(average))


def test_unanswered_tickets_add_nothing_and_the_chart_title_says_it() -> None:
    tickets = [
        TicketFacts(1, "acme", "enterprise", "P1", RAISED, csat=4),
        TicketFacts(2, "acme", "enterprise", "P2", RAISED),
        TicketFacts(3, "globex", "standard", "P1", RAISED, csat=1),
    ]
    report = build_report(tickets, start=START, end=END, now=END, levels=("lead",))
    assert [(r.customer, r.priority, r.csat.responses) for r in report.rows] == [
        ("acme", "P1", 1),
        ("acme", "P2", 0),
        ("globex", "P1", 1),
    ]
    assert report.rows[1].csat.average is None
    assert "Satisfaction 2.50 of 5 (2 answers)" in _title(report)
    quiet = build_report(tickets[1:2], start=START, end=END, now=END, levels=("lead",))
    assert "Satisfaction" not in _title(quiet)
