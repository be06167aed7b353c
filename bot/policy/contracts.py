"""Support contracts in the policy file: how a customer's recorded time is charged.

A discriminated union on `type`: `included` (recorded, never charged), `bank` (pre-purchased hours),
`per_incident` (one price per started `block` of a ticket's time) and `per_minute` (each agent's
minutes). Any type may set `addon_rate`, the hourly price of paid (out-of-scope) requests.

Money is written as a quoted string (`"2.50"`) and read as a Decimal: YAML reads an unquoted `2.50`
as a float, which cannot hold every amount of cents, so unquoted numbers are refused. Amounts may not
have more decimals than the currency has (no `"2.505"` in EUR), which keeps every rate and price
printable exactly in statements. Durations (`increment`, `block`) are whole minutes.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from bot.billing.money import currency_digits, is_currency
from bot.durations import parse_duration
from bot.policy.base import Strict


def _money(value: Any) -> Decimal:
    if not isinstance(value, str):
        raise ValueError(
            f'write money as a quoted string, like "2.50": YAML reads the unquoted {value!r} as a number, '
            "and floats lose cents"
        )
    try:
        amount = Decimal(value.strip())
    except InvalidOperation as exc:
        raise ValueError(f'{value!r} is not an amount of money such as "2400.00"') from exc
    if not amount.is_finite() or amount < 0:
        raise ValueError(f'{value!r} is not an amount of money such as "2400.00"')
    return amount


def _fits_currency(amount: Decimal, info: ValidationInfo) -> Decimal:
    currency = info.data.get("currency")  # validated before the money fields; absent if it was wrong
    if currency is not None:
        check_digits(amount, currency)
    return amount


def check_digits(amount: Decimal, currency: str) -> None:
    digits = currency_digits(currency)
    if amount != amount.quantize(Decimal(1).scaleb(-digits)):
        raise ValueError(f"{amount} has more decimals than {currency} has ({digits})")


Money = Annotated[Decimal, BeforeValidator(_money), AfterValidator(_fits_currency)]


def _currency(value: Any) -> str:
    text = str(value).strip()
    if not is_currency(text):
        hint = f"; write it in capitals: {text.upper()}" if is_currency(text.upper()) else ""
        raise ValueError(f"{text!r} is not an ISO 4217 currency code such as EUR or USD{hint}")
    return text


Currency = Annotated[str, BeforeValidator(_currency)]


def _minutes(value: Any) -> int:
    duration = value if isinstance(value, timedelta) else parse_duration(str(value))
    if duration % timedelta(minutes=1):
        raise ValueError(f"{value!r} is not a whole number of minutes")
    return duration // timedelta(minutes=1)


Minutes = Annotated[int, BeforeValidator(_minutes)]
"""A duration written like `15m` or `2h`, kept as whole minutes for the arithmetic."""


class Purchase(Strict):
    """Hours bought for a bank, usable from `from` to `expires`, both days included."""

    hours: Decimal
    start: date = Field(alias="from")
    expires: date
    price: Money | None = None  # for the record; the arithmetic meters minutes, not money paid

    @field_validator("hours", mode="before")
    @classmethod
    def _whole_minutes(cls, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(f"{value!r} is not a number of hours")
        try:
            hours = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"{value!r} is not a number of hours") from exc
        if not hours.is_finite() or hours <= 0 or (hours * 60) % 1:
            raise ValueError(f"{value!r} is not a positive number of hours in whole minutes, like 20 or 7.5")
        return hours

    @model_validator(mode="after")
    def _forward(self) -> Purchase:
        if self.expires < self.start:
            raise ValueError(f"expires {self.expires} is before from {self.start}")
        return self

    @property
    def minutes(self) -> int:
        return int(self.hours * 60)

    def valid_on(self, day: date) -> bool:
        return self.start <= day <= self.expires


class _Terms(Strict):
    """What every type shares; `currency` comes first so the money validators can read it."""

    currency: Currency
    increment: Minutes = 1  # each entry is rounded up to a multiple of this
    addon_rate: Money | None = None  # per hour, for paid requests


class IncludedContract(_Terms):
    type: Literal["included"] = "included"
    currency: Currency = "USD"  # only used to price paid requests at addon_rate


class BankContract(_Terms):
    type: Literal["bank"]
    purchases: list[Purchase] = Field(min_length=1)
    on_empty: Literal["overage", "block"] = "overage"
    # Per hour. Required even with on_empty: block, which logs the entry that empties the bank and
    # bills what it runs past zero.
    overage_rate: Money
    alert_at: list[int] = Field(default_factory=lambda: [80, 100])

    @field_validator("purchases")
    @classmethod
    def _prices_fit(cls, purchases: list[Purchase], info: ValidationInfo) -> list[Purchase]:
        currency = info.data.get("currency")
        for index, purchase in enumerate(purchases):
            if currency is not None and purchase.price is not None:
                try:
                    check_digits(purchase.price, currency)
                except ValueError as exc:
                    raise ValueError(f"purchase {index + 1}: price {exc}") from exc
        return purchases

    @field_validator("alert_at")
    @classmethod
    def _percentages(cls, value: list[int]) -> list[int]:
        if any(not 1 <= percent <= 100 for percent in value):
            raise ValueError("alert_at lists percentages of the bank used, from 1 to 100")
        if len(set(value)) != len(value):
            raise ValueError("alert_at names a percentage twice")
        return sorted(value)


class PerIncidentContract(_Terms):
    type: Literal["per_incident"]
    block: Minutes = 120  # a ticket's time is charged per started block
    price: Money  # per block


class PerMinuteContract(_Terms):
    type: Literal["per_minute"]
    rate: Money  # per minute, per agent


def _contract_type(value: Any) -> str | None:
    return value.get("type") if isinstance(value, dict) else getattr(value, "type", None)


Contract = Annotated[
    Annotated[IncludedContract, Tag("included")]
    | Annotated[BankContract, Tag("bank")]
    | Annotated[PerIncidentContract, Tag("per_incident")]
    | Annotated[PerMinuteContract, Tag("per_minute")],
    Discriminator(
        _contract_type,  # a callable, so a wrong or missing type gets a message saying what to write
        custom_error_type="contract_type",
        custom_error_message="type must be one of included, bank, per_incident, per_minute",
    ),
]
ContractType = Literal["included", "bank", "per_incident", "per_minute"]
INCLUDED = IncludedContract()
"""The contract of a customer that names none: time is recorded and reported, never charged."""
