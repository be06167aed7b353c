"""Banks of hours: debiting entries from purchases, the balance on a date, alerts and blocking.

Entries are debited in statement order (date worked, then when logged) from the purchases valid on
the date worked (`from` ≤ date ≤ `expires`), oldest first (by `from`, then by expiry), so the hours
bought first are used first. What no valid purchase covers is overage. Because the ledger is always
replayed from every entry, a bank's state is a pure function of the policy and the entries.

Blocking (`on_empty: block`) refuses an entry only when nothing is left valid on its date: the entry
that empties the bank is logged, and the minutes it runs past zero are billed as overage. Refusing
it would lose the record of work already done, and splitting it would leave half the work unlogged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from bot.billing.worktime import Ticket, TimeEntry, billable_minutes, statement_order
from bot.policy.contracts import BankContract, Contract, Price


def priced_as_addon(ticket: Ticket, contract: Contract) -> bool:
    """A paid request on a contract with an addon_rate, or a ticket a premium add-on with a rate covers,
    is priced by the hour, outside the contract.

    Without an addon_rate (the intake refuses such requests; this is the defensive path) the entry
    falls back to the contract's own terms: included time is free, bank time is debited.
    """
    return addon_rate(ticket, contract) is not None


def addon_rate(ticket: Ticket, contract: Contract) -> Price | None:
    """The hourly rate a ticket's time is charged at outside the contract: its add-on's, else, for a
    paid request, the contract's addon_rate; None when the contract's own terms apply."""
    if ticket.addon_rate is not None:
        return ticket.addon_rate
    return contract.addon_rate if ticket.paid_request else None


class Ledger:
    """Minutes left in each purchase of one bank, debited entry by entry."""

    def __init__(self, contract: BankContract) -> None:
        self.contract = contract
        self.purchases = sorted(contract.purchases, key=lambda p: (p.start, p.expires))
        self.left = [purchase.minutes for purchase in self.purchases]

    def _valid(self, day: date) -> list[int]:
        return [index for index, purchase in enumerate(self.purchases) if purchase.valid_on(day)]

    def debit(self, day: date, minutes: int) -> int:
        """Take up to `minutes` from the purchases valid on `day`; returns the minutes covered."""
        wanted = minutes
        for index in self._valid(day):
            taken = min(wanted, self.left[index])
            self.left[index] -= taken
            wanted -= taken
        return minutes - wanted

    def apply(self, entry: TimeEntry) -> int:
        """Debit one entry as the statement does; returns the minutes the bank covered."""
        if priced_as_addon(entry.ticket, self.contract):
            return 0
        return self.debit(entry.worked_on, billable_minutes(entry, self.contract.increment))

    def balance(self, day: date) -> int:
        return sum(self.left[index] for index in self._valid(day))

    def status(self, day: date) -> BankStatus:
        valid = self._valid(day)
        purchased = sum(self.purchases[index].minutes for index in valid)
        left = sum(self.left[index] for index in valid)
        remaining = [index for index in valid if self.left[index]]
        soonest = min((self.purchases[index].expires for index in remaining), default=None)
        expiring = sum(self.left[index] for index in remaining if self.purchases[index].expires == soonest)
        return BankStatus(day, purchased, purchased - left, left, expiring, soonest)

    def lapsed(self, first: date, last: date) -> int:
        """Minutes of purchases that expired between the two days (both included) without being used.

        Exact once every entry up to `last` is applied: nothing is debited after a purchase expires.
        """
        return sum(
            left
            for purchase, left in zip(self.purchases, self.left, strict=True)
            if first <= purchase.expires <= last
        )


def replay(contract: BankContract, entries: Iterable[TimeEntry], until: date | None = None) -> Ledger:
    """The ledger after every entry worked on or before `until` (every entry when None)."""
    ledger = Ledger(contract)
    for entry in statement_order(entries):
        if until is None or entry.worked_on <= until:
            ledger.apply(entry)
    return ledger


@dataclass(frozen=True)
class BankStatus:
    """A bank on one day, counting only the purchases valid that day. Minutes throughout."""

    on: date
    purchased: int
    used: int
    left: int
    expiring: int  # of `left`, the minutes whose purchase expires soonest
    expiring_on: date | None  # None when nothing is left

    @property
    def used_percent(self) -> Fraction:
        """Exact, so a threshold of 80 % is crossed at 80 % and not at 79.999…; an empty bank is 100 %."""
        return Fraction(self.used * 100, self.purchased) if self.purchased else Fraction(100)


def bank_status(contract: BankContract, entries: Iterable[TimeEntry], on: date) -> BankStatus:
    """The bank on `on`, from the entries worked up to that day (later ones are ignored)."""
    return replay(contract, entries, until=on).status(on)


def crossed_thresholds(before: BankStatus, after: BankStatus, alert_at: Sequence[int]) -> tuple[int, ...]:
    """The `alert_at` percentages that usage reached between the two statuses, lowest first.

    A threshold is crossed when usage was below it before and is at or above it after, so an entry
    that jumps from 70 % to 96 % crosses 80 and 95 at once: the caller sends one message per crossing,
    and entries that stay above a threshold send nothing. A new purchase lowers usage, so the same
    threshold can be crossed again later, on the new hours.
    """
    return tuple(
        percent for percent in sorted(alert_at) if before.used_percent < percent <= after.used_percent
    )


def thresholds_crossed_by(
    contract: BankContract, entries: Sequence[TimeEntry], new: TimeEntry, on: date
) -> tuple[int, ...]:
    """Which of the contract's `alert_at` thresholds logging `new` crosses, as the bank stands on `on`.

    `entries` are the customer's entries without `new`; `on` is today in the billing timezone.
    """
    before = bank_status(contract, entries, on)
    after = bank_status(contract, [*entries, new], on)
    return crossed_thresholds(before, after, contract.alert_at)


@dataclass(frozen=True)
class LogVerdict:
    allowed: bool
    bank: BankStatus | None  # the bank on the entry's date before it, for the message; None if no bank


def may_log(contract: Contract, entries: Iterable[TimeEntry], new: TimeEntry) -> LogVerdict:
    """Whether `new` may be logged: only a blocking bank with nothing left valid on its date refuses.

    Every recorded entry counts, including ones worked after `new` (they already used the hours).
    Waived entries and paid requests priced at the addon rate never touch the bank, so they pass.
    """
    if not isinstance(contract, BankContract):
        return LogVerdict(allowed=True, bank=None)
    status = replay(contract, entries).status(new.worked_on)
    debits = not new.waived and not priced_as_addon(new.ticket, contract)
    refused = contract.on_empty == "block" and debits and status.left == 0
    return LogVerdict(allowed=not refused, bank=status)
