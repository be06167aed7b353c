"""Monthly statements, calculated by hand line by line for each contract type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bot.billing.statement import BankTotals, Month, Statement, build_statement, statement_for
from bot.billing.worktime import Ticket
from bot.policy import parse_config
from tests.bot.billing.factories import contract, entry, purchase
from tests.bot.policy.test_contracts import POLICY

NOVEMBER = Month(2026, 11)


def rows(statement: Statement) -> list[tuple[Any, ...]]:
    """(type, ticket, agent, day, minutes, billable, units, rate, amount, waived, bank left) per line."""
    return [
        (
            line.type,
            line.ticket,
            line.agent,
            line.day.isoformat(),
            line.minutes,
            line.billable_minutes,
            line.units,
            str(line.rate),
            str(line.amount),
            line.waived,
            line.bank_minutes_left,
        )
        for line in statement.lines
    ]


def test_month() -> None:
    assert Month.parse("2026-02") == Month(2026, 2) and str(Month(2026, 2)) == "2026-02"
    assert (Month(2024, 2).first, Month(2024, 2).last) == (date(2024, 2, 1), date(2024, 2, 29))
    assert Month(2026, 12).last == date(2026, 12, 31)
    assert date(2026, 11, 30) in NOVEMBER and date(2026, 12, 1) not in NOVEMBER
    for text in ("2026-13", "2026", "26-11", "november"):
        with pytest.raises(ValueError):
            Month.parse(text)


def test_a_month_ends_on_its_last_day_and_is_issued_from_the_next() -> None:
    december = Month(2026, 12)
    assert december.after == date(2027, 1, 1) and Month(2024, 2).after == date(2024, 3, 1)
    assert not december.ended_by(date(2026, 12, 8))  # the example: 8 December
    assert not december.ended_by(date(2026, 12, 31))
    assert december.ended_by(date(2027, 1, 1)) and december.ended_by(date(2027, 3, 5))
    assert not Month(2027, 3).ended_by(date(2026, 12, 8))  # a month still to come


def test_bank_statement_by_hand() -> None:
    bank = contract(
        type="bank",
        currency="EUR",
        increment="15m",
        purchases=[
            purchase(2, date(2026, 10, 1), date(2026, 11, 15)),  # P1: 120 minutes
            purchase(1, date(2026, 11, 1), date(2027, 10, 31)),  # P2: 60
            purchase("0.5", date(2026, 11, 1), date(2026, 11, 5)),  # P3: 30, used before P2 (expires first)
            purchase(1, date(2026, 11, 25), date(2027, 1, 31)),  # P4: 60, bought late in the month
        ],
        overage_rate="150.00",
        addon_rate="200.00",
    )
    paid = Ticket("SL-9", "P3", paid_request=True)
    entries = [
        entry(date(2026, 11, 20), 10),  # given out of order: the statement orders them
        entry(date(2026, 10, 20), 50),  # October: 60 billable from P1, no line
        entry(date(2026, 11, 2), 20, seq=1),
        entry(date(2026, 11, 2), 100, seq=0, waived=True),  # logged first that day, so listed first
        entry(date(2026, 11, 10), 40, ticket=paid, agent="U0ENG2"),
        entry(date(2026, 11, 12), 100),  # 105: the last 30 of P1 and 60 of P2 cover 90, 15 over
        entry(date(2026, 12, 1), 30),  # December: ignored
    ]
    statement = build_statement("acme", "acme-bank", bank, entries, NOVEMBER)
    assert (statement.type, statement.currency, statement.contract) == ("bank", "EUR", "acme-bank")
    assert rows(statement) == [
        # P1 60 + P3 30 + P2 60 valid on Nov 2
        ("bank", "SL-1", "U0ENG1", "2026-11-02", 100, 0, 0, "0", "0.00", True, 150),
        ("bank", "SL-1", "U0ENG1", "2026-11-02", 20, 30, 0, "0", "0.00", False, 120),
        # a paid request at the addon rate (per hour), 45 billable minutes; the bank is untouched
        ("addon", "SL-9", "U0ENG2", "2026-11-10", 40, 45, 45, "200.00", "150.00", False, 90),
        # 15 overage minutes at 150.00 an hour: 15 × 150.00 / 60 = 37.50
        ("bank", "SL-1", "U0ENG1", "2026-11-12", 100, 105, 15, "150.00", "37.50", False, 0),
        ("bank", "SL-1", "U0ENG1", "2026-11-20", 10, 15, 15, "150.00", "37.50", False, 0),
    ]
    assert [line.covered_minutes for line in statement.lines] == [0, 30, 0, 90, 0]
    totals = statement.totals
    assert (totals.minutes, totals.billable_minutes, totals.amount) == (270, 195, Decimal("225.00"))
    assert totals.bank == BankTotals(
        used_minutes=120,
        overage_minutes=30,
        left_minutes=60,  # P4, valid from the 25th
        expiring_minutes=60,
        expiring_on=date(2027, 1, 31),
        expired_minutes=30,  # P3 lapsed unused on the 5th; P1 was used up when it expired
    )


def test_per_incident_statement_by_hand() -> None:
    incident = contract(type="per_incident", currency="USD", block="2h", price="250.00", addon_rate="100.00")
    a = Ticket("SL-10", "P1", resolved_on=date(2026, 11, 5))
    b = Ticket("SL-11", "P2", resolved_on=date(2026, 11, 20))
    c = Ticket("SL-12", "P3", resolved_on=date(2026, 11, 7))
    d = Ticket("SL-13", "P2", resolved_on=date(2026, 12, 2))
    e = Ticket("SL-14", "P3", paid_request=True, resolved_on=date(2026, 11, 8))
    f = Ticket("SL-15", "P4", resolved_on=date(2026, 11, 30))
    entries = [
        entry(date(2026, 10, 30), 60, ticket=a),  # last month's time still counts for the ticket
        entry(date(2026, 11, 3), 60, ticket=a),  # 120 in all: exactly one block
        entry(date(2026, 11, 19), 121, ticket=b),  # one minute over: two blocks
        entry(date(2026, 11, 6), 30, ticket=c, waived=True),
        entry(date(2026, 11, 25), 45, ticket=d),  # resolved in December: charged then
        entry(date(2026, 11, 8), 30, ticket=e),
    ]
    statement = build_statement("globex", "globex-incident", incident, entries, NOVEMBER, tickets=[f])
    assert rows(statement) == [
        ("per_incident", "SL-10", "U0ENG1", "2026-11-03", 60, 60, 0, "0", "0.00", False, None),
        ("per_incident", "SL-12", "U0ENG1", "2026-11-06", 30, 0, 0, "0", "0.00", True, None),
        ("addon", "SL-14", "U0ENG1", "2026-11-08", 30, 30, 30, "100.00", "50.00", False, None),
        ("per_incident", "SL-11", "U0ENG1", "2026-11-19", 121, 121, 0, "0", "0.00", False, None),
        ("per_incident", "SL-13", "U0ENG1", "2026-11-25", 45, 45, 0, "0", "0.00", False, None),
        # ticket lines: units incidents at the price of one
        ("per_incident", "SL-10", "", "2026-11-05", 120, 120, 1, "250.00", "250.00", False, None),
        ("per_incident", "SL-12", "", "2026-11-07", 0, 0, 0, "0", "0.00", False, None),
        ("per_incident", "SL-11", "", "2026-11-20", 121, 121, 2, "250.00", "500.00", False, None),
        ("per_incident", "SL-15", "", "2026-11-30", 0, 0, 0, "0", "0.00", False, None),
    ]
    assert [line.priority for line in statement.lines[5:]] == ["P1", "P3", "P2", "P4"]
    totals = statement.totals
    assert (totals.minutes, totals.billable_minutes, totals.amount) == (286, 256, Decimal("800.00"))
    assert totals.bank is None


def test_per_minute_statement_by_hand_in_yen() -> None:
    per_minute = contract(type="per_minute", currency="JPY", rate="40", increment="5m")
    entries = [
        entry(date(2026, 11, 2), 12, seq=0),
        entry(date(2026, 11, 2), 3, seq=1, agent="U0ENG2"),  # same ticket, same day: its own line
        entry(date(2026, 11, 3), 30, waived=True),
    ]
    statement = build_statement("initech", "initech-minute", per_minute, entries, NOVEMBER)
    assert rows(statement) == [
        # 15 billable minutes at 40 a minute (the contract's own unit): 15 × 40 = 600
        ("per_minute", "SL-1", "U0ENG1", "2026-11-02", 12, 15, 15, "40", "600", False, None),
        ("per_minute", "SL-1", "U0ENG2", "2026-11-02", 3, 5, 5, "40", "200", False, None),
        ("per_minute", "SL-1", "U0ENG1", "2026-11-03", 30, 0, 0, "0", "0", True, None),
    ]
    assert (statement.totals.minutes, statement.totals.billable_minutes) == (45, 20)
    assert statement.totals.amount == Decimal("800") and str(statement.totals.amount) == "800"


def test_included_statement_charges_only_paid_requests() -> None:
    included = contract(type="included", addon_rate="120.00")
    paid = Ticket("SL-9", "P3", paid_request=True)
    entries = [entry(date(2026, 11, 2), 50), entry(date(2026, 11, 3), 50, ticket=paid)]
    statement = build_statement("umbrella", "umbrella-included", included, entries, NOVEMBER)
    assert rows(statement) == [
        ("included", "SL-1", "U0ENG1", "2026-11-02", 50, 50, 0, "0", "0.00", False, None),
        ("addon", "SL-9", "U0ENG1", "2026-11-03", 50, 50, 50, "120.00", "100.00", False, None),
    ]
    assert statement.currency == "USD"
    # Without an addon rate (the intake refuses such requests) a paid request is not charged.
    free = build_statement("hooli", "", contract(type="included"), entries, NOVEMBER)
    assert [line.amount for line in free.lines] == [Decimal("0.00")] * 2 and free.totals.amount == 0
    # Rounded half-up per line: 3 minutes at 0.10 an hour is exactly half a cent.
    cheap = contract(type="included", addon_rate="0.10")
    assert build_statement(
        "u", "c", cheap, [entry(date(2026, 11, 3), 3, ticket=paid)], NOVEMBER
    ).totals.amount == (Decimal("0.01"))


def test_statement_for_looks_the_contract_up_in_the_policy() -> None:
    policy = parse_config(POLICY)
    statement = statement_for(policy, "umbrella", [entry(date(2026, 11, 2), 5)], NOVEMBER)
    assert (statement.contract, statement.type) == ("umbrella-included", "included")
    default = statement_for(policy, "hooli", [entry(date(2026, 11, 2), 5)], NOVEMBER)
    assert (default.contract, default.type, default.currency) == ("", "included", "USD")


def test_one_ticket_with_two_descriptions_is_refused() -> None:
    entries = [entry(date(2026, 11, 2), 5), entry(date(2026, 11, 3), 5, ticket=Ticket("SL-1", "P1"))]
    with pytest.raises(ValueError, match="ticket SL-1 comes with different details"):
        build_statement("acme", "", contract(type="included"), entries, NOVEMBER)


def test_an_empty_month() -> None:
    statement = build_statement("acme", "", contract(type="included"), [], NOVEMBER)
    assert statement.lines == () and statement.totals.amount == 0 and statement.totals.minutes == 0


def test_per_minute_rate_is_per_minute_and_paid_requests_on_it_per_hour() -> None:
    """The issue's example: 2.50 a minute prints `rate` 2.50 beside 17.50 for 7 minutes, not 150.00;
    a paid request on the same contract is priced per hour at its addon_rate, and says so."""
    per_minute = contract(type="per_minute", currency="USD", rate="2.50", addon_rate="90.00")
    paid = Ticket("SL-9", "P3", paid_request=True)
    entries = [entry(date(2026, 11, 2), 7), entry(date(2026, 11, 3), 7, ticket=paid)]
    statement = build_statement("initech", "initech-minute", per_minute, entries, NOVEMBER)
    assert rows(statement) == [
        ("per_minute", "SL-1", "U0ENG1", "2026-11-02", 7, 7, 7, "2.50", "17.50", False, None),
        # 7 × 90.00 / 60 = 10.50
        ("addon", "SL-9", "U0ENG1", "2026-11-03", 7, 7, 7, "90.00", "10.50", False, None),
    ]
    assert statement.type == "per_minute" and statement.totals.amount == Decimal("28.00")
