"""Banks of hours: which purchase pays, the balance on a date, alert thresholds and blocking."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.billing.bank import (
    BankStatus,
    Ledger,
    bank_status,
    crossed_thresholds,
    may_log,
    replay,
    thresholds_crossed_by,
)
from bot.billing.worktime import Ticket
from tests.bot.billing.factories import contract, entry, purchase

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
PAID = Ticket("SL-9", "P3", paid_request=True)


def bank(*purchases: dict[str, Any], on_empty: str = "overage", **more: Any) -> Any:
    return contract(
        type="bank",
        currency="EUR",
        purchases=list(purchases),
        on_empty=on_empty,
        overage_rate="150.00",
        **more,
    )


TWO = bank(
    purchase(2, date(2026, 12, 1), date(2027, 3, 31)),  # listed first, bought later: used second
    purchase(1, date(2026, 11, 1), date(2026, 12, 15)),
)


def test_the_oldest_valid_purchase_is_debited_first() -> None:
    ledger = Ledger(TWO)
    assert ledger.debit(date(2026, 12, 2), 70) == 70
    assert ledger.left == [0, 110]  # in (from, expires) order: the November purchase is gone
    assert ledger.debit(date(2026, 11, 30), 30) == 0  # only the November purchase was valid then
    assert ledger.debit(date(2026, 12, 2), 200) == 110  # exhausted mid-entry: 90 minutes over
    assert ledger.balance(date(2026, 12, 2)) == 0


def test_purchases_are_valid_from_and_until_both_days_included() -> None:
    contract_ = bank(purchase(1, date(2026, 11, 1), date(2026, 11, 30)))
    assert bank_status(contract_, [], date(2026, 10, 31)).purchased == 0
    assert bank_status(contract_, [], date(2026, 11, 1)).left == 60
    assert bank_status(contract_, [], date(2026, 11, 30)).left == 60
    assert bank_status(contract_, [], date(2026, 12, 1)).purchased == 0


def test_bank_status_counts_valid_purchases_and_the_soonest_expiry_of_what_is_left() -> None:
    entries = [entry(date(2026, 11, 20), 40), entry(date(2026, 12, 5), 30)]
    assert bank_status(TWO, entries, date(2026, 11, 30)) == BankStatus(
        on=date(2026, 11, 30), purchased=60, used=40, left=20, expiring=20, expiring_on=date(2026, 12, 15)
    )
    # In December both purchases are valid; the December entry took the November purchase's last 20.
    assert bank_status(TWO, entries, date(2026, 12, 5)) == BankStatus(
        on=date(2026, 12, 5), purchased=180, used=70, left=110, expiring=110, expiring_on=date(2027, 3, 31)
    )
    # Entries after the day asked about are not counted.
    assert bank_status(TWO, entries, date(2026, 11, 19)).used == 0


def test_waived_entries_and_paid_requests_do_not_touch_the_bank() -> None:
    priced = bank(purchase(1, NOV, date(2026, 12, 31)), addon_rate="200.00")
    entries = [entry(date(2026, 11, 2), 30, waived=True), entry(date(2026, 11, 3), 30, ticket=PAID)]
    assert bank_status(priced, entries, date(2026, 11, 3)).used == 0
    # Without an addon rate a paid request falls back to the contract's terms: debited.
    assert bank_status(bank(purchase(1, NOV, date(2026, 12, 31))), entries, date(2026, 11, 3)).used == 30


def test_unused_minutes_lapse_when_their_purchase_expires() -> None:
    ledger = replay(TWO, [entry(date(2026, 11, 20), 40)])
    assert ledger.lapsed(date(2026, 12, 1), date(2026, 12, 31)) == 20
    assert ledger.lapsed(date(2026, 11, 1), date(2026, 11, 30)) == 0


def _status(used: int, purchased: int = 600) -> BankStatus:
    return BankStatus(date(2026, 11, 2), purchased, used, purchased - used, 0, None)


@pytest.mark.parametrize(
    ("before", "after", "crossed"),
    [
        (420, 576, (80, 95)),  # 70 % to 96 %: two messages from one entry
        (420, 480, (80,)),  # exactly 80 % reaches 80
        (420, 479, ()),  # 79.83 %
        (480, 500, ()),  # already past 80: no second message
        (570, 600, (100,)),  # 95 % was reached before
        (569, 600, (95, 100)),
        (600, 600, ()),  # overage beyond an empty bank
        (0, 600, (80, 95, 100)),
    ],
)
def test_thresholds_crossed(before: int, after: int, crossed: tuple[int, ...]) -> None:
    assert crossed_thresholds(_status(before), _status(after), [100, 80, 95]) == crossed


def test_a_bank_with_nothing_valid_counts_as_used_up() -> None:
    assert _status(0, purchased=0).used_percent == 100
    assert crossed_thresholds(_status(0, purchased=0), _status(0, purchased=0), [80, 100]) == ()


def test_thresholds_crossed_by_one_new_entry() -> None:
    contract_ = bank(purchase(10, NOV, date(2027, 10, 31)), alert_at=[80, 95, 100])
    earlier = [entry(date(2026, 11, 2), 420), entry(date(2026, 11, 3), 60)]  # 480 of 600: 80 % reached
    today = date(2026, 11, 5)
    assert thresholds_crossed_by(contract_, earlier, entry(today, 30), today) == ()  # 85 %
    assert thresholds_crossed_by(contract_, earlier, entry(today, 120), today) == (95, 100)
    assert thresholds_crossed_by(contract_, earlier, entry(today, 120, waived=True), today) == ()


def test_blocking_refuses_only_when_nothing_is_left_on_the_date() -> None:
    blocking = bank(purchase(1, NOV, date(2026, 11, 30)), on_empty="block", addon_rate="200.00")
    almost = [entry(date(2026, 11, 2), 59)]
    verdict = may_log(blocking, almost, entry(date(2026, 11, 3), 120))
    assert verdict.allowed and verdict.bank is not None and verdict.bank.left == 1  # crosses zero: allowed
    empty = [*almost, entry(date(2026, 11, 3), 120)]
    refused = may_log(blocking, empty, entry(date(2026, 11, 4), 5))
    assert not refused.allowed and refused.bank is not None and refused.bank.left == 0
    assert may_log(blocking, empty, entry(date(2026, 11, 4), 5, waived=True)).allowed
    assert may_log(blocking, empty, entry(date(2026, 11, 4), 5, ticket=PAID)).allowed
    # Time recorded for later days already used the hours, so back-dated work is refused too.
    assert not may_log(blocking, empty, entry(date(2026, 11, 1), 5)).allowed
    # December has no valid purchase at all.
    assert not may_log(blocking, [], entry(date(2026, 12, 1), 5)).allowed


def test_only_a_blocking_bank_refuses() -> None:
    overage = bank(purchase(1, NOV, date(2026, 11, 30)))
    assert may_log(overage, [entry(date(2026, 11, 2), 600)], entry(date(2026, 11, 3), 5)).allowed
    per_minute = contract(type="per_minute", currency="USD", rate="2.50")
    verdict = may_log(per_minute, [], entry(date(2026, 11, 3), 5))
    assert verdict.allowed and verdict.bank is None
