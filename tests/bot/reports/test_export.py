"""The report's CSV (a contract other tools read) and JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from bot.reports.export import to_csv, to_json
from bot.reports.sla_report import ClockFacts, EngineeringWait, SlaReport, TicketFacts, build_report
from models import ClockState

HEADER = (
    "customer,plan,priority,tickets,first_response_met,first_response_breached,first_response_pct,"
    "resolution_met,resolution_breached,resolution_pct,median_first_response_s,p90_first_response_s,"
    "median_resolution_s,pages_lead,pages_manager,pages_executive,"
    "next_response_met,next_response_breached,next_response_pct,updates_missed,"
    "csat_responses,csat_avg,engineering_waiting,engineering_longest_wait_h"
)
START, END = datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 12, 1, 6, tzinfo=UTC)
NOW = datetime(2026, 12, 2, tzinfo=UTC)
CLAIMED = datetime(2026, 11, 3, 16, tzinfo=UTC)


def _report() -> SlaReport:
    def clock(state: ClockState, elapsed: float) -> ClockFacts:
        return ClockFacts(
            state, 7200, elapsed, None, CLAIMED if state == ClockState.BREACHED else None, CLAIMED
        )

    tickets = [
        TicketFacts(
            1,
            "globex",
            "standard",
            "P1",
            CLAIMED,
            clock(ClockState.MET, 1800.4),
            None,
            (("lead", 1),),
            csat=5,
        ),
        TicketFacts(2, "globex", "standard", "P1", CLAIMED, clock(ClockState.MET, 3000), None, csat=2),
        TicketFacts(
            3,
            "globex",
            "standard",
            "P1",
            CLAIMED,
            clock(ClockState.BREACHED, 9000),
            None,
            (("executive", 2),),
        ),
        TicketFacts(4, "initech", "basic", "P3", CLAIMED, None, None),
    ]
    return build_report(tickets, start=START, end=END, now=NOW, levels=("lead", "manager", "executive"))


def test_csv_header_is_the_contract_and_empty_cells_mean_no_figure() -> None:
    text = to_csv(_report())
    lines = text.split("\n")
    assert lines[0] == HEADER
    assert lines[1] == "globex,standard,P1,3,2,1,66.7,0,0,,3000,9000,,1,0,2,0,0,,0,2,3.50,0,"
    assert lines[2] == "initech,basic,P3,1,0,0,,0,0,,,,,0,0,0,0,0,,0,0,,0,"
    assert lines[3:] == [""]
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[0]["first_response_pct"] == "66.7" and parsed[1]["first_response_pct"] == ""


def test_json_has_the_period_and_rows_with_numbers_as_numbers_and_null_for_empty() -> None:
    data = json.loads(to_json(_report()))
    assert data["from"] == "2026-11-01T05:00:00+00:00" and data["to"] == "2026-12-01T06:00:00+00:00"
    assert data["generated_at"] == "2026-12-02T00:00:00+00:00"
    assert data["customer"] is None and data["levels"] == ["lead", "manager", "executive"]
    first = data["rows"][0]
    assert list(first) == HEADER.split(",")
    assert first["first_response_pct"] == 66.7 and first["tickets"] == 3
    assert first["resolution_pct"] is None and first["median_resolution_s"] is None
    assert first["median_first_response_s"] == 3000 and first["pages_executive"] == 2
    week = next(w for w in data["weeks"] if w["tickets"])
    assert week == {
        "week": "2026-W45",
        "week_start": "2026-11-02",
        "tickets": 4,
        "first_response_met": 2,
        "first_response_breached": 1,
        "first_response_pct": 66.7,
        "resolution_met": 0,
        "resolution_breached": 0,
        "resolution_pct": None,
    }


def test_recurring_clocks_count_every_cycle_the_current_one_once_decided() -> None:
    late = NOW - timedelta(hours=1)
    answered_twice_then_late = ClockFacts(
        ClockState.RUNNING, 3600, 0.0, due_at=late, met_count=2, breached_count=0
    )
    answered_late_then_waiting = ClockFacts(
        ClockState.PAUSED, 3600, 600.0, met_count=0, breached_count=1
    )  # paused with time left: undecided, in neither column
    missed_three = ClockFacts(
        ClockState.RUNNING, 14400, 0.0, due_at=NOW + timedelta(hours=1), breached_count=3, met_count=5
    )
    missed_now = ClockFacts(ClockState.BREACHED, 14400, 15000.0, due_at=late, breached_at=late)
    tickets = [
        TicketFacts(1, "acme", "enterprise", "P1", CLAIMED, next_response=answered_twice_then_late,
                    update_every=missed_three),
        TicketFacts(2, "acme", "enterprise", "P1", CLAIMED, next_response=answered_late_then_waiting,
                    update_every=missed_now),
    ]  # fmt: skip
    report = build_report(tickets, start=START, end=END, now=NOW, levels=("lead",))
    row = to_csv(report).splitlines()[1]
    assert row.endswith(
        ",0,2,2,50.0,4,0,,0,"
    )  # pages_lead 0; 2 met, 2 breached; 3 + 1 updates missed; no answers; none with engineering


def test_tickets_waiting_on_engineering_are_counted_per_row_with_the_longest_wait() -> None:
    tickets = [
        TicketFacts(1, "acme", "enterprise", "P2", CLAIMED, engineering_since=NOW - timedelta(hours=30.54)),
        TicketFacts(2, "acme", "enterprise", "P2", CLAIMED, engineering_since=NOW - timedelta(hours=2)),
        TicketFacts(3, "acme", "enterprise", "P2", CLAIMED),  # resolved, or still being worked
        TicketFacts(4, "globex", "standard", "P2", CLAIMED),
    ]
    everyone = EngineeringWait.of([NOW - timedelta(days=40), NOW - timedelta(hours=2)], NOW)
    report = build_report(tickets, start=START, end=END, now=NOW, levels=("lead",), waiting=everyone)

    acme, globex = list(csv.DictReader(io.StringIO(to_csv(report))))
    assert (acme["engineering_waiting"], acme["engineering_longest_wait_h"]) == ("2", "30.5")
    assert (globex["engineering_waiting"], globex["engineering_longest_wait_h"]) == ("0", "")
    data = json.loads(to_json(report))
    assert data["rows"][0]["engineering_longest_wait_h"] == 30.5
    # Every ticket waiting now, whenever raised (one raised before the period too).
    assert data["waiting_on_engineering"] == {"tickets": 2, "longest_hours": 960.0}
