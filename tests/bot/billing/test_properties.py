"""Statements over many generated cases, checked against a deliberately naive model written here.

The model debits a bank one minute at a time and rounds with Fractions, so it shares no arithmetic
with the code under test: increments, waivers, paid requests, several purchases that expire, banks
running out in the middle of an entry, incident blocks and several agents all come up, and so do prices
that change on dates, premium add-ons with their own hourly rate, and prepaid deposits with payments.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from bot.billing.bank import bank_status
from bot.billing.export import CSV_HEADER, as_json, to_csv
from bot.billing.money import currency_digits
from bot.billing.statement import Month, Statement, build_statement
from bot.billing.worktime import Ticket, TimeEntry
from bot.policy.contracts import BankContract, PerIncidentContract, PerMinuteContract, PriceList
from tests.bot.billing.factories import contract

START = date(2026, 10, 1)  # entries fall in October to December 2026
MONTHS = [Month(2026, 10), Month(2026, 11), Month(2026, 12)]
CURRENCIES = ["EUR", "USD", "JPY", "BHD"]


@dataclass(frozen=True)
class Case:
    contract: Any
    entries: list[TimeEntry]
    month: Month


def money(digits: int) -> st.SearchStrategy[str]:
    return st.integers(0, 40_000).map(lambda n: format(Decimal(n).scaleb(-digits), "f"))


def days(low: int, high: int) -> st.SearchStrategy[date]:
    return st.integers(low, high).map(lambda n: START + timedelta(days=n))


def prices(digits: int) -> st.SearchStrategy[Any]:
    """One amount, or a price list as the policy file writes it: amounts from dates in order."""
    listed = st.lists(
        st.tuples(days(-10, 100), money(digits)), min_size=1, max_size=3, unique_by=lambda p: p[0]
    )
    return st.one_of(
        money(digits),
        listed.map(lambda ps: [{"from": d.isoformat(), "amount": a} for d, a in sorted(ps)]),
    )


def rate_on(price: Any, day: date) -> Fraction:
    """The model's reading of a price list: the last amount whose `from` is on or before the day, else
    the first (written here from the README's rule, not with the code's PriceList.on)."""
    if not isinstance(price, PriceList):
        return Fraction(price)
    in_force = [amount for start, amount in price.points if start <= day]
    return Fraction(in_force[-1] if in_force else price.points[0][1])


def as_price(value: Any) -> Any:
    """A generated price as the contract holds it (for a ticket's add-on rate)."""
    if isinstance(value, str):
        return Decimal(value)
    return PriceList(tuple((date.fromisoformat(p["from"]), Decimal(p["amount"])) for p in value))


@st.composite
def cases(draw: st.DrawFn, kind: str) -> Case:
    currency = draw(st.sampled_from(CURRENCIES))
    digits = currency_digits(currency)
    fields: dict[str, Any] = {
        "type": kind,
        "currency": currency,
        "increment": f"{draw(st.sampled_from([1, 5, 6, 15, 30, 60]))}m",
    }
    if draw(st.booleans()):
        fields["addon_rate"] = draw(prices(digits))
    if kind == "bank":
        fields["overage_rate"] = draw(prices(digits))
        fields["purchases"] = [
            {"hours": str(Decimal(quarters) / 4), "from": start, "expires": start + timedelta(days=length)}
            for quarters, start, length in draw(
                st.lists(
                    st.tuples(st.integers(1, 12), days(-20, 80), st.integers(0, 100)), min_size=1, max_size=4
                )
            )
        ]
    elif kind == "per_incident":
        fields["block"] = f"{draw(st.sampled_from([30, 60, 120]))}m"
        fields["price"] = draw(prices(digits))
    elif kind == "per_minute":
        fields["rate"] = draw(prices(digits))
    if kind in ("per_minute", "per_incident") and draw(st.booleans()):
        fields["deposit"] = {
            "payments": [
                {"date": day.isoformat(), "amount": amount}
                for day, amount in draw(st.lists(st.tuples(days(-40, 95), money(digits)), max_size=3))
                if Decimal(amount) > 0
            ],
            "minimum": draw(money(digits)),
            "alert_at": draw(st.lists(st.integers(1, 100), unique=True, max_size=3)),
        }
    tickets = [
        Ticket(
            f"SL-{n}",
            f"P{n % 4 + 1}",
            draw(st.booleans()),
            draw(st.none() | days(0, 95)),
            # a premium add-on with an hourly rate covers some tickets
            draw(st.none() | prices(digits).map(as_price)),
        )
        for n in range(draw(st.integers(1, 4)))
    ]
    entries = [
        TimeEntry(
            ticket=draw(st.sampled_from(tickets)),
            agent=draw(st.sampled_from(["U0ENG1", "U0ENG2", "U0ENG3"])),
            worked_on=worked_on,
            # few distinct times, so entries logged at the same instant keep the order given
            logged_at=datetime.combine(worked_on, datetime.min.time(), UTC)
            + timedelta(hours=draw(st.integers(0, 3))),
            minutes=draw(st.integers(1, 240)),
            waived=draw(st.booleans()),
        )
        for worked_on in draw(st.lists(days(0, 91), max_size=14))
    ]
    return Case(contract(**fields), entries, draw(st.sampled_from(MONTHS)))


def half_up(value: Fraction, digits: int) -> Fraction:
    scale = 10**digits
    return Fraction(math.floor(value * scale + Fraction(1, 2)), scale)


def model(case: Case) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[int], list[Any]]:
    """Entry lines, incident lines, and the bank's minutes left per purchase at the month's end."""
    c, month = case.contract, case.month
    digits = currency_digits(c.currency)
    order = sorted(
        range(len(case.entries)), key=lambda i: (case.entries[i].worked_on, case.entries[i].logged_at, i)
    )
    purchases = sorted(c.purchases, key=lambda p: (p.start, p.expires)) if isinstance(c, BankContract) else []
    left = [int(Fraction(p.hours) * 60) for p in purchases]
    lines = []
    for i in order:
        e = case.entries[i]
        if e.worked_on > month.last:
            continue
        billable = 0 if e.waived else math.ceil(Fraction(e.minutes, c.increment)) * c.increment
        hourly = e.ticket.addon_rate if e.ticket.addon_rate is not None else None
        if hourly is None and e.ticket.paid_request:
            hourly = c.addon_rate
        addon = hourly is not None
        covered = 0
        if purchases and not addon:
            for _ in range(billable):
                for k, p in enumerate(purchases):
                    if p.start <= e.worked_on <= p.expires and left[k] > 0:
                        left[k] -= 1
                        covered += 1
                        break
        # The rate in the unit the contract states it, and the minutes in that unit.
        if addon:
            charged, rate, per = billable, rate_on(hourly, e.worked_on), 60
        elif isinstance(c, BankContract):
            charged, rate, per = billable - covered, rate_on(c.overage_rate, e.worked_on), 60
        elif isinstance(c, PerMinuteContract):
            charged, rate, per = billable, rate_on(c.rate, e.worked_on), 1
        else:
            charged, rate, per = 0, Fraction(0), 1
        if e.worked_on >= month.first:
            valid = [k for k, p in enumerate(purchases) if p.start <= e.worked_on <= p.expires]
            lines.append(
                {
                    "type": "addon" if addon else c.type,
                    "ticket": e.ticket.ref,
                    "agent": e.agent,
                    "day": e.worked_on,
                    "minutes": e.minutes,
                    "billable": billable,
                    "covered": covered,
                    "units": charged,
                    "rate": rate if charged else 0,
                    "amount": half_up(charged * rate / per, digits),
                    "left": sum(left[k] for k in valid) if purchases else None,
                    "addon": addon,
                }
            )
    incidents = []
    if isinstance(c, PerIncidentContract):
        tickets = {e.ticket for e in case.entries}
        for t in sorted(tickets, key=lambda t: (t.resolved_on or date.max, t.ref)):
            if t.resolved_on is None or not month.first <= t.resolved_on <= month.last:
                continue
            if t.addon_rate is not None or (t.paid_request and c.addon_rate is not None):
                continue
            total = sum(
                0 if e.waived else math.ceil(Fraction(e.minutes, c.increment)) * c.increment
                for e in case.entries
                if e.ticket == t
            )
            units = math.ceil(Fraction(total, c.block))
            incidents.append(
                {
                    "ticket": t.ref,
                    "day": t.resolved_on,
                    "minutes": total,
                    "units": units,
                    "price": rate_on(c.price, t.resolved_on),
                }
            )
    return lines, incidents, left, purchases


