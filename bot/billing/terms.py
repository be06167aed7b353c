"""A contract's terms in plain words, for key users: what paid work costs, and what the contract is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.billing.money import format_money
from bot.durations import format_duration
from bot.policy.contracts import (
    BankContract,
    Contract,
    IncludedContract,
    PerIncidentContract,
    PerMinuteContract,
)


@dataclass(frozen=True)
class PaidWork:
    possible: bool  # False: the contract has no way to bill it; the key user must ask someone first
    text: str


def _minutes(minutes: int) -> str:
    return format_duration(timedelta(minutes=minutes))


def paid_work(contract: Contract, ask: str) -> PaidWork:
    """How out-of-scope work would be billed under `contract`; `ask` names whom to ask when it cannot be."""
    if contract.addon_rate is not None:
        rounding = (
            f", each entry rounded up to {_minutes(contract.increment)}" if contract.increment > 1 else ""
        )
        rate = format_money(contract.addon_rate, contract.currency)
        return PaidWork(True, f"Paid requests are billed at {rate} an hour of support time{rounding}.")
    if isinstance(contract, BankContract):
        return PaidWork(True, "Paid requests are debited from your bank of hours like other support time.")
    if isinstance(contract, PerIncidentContract):
        price = format_money(contract.price, contract.currency)
        return PaidWork(
            True, f"Paid requests are billed per incident: {price} per started {_minutes(contract.block)}."
        )
    if isinstance(contract, PerMinuteContract):
        rate = format_money(contract.rate, contract.currency)
        return PaidWork(True, f"Paid requests are billed at {rate} a minute per agent.")
    return PaidWork(
        False,
        "Your contract does not include paid work, so this cannot be raised as a paid request. "
        f"Please ask {ask} to arrange it first.",
    )


def describe(contract: Contract) -> str:
    """One line: what the contract is."""
    if isinstance(contract, BankContract):
        hours = sum(p.hours for p in contract.purchases)
        rate = format_money(contract.overage_rate, contract.currency)
        after = "then refused until topped up" if contract.on_empty == "block" else f"then {rate} an hour"
        return f"Bank of hours: {hours:g} hours bought, support time debited from it, {after}."
    if isinstance(contract, PerIncidentContract):
        price = format_money(contract.price, contract.currency)
        block = _minutes(contract.block)
        return f"Per incident: {price} for each started {block} of a ticket, charged when it is resolved."
    if isinstance(contract, PerMinuteContract):
        return f"Per minute: {format_money(contract.rate, contract.currency)} a minute per agent."
    if isinstance(contract, IncludedContract) and contract.addon_rate is None:
        return "Included: support time is recorded and reported, never charged."
    return "Included: support time is recorded, never charged; paid requests are billed separately."
