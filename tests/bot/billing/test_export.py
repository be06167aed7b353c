"""The CSV header is a contract with other tools; JSON carries the same fields plus the totals."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.billing.export import CSV_HEADER, as_json, to_csv, to_json
from bot.billing.statement import Month, Withdrawal, build_statement
from bot.billing.worktime import Ticket, TimeEntry
from tests.bot.billing.factories import contract, entry, purchase

HEADER = (
    "customer,contract,type,ticket,priority,agent,date,minutes,billable_minutes,units,rate,amount,currency,"
    "waived,waiver_reason,bank_minutes_left"
)
NOVEMBER = Month(2026, 11)
BANK = contract(
    type="bank",
    currency="EUR",
    increment="15m",
    purchases=[purchase(1, date(2026, 11, 1), date(2027, 10, 31))],
    overage_rate="150.00",
)


def test_the_header_is_exactly_the_published_one() -> None:
    assert ",".join(CSV_HEADER) == HEADER


def test_bank_csv() -> None:
    odd = TimeEntry(
        Ticket("SL-2", "P1"),
        "U0ENG2",
        date(2026, 11, 4),
        datetime(2026, 11, 4, 9, tzinfo=UTC),
        10,
        waived=True,
        waiver_reason='defect, "export" crashed',
    )
    entries = [entry(date(2026, 11, 2), 40), entry(date(2026, 11, 3), 31, agent="U0ENG2"), odd]
    text = to_csv(build_statement("acme", "acme-bank", BANK, entries, NOVEMBER))
    assert text.split("\r\n") == [
        HEADER,
        "acme,acme-bank,bank,SL-1,P2,U0ENG1,2026-11-02,40,45,0,0.00,0.00,EUR,false,,15",
        "acme,acme-bank,bank,SL-1,P2,U0ENG2,2026-11-03,31,45,30,150.00,75.00,EUR,false,,0",
        "acme,acme-bank,bank,SL-2,P1,U0ENG2,2026-11-04,10,0,0,0.00,0.00,EUR,true,"
        '"defect, ""export"" crashed",0',
        "",
    ]


def test_per_incident_csv_has_empty_bank_and_agent_columns() -> None:
    incident = contract(type="per_incident", currency="JPY", price="30000")
    ticket = Ticket("SL-7", "P2", resolved_on=date(2026, 11, 9))
    text = to_csv(
        build_statement("globex", "g", incident, [entry(date(2026, 11, 8), 130, ticket=ticket)], NOVEMBER)
    )
    assert text.split("\r\n")[1:] == [
        "globex,g,per_incident,SL-7,P2,U0ENG1,2026-11-08,130,130,0,0,0,JPY,false,,",
        "globex,g,per_incident,SL-7,P2,,2026-11-09,130,130,2,30000,60000,JPY,false,,",
        "",
    ]


def test_an_empty_statement_is_the_header_alone() -> None:
    assert to_csv(build_statement("acme", "", contract(type="included"), [], NOVEMBER)) == HEADER + "\r\n"


def test_json() -> None:
    statement = build_statement("acme", "acme-bank", BANK, [entry(date(2026, 11, 2), 70)], NOVEMBER)
    document = json.loads(to_json(statement))
    assert document == as_json(statement)
    assert document == {
        "customer": "acme",
        "contract": "acme-bank",
        "type": "bank",
        "currency": "EUR",
        "month": "2026-11",
        "lines": [
            {
                "customer": "acme",
                "contract": "acme-bank",
                "type": "bank",
                "ticket": "SL-1",
                "priority": "P2",
                "agent": "U0ENG1",
                "date": "2026-11-02",
                "minutes": 70,
                "billable_minutes": 75,
                "units": 15,
                "rate": "150.00",
                "amount": "37.50",
                "currency": "EUR",
                "waived": False,
                "waiver_reason": "",
                "bank_minutes_left": 0,
            }
        ],
        "totals": {
            "minutes": 70,
            "billable_minutes": 75,
            "amount": "37.50",
            "bank": {
                "used_minutes": 60,
                "overage_minutes": 15,
                "left_minutes": 0,
                "expiring_minutes": 0,
                "expiring_on": None,
                "expired_minutes": 0,
            },
        },
        "replaces": None,
    }
    included = as_json(build_statement("hooli", "", contract(type="included"), [], NOVEMBER))
    assert included["totals"] == {"minutes": 0, "billable_minutes": 0, "amount": "0.00", "bank": None}


def test_json_names_the_withdrawn_statement_an_issue_replaces() -> None:
    statement = build_statement("acme", "acme-bank", BANK, [entry(date(2026, 11, 2), 70)], NOVEMBER)
    withdrawal = Withdrawal(
        issued_at=datetime(2026, 12, 1, 15, tzinfo=UTC),
        issued_by="U0LEAD",
        withdrawn_at=datetime(2026, 12, 3, 9, 30, tzinfo=UTC),
        withdrawn_by="U0MGR",
        reason="missed a call",
    )
    document = json.loads(to_json(statement, withdrawal))
    assert document["replaces"] == {
        "issued_at": "2026-12-01T15:00:00+00:00",
        "issued_by": "U0LEAD",
        "withdrawn_at": "2026-12-03T09:30:00+00:00",
        "withdrawn_by": "U0MGR",
        "reason": "missed a call",
    }