def check(case: Case) -> Statement:
    statement = build_statement("acme", "k", case.contract, case.entries, case.month)
    expected, incidents, left, purchases = model(case)
    digits = currency_digits(case.contract.currency)
    entry_lines = statement.lines[: len(expected)]
    ticket_lines = statement.lines[len(expected) : len(expected) + len(incidents)]
    payment_lines = statement.lines[len(expected) + len(incidents) :]
    for line, want in zip(entry_lines, expected, strict=True):
        got = {
            "type": line.type,
            "ticket": line.ticket,
            "agent": line.agent,
            "day": line.day,
            "minutes": line.minutes,
            "billable": line.billable_minutes,
            "covered": line.covered_minutes,
            "units": line.units,
            "rate": Fraction(line.rate),
            "amount": Fraction(line.amount),
            "left": line.bank_minutes_left,
            "addon": want["addon"],
        }
        assert got == want
        assert line.billable_minutes % case.contract.increment == 0
        if isinstance(case.contract, BankContract) and not want["addon"]:
            assert line.covered_minutes + line.units == line.billable_minutes
            assert line.bank_minutes_left is not None and line.bank_minutes_left >= 0
    assert len(ticket_lines) == len(incidents)
    for line, incident in zip(ticket_lines, incidents, strict=True):
        assert (line.ticket, line.day, line.minutes, line.billable_minutes, line.units) == (
            incident["ticket"],
            incident["day"],
            incident["minutes"],
            incident["minutes"],
            incident["units"],
        )
        assert line.agent == "" and line.amount == line.units * incident["price"]
        assert line.type == "per_incident"
    deposit = getattr(case.contract, "deposit", None)
    paid = sorted(
        (p for p in (deposit.payments if deposit else []) if p.day in case.month), key=lambda p: p.day
    )
    assert [(line.type, line.day, line.amount) for line in payment_lines] == [
        ("payment", p.day, -p.amount) for p in paid
    ]
    assert all(line.units is None and line.rate is None and line.minutes is None for line in payment_lines)
    for line in statement.lines[: len(expected) + len(incidents)]:
        assert line.amount >= 0 and line.amount.as_tuple().exponent == -digits
        assert line.units is not None and (line.rate == 0 or line.units > 0)  # no rate on a free line
    totals = statement.totals
    assert totals.amount == sum(line.amount for line in statement.lines)
    assert totals.amount.as_tuple().exponent == -digits
    assert totals.minutes == sum(line.minutes for line in entry_lines)
    assert totals.billable_minutes == sum(line.billable_minutes for line in entry_lines)
    if isinstance(case.contract, BankContract):
        assert totals.bank is not None
        assert totals.bank.used_minutes == sum(want["covered"] for want in expected)
        assert totals.bank.overage_minutes == sum(want["units"] for want in expected if not want["addon"])
        last = case.month.last
        assert totals.bank.left_minutes == sum(
            n for n, p in zip(left, purchases, strict=True) if p.start <= last <= p.expires
        )
        assert totals.bank.expired_minutes == sum(
            n for n, p in zip(left, purchases, strict=True) if case.month.first <= p.expires <= last
        )
        status = bank_status(case.contract, case.entries, last)
        assert (status.left, status.expiring_on) == (totals.bank.left_minutes, totals.bank.expiring_on)
        assert 0 <= status.left <= status.purchased and status.used >= 0
    else:
        assert totals.bank is None
    if deposit is not None:
        check_deposit(case, statement, expected, incidents)
    else:
        assert totals.deposit is None
    return statement


