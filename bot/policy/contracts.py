"""Support contracts in the policy file: how a customer's recorded time is charged.

A discriminated union on `type`: `included` (recorded, never charged), `bank` (pre-purchased hours),
`per_incident` (one price per started `block` of a ticket's time) and `per_minute` (each agent's
minutes). Any type may set `addon_rate`, the hourly price of paid (out-of-scope) requests. A
`per_minute` or `per_incident` contract may hold a prepaid money `deposit` that its charges draw down.

Any price or rate may change over time: instead of one amount, a list of `{from, amount}` in force from
each date (`from` dates in order, each once); an amount is charged at the price in force on the day
worked (a per-incident ticket: the day resolved). The first listed amount also applies before its date.

Money is written as a quoted string (`"2.50"`) and read as a Decimal: YAML reads an unquoted `2.50`
as a float, which cannot hold every amount of cents, so unquoted numbers are refused. Amounts may not
have more decimals than the currency has (no `"2.505"` in EUR), which keeps every rate and price
printable exactly in statements. Durations (`increment`, `block`) are whole minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    TypeAdapter,
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


@dataclass(frozen=True)
class PriceList:
    """Amounts in force from dates, oldest first (`from` strictly increasing)."""

    points: tuple[tuple[date, Decimal], ...]

    def on(self, day: date) -> Decimal:
        """The amount in force on `day`; before the first `from`, the first amount."""
        amount = self.points[0][1]
        for start, later in self.points:
            if start <= day:
                amount = later
        return amount


Price = Decimal | PriceList
"""One amount, or amounts in force from dates: use `price_on` to read either."""


def price_on(price: Price, day: date) -> Decimal:
    return price.on(day) if isinstance(price, PriceList) else price


def prices_of(price: Price) -> tuple[tuple[date | None, Decimal], ...]:
    """Every amount with the date it applies from (None: always)."""
    return price.points if isinstance(price, PriceList) else ((None, price),)


class _PricePoint(Strict):
    start: date = Field(alias="from")
    amount: Decimal

    @field_validator("amount", mode="before")
    @classmethod
    def _amount(cls, value: Any) -> Decimal:
        return _money(value)


_POINTS: TypeAdapter[list[_PricePoint]] = TypeAdapter(list[_PricePoint])


def _price(value: Any, info: ValidationInfo) -> Price:
    """A quoted amount, or a list of `{from, amount}` with `from` dates in order, each once."""
    if isinstance(value, Decimal | PriceList):
        return value
    currency = info.data.get("currency")
    if not isinstance(value, list):
        amount = _money(value)
        if currency is not None:
            check_digits(amount, currency)
        return amount
    if not value:
        raise ValueError('list at least one price, like [{from: "2026-01-01", amount: "120.00"}]')
    try:
        points = _POINTS.validate_python(value)
    except ValueError as exc:
        raise ValueError(
            f'each price in the list is {{from: "2026-01-01", amount: "120.00"}}: {_first_error(exc)}'
        ) from exc
    for earlier, later in pairwise(points):
        if later.start <= earlier.start:
            raise ValueError(
                f"the prices' `from` dates must be in order, each once: {later.start} comes after "
                f"{earlier.start}"
            )
    if currency is not None:
        for point in points:
            check_digits(point.amount, currency)
    return PriceList(tuple((point.start, point.amount) for point in points))


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        loc = list(first["loc"])
        where = f"price {int(loc.pop(0)) + 1}" if loc and isinstance(loc[0], int) else "a price"
        where += "".join(f", {part}" for part in loc)
        return f"{where}: {str(first['msg']).removeprefix('Value error, ')}"
    return str(exc)


PriceField = Annotated[Price, PlainValidator(_price)]
"""A contract's price or rate: one amount, or a list of amounts in force from dates."""


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


class Payment(Strict):
    """Money paid into a deposit, counted from its date."""

    day: date = Field(alias="date")
    amount: Decimal

    @field_validator("amount", mode="before")
    @classmethod
    def _positive(cls, value: Any) -> Decimal:
        amount = _money(value)
        if amount <= 0:
            raise ValueError("a payment is more than nothing")
        return amount


class Deposit(Strict):
    """Prepaid money the contract's charges draw down (a per-minute or per-incident contract).

    Below `minimum` the key users cannot raise tickets; `alert_at` are percentages of the last payment
    below which the key users and the account manager are told.
    """

    payments: list[Payment] = Field(default_factory=list)
    minimum: Decimal = Decimal(0)
    alert_at: list[int] = Field(default_factory=list)

    @field_validator("minimum", mode="before")
    @classmethod
    def _minimum(cls, value: Any) -> Decimal:
        return _money(value)

    @field_validator("alert_at")
    @classmethod
    def _percentages(cls, value: list[int]) -> list[int]:
        if any(not 1 <= percent <= 100 for percent in value):
            raise ValueError("alert_at lists percentages of the last payment, from 1 to 100")
        if len(set(value)) != len(value):
            raise ValueError("alert_at names a percentage twice")
        return sorted(value, reverse=True)


def _deposit_fits_currency(deposit: Deposit | None, info: ValidationInfo) -> Deposit | None:
    currency = info.data.get("currency")
    if deposit is None or currency is None:
        return deposit
    try:
        check_digits(deposit.minimum, currency)
    except ValueError as exc:
        raise ValueError(f"minimum {exc}") from exc
    for index, payment in enumerate(deposit.payments):
        try:
            check_digits(payment.amount, currency)
        except ValueError as exc:
            raise ValueError(f"payment {index + 1}: {exc}") from exc
    return deposit


class _Terms(Strict):
    """What every type shares; `currency` comes first so the money validators can read it."""

    currency: Currency
    increment: Minutes = 1  # each entry is rounded up to a multiple of this
    addon_rate: PriceField | None = None  # per hour, for paid requests


class IncludedContract(_Terms):
    type: Literal["included"] = "included"
    currency: Currency = "USD"  # only used to price paid requests at addon_rate


class BankContract(_Terms):
    type: Literal["bank"]
    purchases: list[Purchase] = Field(min_length=1)
    on_empty: Literal["overage", "block"] = "overage"
    # Per hour. Required even with on_empty: block, which logs the entry that empties the bank and
    # bills what it runs past zero.
    overage_rate: PriceField
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
    price: PriceField  # per block
    deposit: Deposit | None = None

    @field_validator("deposit")
    @classmethod
    def _deposit_fits(cls, deposit: Deposit | None, info: ValidationInfo) -> Deposit | None:
        return _deposit_fits_currency(deposit, info)


class PerMinuteContract(_Terms):
    type: Literal["per_minute"]
    rate: PriceField  # per minute, per agent
    deposit: Deposit | None = None

    @field_validator("deposit")
    @classmethod
    def _deposit_fits(cls, deposit: Deposit | None, info: ValidationInfo) -> Deposit | None:
        return _deposit_fits_currency(deposit, info)


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
