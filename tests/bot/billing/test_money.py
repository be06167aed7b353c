"""Money rounds half-up to the currency's minor unit; written plainly for machines, per locale for people."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.billing.money import currency_digits, format_money, is_currency, per_hour, plain, quantize


def test_format_money_for_people() -> None:
    assert format_money(Decimal("2400.00"), "EUR", locale="en_US") == "€2,400.00"
    assert format_money(Decimal("2400"), "EUR", locale="de_DE") == "2.400,00\xa0€"
    assert format_money(Decimal("1200"), "JPY", locale="en_US") == "¥1,200"
    assert format_money(Decimal("0.125"), "USD") == "$0.13"  # rounded half-up first, not banker's


@pytest.mark.parametrize(("currency", "digits"), [("EUR", 2), ("USD", 2), ("JPY", 0), ("BHD", 3)])
def test_currency_digits_come_from_babel(currency: str, digits: int) -> None:
    assert currency_digits(currency) == digits


def test_known_currencies_are_iso_codes_in_capitals() -> None:
    assert is_currency("EUR") and is_currency("JPY")
    assert not is_currency("eur") and not is_currency("EURO") and not is_currency("")


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.005", "USD", "0.01"),  # half-up, where banker's rounding would give 0.00
        ("0.015", "USD", "0.02"),
        ("0.0049", "USD", "0.00"),
        ("2.5", "JPY", "3"),
        ("1.0005", "BHD", "1.001"),
        ("7", "EUR", "7.00"),
    ],
)
def test_quantize_and_plain(amount: str, currency: str, expected: str) -> None:
    assert plain(Decimal(amount), currency) == expected
    assert quantize(Decimal(amount), currency) == Decimal(expected)


def test_per_hour_rounds_once_at_the_end() -> None:
    assert per_hour(45, Decimal("150.00"), "EUR") == Decimal("112.50")
    assert per_hour(1, Decimal("150.00"), "EUR") == Decimal("2.50")
    assert per_hour(3, Decimal("0.10"), "USD") == Decimal("0.01")  # 0.005 exactly: half-up
    assert per_hour(7, Decimal("100.00"), "USD") == Decimal("11.67")  # 11.666…
    assert per_hour(0, Decimal("100.00"), "JPY") == Decimal("0")