def check_deposit(case: Case, statement: Statement, expected: list[Any], incidents: list[Any]) -> None:
    """The balance is every payment up to the month's end less every charge up to it, all months."""
    deposit = case.contract.deposit
    last = case.month.last
    before = [*case_lines_before(case)]
    charged_before = sum(before, Fraction(0))
    charged_in = sum((w["amount"] for w in expected), Fraction(0)) + sum(
        (i["units"] * i["price"] for i in incidents), Fraction(0)
    )
    paid_before = sum((Fraction(p.amount) for p in deposit.payments if p.day < case.month.first), Fraction(0))
    paid_in = sum((Fraction(p.amount) for p in deposit.payments if p.day in case.month), Fraction(0))
    totals = statement.totals.deposit
    assert totals is not None
    assert Fraction(totals.opening) == paid_before - charged_before
    assert (Fraction(totals.paid), Fraction(totals.charged)) == (paid_in, charged_in)
    assert Fraction(totals.balance) == paid_before + paid_in - charged_before - charged_in
    assert totals.balance == totals.opening + totals.paid - totals.charged
    assert statement.totals.amount == totals.charged - totals.paid  # the lines: charges, payments negated
    assert last >= case.month.first


def case_lines_before(case: Case) -> list[Fraction]:
    """Charges of the months before the case's month, from the model run on each of them."""
    amounts: list[Fraction] = []
    month = Month(2026, 9)  # entries and payments start in September at the earliest
    while month < case.month:
        lines, incidents, _, _ = model(Case(case.contract, case.entries, month))
        amounts += [w["amount"] for w in lines] + [i["units"] * i["price"] for i in incidents]
        month = Month(month.year + month.month // 12, month.month % 12 + 1)
    return amounts


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases("bank"))
def test_bank_statements(case: Case) -> None:
    check(case)


