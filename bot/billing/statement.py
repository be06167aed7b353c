"""A customer's monthly statement: one line per time entry worked in the month, then, for per-incident
contracts, one line per ticket resolved in the month.

Every line can be checked by its own columns: `rate` is the contract's price in the unit the contract
states it, and the line's `type` says which unit that is. `units` are what the line charges:

- `per_minute`: `units` = billable minutes, `rate` per minute: `amount = units × rate`.
- `bank`: `units` = the overage minutes (what the bank did not cover), `rate` = overage_rate per hour:
  `amount = units × rate / 60`. `bank_minutes_left` is the balance valid on the date worked, after the line.
- `addon` (a paid request, on any contract with an addon_rate): `units` = billable minutes, `rate` =
  addon_rate per hour: `amount = units × rate / 60`; it is not debited from a bank and has no incident line.
- `per_incident`: entry lines charge nothing; a ticket line (`agent` empty) has `minutes` =
  `billable_minutes` = the ticket's billable minutes over its whole life, `units` = ceil(minutes / block)
  incidents and `rate` = the price of one: `amount = units × rate`.
- `included`: nothing charged.

A line that charges nothing has `units` 0 and `rate` 0. Amounts are rounded half-up to the currency's
minor unit on each line (only the per-hour division can need it: rates fit the currency's decimals);
totals are the sums of the rounded lines. A line's `type` is its contract's type except on paid
requests (`addon`): otherwise a per-minute contract's add-on lines would read as per-minute prices.

A bank is replayed from every entry up to the month's end, so time worked in earlier months has
already used its hours; entries worked after the month are ignored, so a statement can be made late.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from bot.billing.bank import Ledger, priced_as_addon
from bot.billing.money import per_hour, quantize
from bot.billing.worktime import Ticket, TimeEntry, billable_minutes, round_up, statement_order
from bot.policy.contracts import BankContract, Contract, PerIncidentContract, PerMinuteContract
from bot.policy.model import Policy

ZERO = Decimal(0)
ADDON = "addon"  # a line's type for a paid request priced at the contract's addon_rate, per hour
PER_HOUR = frozenset({"bank", ADDON})  # line types whose rate is per hour; the others' is per unit


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"{self.month} is not a month (1-12)")

    @classmethod
    def parse(cls, text: str) -> Month:
        """`2026-11`."""
        year, _, month = text.strip().partition("-")
        if not (year.isdigit() and month.isdigit() and len(year) == 4):
            raise ValueError(f"{text!r} is not a month; write it like 2026-11")
        return cls(int(year), int(month))

    @property
    def first(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def last(self) -> date:
        return (self.first + timedelta(days=31)).replace(day=1) - timedelta(days=1)

    @property
    def after(self) -> date:
        """The first day after the month: the first day its statement can be issued."""
        return self.last + timedelta(days=1)

    def ended_by(self, today: date) -> bool:
        """Whether the month is over on `today` (a date where the customer's support runs)."""
        return today > self.last

    def __contains__(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Withdrawal:
    """An issued statement of a month that was later withdrawn; the month's next issue replaces it."""

    issued_at: datetime
    issued_by: str
    withdrawn_at: datetime
    withdrawn_by: str
    reason: str = ""


@dataclass(frozen=True)
class StatementLine:
    """One CSV line, less the columns every line shares (customer, contract, currency)."""

    type: str  # how the line is priced: the contract's type, or `addon` for a paid request
    ticket: str
    priority: str
    agent: str  # empty on a per-incident ticket line
    day: date  # the date worked; for a ticket line, the date resolved
    minutes: int
    billable_minutes: int
    units: int
    rate: Decimal
    amount: Decimal
    waived: bool
    waiver_reason: str
    bank_minutes_left: int | None  # None unless the contract is a bank
    covered_minutes: int = 0  # debited from the bank (not a CSV column: billable - units on bank lines)


@dataclass(frozen=True)
class BankTotals:
    """Minutes. `left`, `expiring` and `expiring_on` are as the bank stands on the month's last day."""

    used_minutes: int  # debited from the bank by this month's entries
    overage_minutes: int  # billed past the bank this month
    left_minutes: int
    expiring_minutes: int  # of `left_minutes`, what expires soonest
    expiring_on: date | None
    expired_minutes: int  # lapsed unused this month


@dataclass(frozen=True)
class Totals:
    """Minutes of the entry lines (ticket lines only restate them) and the sum of every line's amount."""

    minutes: int
    billable_minutes: int
    amount: Decimal
    bank: BankTotals | None


@dataclass(frozen=True)
class Statement:
    customer: str
    contract: str  # the contract's key in the policy; empty for the default included contract
    type: str
    currency: str
    month: Month
    lines: tuple[StatementLine, ...]
    totals: Totals


def build_statement(
    customer: str,
    contract_key: str,
    contract: Contract,
    entries: Iterable[TimeEntry],
    month: Month,
    tickets: Iterable[Ticket] = (),
) -> Statement:
    """The statement of `month` from all of the customer's entries (earlier months' too, for the bank).

    `tickets` adds per-incident tickets with no time recorded (a line of 0 units); tickets are also
    read from the entries. Raises ValueError when one ticket ref comes with different details.
    """
    entries = list(entries)
    known = _tickets(entries, tickets)
    ledger = Ledger(contract) if isinstance(contract, BankContract) else None
    lines: list[StatementLine] = []
    overage = 0
    for entry in statement_order(e for e in entries if e.worked_on <= month.last):
        line = _entry_line(contract, entry, ledger)  # earlier months only debit the bank
        if entry.worked_on in month:
            lines.append(line)
            overage += 0 if priced_as_addon(entry.ticket, contract) else line.units
    entry_lines = len(lines)
    if isinstance(contract, PerIncidentContract):
        resolved = [t for t in known.values() if t.resolved_on is not None and t.resolved_on in month]
        for ticket in sorted(resolved, key=lambda t: (t.resolved_on, t.ref)):
            if not priced_as_addon(ticket, contract):
                lines.append(_incident_line(contract, ticket, entries))
    totals = Totals(
        minutes=sum(line.minutes for line in lines[:entry_lines]),
        billable_minutes=sum(line.billable_minutes for line in lines[:entry_lines]),
        amount=quantize(sum((line.amount for line in lines), ZERO), contract.currency),
        bank=_bank_totals(ledger, month, lines[:entry_lines], overage) if ledger else None,
    )
    return Statement(customer, contract_key, contract.type, contract.currency, month, tuple(lines), totals)


def statement_for(
    policy: Policy, customer: str, entries: Iterable[TimeEntry], month: Month, tickets: Iterable[Ticket] = ()
) -> Statement:
    """`build_statement` with the customer's contract looked up in the policy."""
    key = policy.customers[customer].contract or ""
    return build_statement(customer, key, policy.contract_for(customer), entries, month, tickets)


def _tickets(entries: list[TimeEntry], extra: Iterable[Ticket]) -> dict[str, Ticket]:
    known: dict[str, Ticket] = {}
    for ticket in [*(entry.ticket for entry in entries), *extra]:
        if known.setdefault(ticket.ref, ticket) != ticket:
            raise ValueError(
                f"ticket {ticket.ref} comes with different details: {known[ticket.ref]} and {ticket}"
            )
    return known


def _entry_line(contract: Contract, entry: TimeEntry, ledger: Ledger | None) -> StatementLine:
    billable = billable_minutes(entry, contract.increment)
    kind: str = contract.type
    covered, units, rate = 0, 0, ZERO
    if priced_as_addon(entry.ticket, contract):
        kind, units, rate = ADDON, billable, contract.addon_rate or ZERO
    elif isinstance(contract, BankContract) and ledger is not None:
        covered = ledger.debit(entry.worked_on, billable)
        units, rate = billable - covered, contract.overage_rate
    elif isinstance(contract, PerMinuteContract):
        units, rate = billable, contract.rate
    if units == 0:
        rate = ZERO
    return StatementLine(
        type=kind,
        ticket=entry.ticket.ref,
        priority=entry.ticket.priority,
        agent=entry.agent,
        day=entry.worked_on,
        minutes=entry.minutes,
        billable_minutes=billable,
        units=units,
        rate=rate,
        amount=line_amount(kind, units, rate, contract.currency),
        waived=entry.waived,
        waiver_reason=entry.waiver_reason,
        bank_minutes_left=ledger.balance(entry.worked_on) if ledger else None,
        covered_minutes=covered,
    )


def line_amount(kind: str, units: int, rate: Decimal, currency: str) -> Decimal:
    """What a line of `kind` charges for `units` at `rate`, rounded once, half-up (the README's rule)."""
    if kind in PER_HOUR:
        return per_hour(units, rate, currency)
    return quantize(units * rate, currency)


def _incident_line(contract: PerIncidentContract, ticket: Ticket, entries: list[TimeEntry]) -> StatementLine:
    assert ticket.resolved_on is not None
    minutes = sum(billable_minutes(e, contract.increment) for e in entries if e.ticket.ref == ticket.ref)
    units = round_up(minutes, contract.block) // contract.block
    rate = contract.price if units else ZERO
    return StatementLine(
        type=contract.type,
        ticket=ticket.ref,
        priority=ticket.priority,
        agent="",
        day=ticket.resolved_on,
        minutes=minutes,
        billable_minutes=minutes,
        units=units,
        rate=rate,
        amount=line_amount(contract.type, units, rate, contract.currency),
        waived=False,
        waiver_reason="",
        bank_minutes_left=None,
    )


def _bank_totals(ledger: Ledger, month: Month, lines: list[StatementLine], overage: int) -> BankTotals:
    at_end = ledger.status(month.last)
    return BankTotals(
        used_minutes=sum(line.covered_minutes for line in lines),
        overage_minutes=overage,
        left_minutes=at_end.left,
        expiring_minutes=at_end.expiring,
        expiring_on=at_end.expiring_on,
        expired_minutes=ledger.lapsed(month.first, month.last),
    )
