"""Money: Decimal amounts rounded to the currency's minor unit, written for machines or for people.

Babel is the one source of currency facts (which codes exist, how many decimals each has, how each
locale writes them), so JPY has no cents and BHD has three decimals without a table of our own.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import format_currency, get_currency_precision, list_currencies

MINUTES_PER_HOUR = 60


@cache
def _codes() -> frozenset[str]:
    return frozenset(list_currencies())


def is_currency(code: str) -> bool:
    """An ISO 4217 code Babel knows, in capitals as the standard writes it."""
    return code in _codes()


def currency_digits(currency: str) -> int:
    return int(get_currency_precision(currency))


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round half-up to the currency's minor unit (the convention on invoices, unlike banker's rounding)."""
    return amount.quantize(Decimal(1).scaleb(-currency_digits(currency)), rounding=ROUND_HALF_UP)


def per_hour(minutes: int, hourly_rate: Decimal, currency: str) -> Decimal:
    """The charge for `minutes` at an hourly rate, rounded once at the end (never per minute)."""
    return quantize(Decimal(minutes) * hourly_rate / MINUTES_PER_HOUR, currency)


def plain(amount: Decimal, currency: str) -> str:
    """For machines: `37.50`, `1200` (JPY); no grouping, no symbol, always the currency's decimals."""
    return f"{quantize(amount, currency):f}"


def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """For people: `€2,400.00` in en_US, `2.400,00 €` in de_DE."""
    return str(format_currency(quantize(amount, currency), currency, locale=locale))
