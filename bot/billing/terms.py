"""A contract's terms in plain words, for key users: what paid work costs, and what the contract is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.billing.money import format_money
from bot.durations import format_duration
from bot.policy.addons import Addon
from bot.policy.contracts import (
    BankContract,
    Contract,
    IncludedContract,
    PerIncidentContract,
    PerMinuteContract,
    Price,
    prices_of,
)


@dataclass(frozen=True)
class PaidWork:
    possible: bool  # False: the contract has no way to bill it; the key user must ask someone first
    text: str


def _minutes(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def format_price(price: Price, currency: str, unit: str = "") -> str:
    """`$2.50 a minute`, or for prices that change: `$120.00 an hour (from 1 Jan 2027: $135.00)`; the
    first listed amount also applies before its date."""
    (_, first), *later = prices_of(price)
    text = f"{format_money(first, currency)}{unit}"
    if later:
        changes = "; ".join(
            f"from {day.day} {day:%b %Y}: {format_money(amount, currency)}" for day, amount in later if day
        )
        text += f" ({changes})"
    return text


def paid_work(contract: Contract, ask: str) -> PaidWork:
    """How out-of-scope work would be billed under `contract`; `ask` names whom to ask when it cannot be."""
    if contract.addon_rate is not None:
        rounding = (
            f", each entry rounded up to {_minutes(contract.increment)}" if contract.increment > 1 else ""
        )
        rate = format_price(contract.addon_rate, contract.currency, " an hour")
        return PaidWork(True, f"Paid requests are billed at {rate} of support time{rounding}.")
    if isinstance(contract, BankContract):
        return PaidWork(True, "Paid requests are debited from your bank of hours like other support time.")
    if isinstance(contract, PerIncidentContract):
        price = format_price(contract.price, contract.currency, f" per started {_minutes(contract.block)}")
        return PaidWork(True, f"Paid requests are billed per incident: {price}.")
    if isinstance(contract, PerMinuteContract):
        rate = format_price(contract.rate, contract.currency, " a minute per agent")
        return PaidWork(True, f"Paid requests are billed at {rate}.")
    return PaidWork(
        False,
        "Your contract does not include paid work, so this cannot be raised as a paid request. "
        f"Please ask {ask} to arrange it first.",
    )


def describe(contract: Contract) -> str:
    """One line: what the contract is."""
    if isinstance(contract, BankContract):
        hours = sum(p.hours for p in contract.purchases)
        rate = format_price(contract.overage_rate, contract.currency, " an hour")
        after = "then refused until topped up" if contract.on_empty == "block" else f"then {rate}"
        return f"Bank of hours: {hours:g} hours bought, support time debited from it, {after}."
    if isinstance(contract, PerIncidentContract):
        block = _minutes(contract.block)
        price = format_price(contract.price, contract.currency, f" for each started {block} of a ticket")
        return f"Per incident: {price}, charged when it is resolved{_deposit(contract)}."
    if isinstance(contract, PerMinuteContract):
        rate = format_price(contract.rate, contract.currency, " a minute per agent")
        return f"Per minute: {rate}{_deposit(contract)}."
    if isinstance(contract, IncludedContract) and contract.addon_rate is None:
        return "Included: support time is recorded and reported, never charged."
    return "Included: support time is recorded, never charged; paid requests are billed separately."


def _deposit(contract: PerIncidentContract | PerMinuteContract) -> str:
    if contract.deposit is None:
        return ""
    minimum = contract.deposit.minimum
    kept = f", kept above {format_money(minimum, contract.currency)}" if minimum > 0 else ""
    return f", paid from a prepaid deposit{kept}"


def addon_words(addon: Addon, currency: str) -> str:
    """`Covered by your System maintenance add-on`, or with a rate, how it is billed."""
    if addon.rate is None:
        return f"Covered by your {addon.label} add-on."
    rate = format_price(addon.rate, currency, " an hour")
    return f"Covered by your {addon.label} add-on, billed at {rate} of support time."
