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
- `payment` (a contract with a deposit): one line per payment dated in the month, after the charges:
  `date` the payment's date, `amount` the payment negated, `minutes`, `billable_minutes`, `units` and
  `rate` empty. The JSON's `totals.deposit` carries the balance.

Each `rate` is the price in force on the line's date (the day worked; for a ticket line, the day
resolved) when the contract lists prices from dates. A ticket a premium add-on with a `rate` covers is
an `addon` line at the add-on's rate, like a paid request.

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

from bot.billing.bank import Ledger, addon_rate, priced_as_addon
from bot.billing.deposit import DepositStatus, deposit_status
from bot.billing.money import per_hour, quantize
from bot.billing.worktime import Ticket, TimeEntry, billable_minutes, round_up, statement_order
from bot.policy.contracts import (
    BankContract,
    Contract,
    Deposit,
    Payment,
    PerIncidentContract,
    PerMinuteContract,
    price_on,
)
from bot.policy.model import Policy

ZERO = Decimal(0)
ADDON = "addon"  # a line's type for a paid request priced at the contract's addon_rate, per hour
PAYMENT = "payment"  # a line's type for a payment into a deposit: its amount negated, no units or rate
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

    type: str  # how the line is priced: the contract's type, `addon` for a paid request, or `payment`
    ticket: str
    priority: str
    agent: str  # empty on a per-incident ticket line and on a payment
    day: date  # the date worked; for a ticket line, the date resolved; for a payment, the date paid
    minutes: int | None  # None (an empty column) on a payment, as are the next three
    billable_minutes: int | None
    units: int | None
    rate: Decimal | None
    amount: Decimal  # a payment's is the payment negated
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
    deposit: DepositTotals | None = None


@dataclass(frozen=True)
class DepositTotals:
    """Money: the deposit's balance before the month, paid and charged in it, and after it."""

    opening: Decimal
    paid: Decimal
    charged: Decimal
    balance: Decimal
    minimum: Decimal


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
    """The statement of `month` from all of the customer's entries (earlier months' too, for the bank
    and the deposit).

    `tickets` adds per-incident tickets with no time recorded (a line of 0 units); tickets are also
    read from the entries. Raises ValueError when one ticket ref comes with different details.
    """
    entries = list(entries)
    ledger = Ledger(contract) if isinstance(contract, BankContract) else None
    every_line = _charge_lines(contract, entries, tickets, month.last, ledger)
    lines = [line for line in every_line if line.day in month and line.agent]
    entry_lines = len(lines)
    lines += [line for line in every_line if line.day in month and not line.agent]
    overage = sum(line.units or 0 for line in lines[:entry_lines] if line.type != ADDON)
    deposit = getattr(contract, "deposit", None)
    if deposit is not None:
        lines += [_payment_line(p) for p in sorted(deposit.payments, key=lambda p: p.day) if p.day in month]
    totals = Totals(
        minutes=sum(line.minutes or 0 for line in lines[:entry_lines]),
        billable_minutes=sum(line.billable_minutes or 0 for line in lines[:entry_lines]),
        amount=quantize(sum((line.amount for line in lines), ZERO), contract.currency),
        bank=_bank_totals(ledger, month, lines[:entry_lines], overage) if ledger else None,
        deposit=_deposit_totals(deposit, every_line, month) if deposit is not None else None,
    )
    return Statement(customer, contract_key, contract.type, contract.currency, month, tuple(lines), totals)


def charges(
    contract: Contract, entries: Iterable[TimeEntry], until: date, tickets: Iterable[Ticket] = ()
) -> list[tuple[date, Decimal]]:
    """Every amount charged up to `until`, as (date, amount) in statement order: what a deposit pays."""
    ledger = Ledger(contract) if isinstance(contract, BankContract) else None
    return [
        (line.day, line.amount) for line in _charge_lines(contract, list(entries), tickets, until, ledger)
    ]


def deposit_now(
    contract: Contract, entries: Iterable[TimeEntry], on: date, tickets: Iterable[Ticket] = ()
) -> DepositStatus | None:
    """The contract's deposit on `on`, or None when it holds none."""
    deposit = getattr(contract, "deposit", None)
    if deposit is None:
        return None
    return deposit_status(deposit, charges(contract, entries, on, tickets), on)


def _charge_lines(
    contract: Contract,
    entries: list[TimeEntry],
    tickets: Iterable[Ticket],
    until: date,
    ledger: Ledger | None,
) -> list[StatementLine]:
    """The lines of every entry worked and every per-incident ticket resolved up to `until`: entries in
    statement order (debiting `ledger`), then ticket lines by date resolved."""
    known = _tickets(entries, tickets)
    lines = [
        _entry_line(contract, e, ledger) for e in statement_order(e for e in entries if e.worked_on <= until)
    ]
    if isinstance(contract, PerIncidentContract):
        resolved = [t for t in known.values() if t.resolved_on is not None and t.resolved_on <= until]
        for ticket in sorted(resolved, key=lambda t: (t.resolved_on, t.ref)):
            if not priced_as_addon(ticket, contract):
                lines.append(_incident_line(contract, ticket, entries))
    return lines


def _payment_line(payment: Payment) -> StatementLine:
    return StatementLine(
        type=PAYMENT,
        ticket="",
        priority="",
        agent="",
        day=payment.day,
        minutes=None,
        billable_minutes=None,
        units=None,
        rate=None,
        amount=-payment.amount,
        waived=False,
        waiver_reason="",
        bank_minutes_left=None,
    )


def _deposit_totals(deposit: Deposit, lines: list[StatementLine], month: Month) -> DepositTotals:
    charged = [(line.day, line.amount) for line in lines]
    before = deposit_status(deposit, charged, month.first - timedelta(days=1))
    after = deposit_status(deposit, charged, month.last)
    return DepositTotals(
        opening=before.balance,
        paid=after.paid - before.paid,
        charged=after.charged - before.charged,
        balance=after.balance,
        minimum=deposit.minimum,
    )


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
    hourly = addon_rate(entry.ticket, contract)
    day = entry.worked_on
    if hourly is not None:
        kind, units, rate = ADDON, billable, price_on(hourly, day)
    elif isinstance(contract, BankContract) and ledger is not None:
        covered = ledger.debit(day, billable)
        units, rate = billable - covered, price_on(contract.overage_rate, day)
    elif isinstance(contract, PerMinuteContract):
        units, rate = billable, price_on(contract.rate, day)
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
    rate = price_on(contract.price, ticket.resolved_on) if units else ZERO
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
