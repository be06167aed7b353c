"""Prepaid deposits: the balance on a date, blocking below the minimum, and which alerts are due.

The balance is every payment dated up to the day less every charge dated up to it (a statement line's
amount: an entry on the day worked, an incident on the day resolved), so it is a pure function of the
policy and the entries, like a bank of hours. Alerts are levels of the last payment: when the balance is
below a level, that alert is due once for that payment; the caller stores what it sent (one row per
alert), so a restart, a second replica or the next charge sends nothing twice, and a new payment brings
new levels to cross.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.policy.contracts import Deposit, Payment

MINIMUM = "minimum"  # the alert (to the account manager) when the balance first falls below the minimum


@dataclass(frozen=True)
class Level:
    """One alert: `what` is a percentage of the last payment, or MINIMUM; below `amount` it is due."""

    what: str
    amount: Decimal


@dataclass(frozen=True)
class DepositStatus:
    on: date
    paid: Decimal  # payments dated up to `on`
    charged: Decimal  # charges dated up to `on`
    minimum: Decimal
    last_payment: Payment | None  # the latest payment up to `on` (the later one in the file on a tie)
    alert_at: tuple[int, ...]

    @property
    def balance(self) -> Decimal:
        return self.paid - self.charged

    @property
    def blocked(self) -> bool:
        """Below the minimum, the customer's key users cannot raise tickets."""
        return self.balance < self.minimum

    @property
    def levels(self) -> tuple[Level, ...]:
        """The alert levels in force: each `alert_at` percentage of the last payment, and the minimum."""
        found = [Level(MINIMUM, self.minimum)]  # with no minimum: told once it is overdrawn
        if self.last_payment is not None:
            found += [Level(str(p), self.last_payment.amount * p / 100) for p in self.alert_at]
        return tuple(found)

    @property
    def payment_key(self) -> str:
        """Names the last payment, so each payment's alerts are sent once: `2026-11-02/500.00`."""
        last = self.last_payment
        return f"{last.day.isoformat()}/{last.amount}" if last is not None else "none"

    def below(self) -> tuple[Level, ...]:
        """The levels the balance is below now (each alert is due once per payment)."""
        return tuple(level for level in self.levels if self.balance < level.amount)


def last_payment(deposit: Deposit, on: date) -> Payment | None:
    made = [(p.day, index, p) for index, p in enumerate(deposit.payments) if p.day <= on]
    return max(made, key=lambda item: (item[0], item[1]))[2] if made else None


def deposit_status(deposit: Deposit, charges: Iterable[tuple[date, Decimal]], on: date) -> DepositStatus:
    """The deposit on `on`, from the charges as (date, amount) pairs; later ones are ignored."""
    paid = sum((p.amount for p in deposit.payments if p.day <= on), Decimal(0))
    charged = sum((amount for day, amount in charges if day <= on), Decimal(0))
    return DepositStatus(
        on, paid, charged, deposit.minimum, last_payment(deposit, on), tuple(deposit.alert_at)
    )


def due_alerts(status: DepositStatus, sent: Collection[str]) -> tuple[Level, ...]:
    """The alerts to send now: levels the balance is below whose `what` was not yet sent for the
    last payment (`sent` holds the `what` of those already sent for it)."""
    return tuple(level for level in status.below() if level.what not in sent)