@settings(max_examples=200, deadline=None)
@given(cases("per_incident"))
def test_per_incident_statements(case: Case) -> None:
    check(case)


@settings(max_examples=150, deadline=None)
@given(st.one_of(cases("per_minute"), cases("included")))
def test_per_minute_and_included_statements(case: Case) -> None:
    check(case)


@settings(max_examples=100, deadline=None)
@given(st.one_of(cases("bank"), cases("per_incident"), cases("per_minute"), cases("included")))
def test_csv_and_json_carry_the_same_lines(case: Case) -> None:
    statement = check(case)
    parsed = list(csv.reader(io.StringIO(to_csv(statement), newline="")))
    assert tuple(parsed[0]) == CSV_HEADER and len(parsed) == len(statement.lines) + 1
    document = json.loads(json.dumps(as_json(statement)))
    assert document["month"] == str(case.month) and len(document["lines"]) == len(statement.lines)
    digits = currency_digits(statement.currency)
    for row, line in zip(parsed[1:], document["lines"], strict=True):
        assert list(line) == list(CSV_HEADER)
        as_text = {
            k: "" if v is None else str(v).lower() if isinstance(v, bool) else str(v) for k, v in line.items()
        }
        assert dict(zip(CSV_HEADER, row, strict=True)) == as_text
        for column in ("rate", "amount"):
            if line[column] is not None or line["type"] != "payment":  # a payment has no rate
                assert len(line[column].partition(".")[2]) == digits


# How the README says to check a line: the line's `type` names the unit of its `rate`.
MINUTES_PER_RATE_UNIT = {"per_minute": 1, "bank": 60, "addon": 60, "per_incident": 1, "included": 1}


def contract_price(c: Any, kind: str, day: date, ticket: Ticket) -> Fraction:
    """The price the contract (or the ticket's add-on) states for a line of `kind` in force on `day`,
    in the contract's own unit."""
    return rate_on(
        {
            "per_minute": lambda: c.rate,
            "bank": lambda: c.overage_rate,
            "addon": lambda: ticket.addon_rate if ticket.addon_rate is not None else c.addon_rate,
            "per_incident": lambda: c.price,
        }[kind](),
        day,
    )


@seed(17)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(cases("bank"), cases("per_incident"), cases("per_minute"), cases("included")))
def test_every_line_is_recomputed_from_its_own_columns(case: Case) -> None:
    """An accountant's check, from the CSV's text alone: per-minute and per-incident lines are units ×
    rate, per-hour lines (a bank's overage, paid requests) units × rate / 60, each rounded half-up once;
    and each rate is the contract's own price in the unit the contract states it."""
    statement = build_statement("acme", "k", case.contract, case.entries, case.month)
    digits = currency_digits(case.contract.currency)
    rows = list(csv.DictReader(io.StringIO(to_csv(statement), newline="")))
    assert len(rows) == len(statement.lines)
    tickets = {e.ticket.ref: e.ticket for e in case.entries}
    deposit = getattr(case.contract, "deposit", None)
    payments = deposit.payments if deposit is not None else []
    for row in rows:
        if row["type"] == "payment":  # a payment into the deposit: its amount negated, nothing else
            assert (row["minutes"], row["billable_minutes"], row["units"], row["rate"]) == ("", "", "", "")
            assert row["bank_minutes_left"] == "" and row["ticket"] == "" and row["agent"] == ""
            day, amount = date.fromisoformat(row["date"]), -Fraction(row["amount"])
            assert any(p.day == day and Fraction(p.amount) == amount for p in payments), row
            continue
        units, rate, amount = int(row["units"]), Fraction(row["rate"]), Fraction(row["amount"])
        assert amount == half_up(units * rate / MINUTES_PER_RATE_UNIT[row["type"]], digits), row
        assert 0 <= units <= int(row["billable_minutes"]) or row["agent"] == "", row
        if units == 0:
            assert rate == 0 and amount == 0, row
            continue
        assert row["type"] in ("addon", case.contract.type), row
        day = date.fromisoformat(row["date"])
        assert rate == contract_price(case.contract, row["type"], day, tickets[row["ticket"]]), row
        if row["type"] in ("per_minute", "addon"):
            assert units == int(row["billable_minutes"]), row
        if row["type"] == "per_incident":
            assert row["agent"] == "", row  # incidents are charged on ticket lines only
