"""Prepaid deposits: drawn down by charges, blocking below the minimum, alerts once per crossing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, seed, settings
from hypothesis import strategies as st

from bot.billing.deposit import MINIMUM, deposit_status, due_alerts
from bot.billing.statement import Month, build_statement, deposit_now
from bot.billing.worktime import Ticket
from tests.bot.billing.factories import contract, entry

NOV = date(2026, 11, 1)
INITECH = contract(
    type="per_minute",
    currency="USD",
    rate="2.50",
    deposit={
        "payments": [{"date": "2026-11-02", "amount": "500.00"}],
        "minimum": "37.50",
        "alert_at": [50, 20],
    },
)


def test_the_issues_example_by_hand() -> None:
    """500.00 paid, 2.50 a minute: below 250.00 (50 %) after 101 minutes, below 100.00 (20 %) after 161,
    below the 37.50 minimum after 186; each alert is due once."""
    entries = [entry(date(2026, 11, 3), 100)]
    status = deposit_now(INITECH, entries, date(2026, 11, 3))
    assert status is not None and status.balance == Decimal("250.00") and status.below() == ()
    sent: set[str] = set()
    steps = [(1, ["50"]), (60, ["20"]), (24, []), (1, [MINIMUM]), (30, [])]
    for seq, (minutes, expected) in enumerate(steps, start=1):
        entries.append(entry(date(2026, 11, 3), minutes, seq=seq))
        status = deposit_now(INITECH, entries, date(2026, 11, 3))
        assert status is not None
        due = [level.what for level in due_alerts(status, sent)]
        assert due == expected, (minutes, status.balance)
        sent.update(due)
    assert status.balance == Decimal("-40.00") and status.blocked  # time is still charged below zero
    assert status.payment_key == "2026-11-02/500.00"


def test_payments_on_later_days_count_from_their_date_and_bring_new_levels() -> None:
    topped = contract(
        type="per_minute",
        currency="USD",
        rate="2.50",
        deposit={
            "payments": [
                {"date": "2026-11-02", "amount": "100.00"},
                {"date": "2026-11-20", "amount": "400.00"},
            ],
            "minimum": "37.50",
            "alert_at": [50],
        },
    )
    entries = [entry(date(2026, 11, 3), 30)]  # 75.00
    before = deposit_now(topped, entries, date(2026, 11, 19))
    after = deposit_now(topped, entries, date(2026, 11, 20))
    assert before is not None and after is not None
    assert (before.balance, before.blocked, [lvl.what for lvl in before.below()]) == (
        Decimal("25.00"),
        True,
        [MINIMUM, "50"],
    )
    assert (after.balance, after.blocked, after.below()) == (Decimal("425.00"), False, ())
    assert after.payment_key != before.payment_key  # the 400.00's levels (below 200.00) are new crossings


def test_the_statement_shows_payments_and_the_balance() -> None:
    entries = [entry(date(2026, 10, 30), 20), entry(date(2026, 11, 5), 10)]
    deposit = {
        "payments": [{"date": "2026-10-01", "amount": "100.00"}, {"date": "2026-11-02", "amount": "500.00"}]
    }
    statement = build_statement(
        "initech",
        "i",
        contract(type="per_minute", currency="USD", rate="2.50", deposit=deposit),
        entries,
        Month(2026, 11),
    )
    charge, payment = statement.lines
    assert (charge.type, charge.amount) == ("per_minute", Decimal("25.00"))
    assert (payment.type, payment.day, payment.amount, payment.units, payment.rate, payment.minutes) == (
        "payment",
        date(2026, 11, 2),
        Decimal("-500.00"),
        None,
        None,
        None,
    )
    assert payment.bank_minutes_left is None
    totals = statement.totals.deposit
    assert totals is not None
    assert (totals.opening, totals.paid, totals.charged, totals.balance) == (
        Decimal("50.00"),  # 100.00 paid in October less 50.00 charged then
        Decimal("500.00"),
        Decimal("25.00"),
        Decimal("525.00"),
    )


def test_a_per_incident_deposit_is_charged_on_the_day_resolved() -> None:
    incident = contract(
        type="per_incident",
        currency="USD",
        block="2h",
        price=[{"from": "2026-01-01", "amount": "250.00"}, {"from": "2026-11-10", "amount": "275.00"}],
        deposit={"payments": [{"date": "2026-11-01", "amount": "600.00"}], "minimum": "300.00"},
    )
    early = Ticket("SL-1", "P2", resolved_on=date(2026, 11, 9))
    late = Ticket("SL-2", "P2", resolved_on=date(2026, 11, 10))
    entries = [entry(date(2026, 11, 2), 30, ticket=early), entry(date(2026, 11, 2), 30, ticket=late, seq=1)]
    on_9th = deposit_now(incident, entries, date(2026, 11, 9))
    on_10th = deposit_now(incident, entries, date(2026, 11, 10))
    assert on_9th is not None and on_10th is not None
    assert (on_9th.balance, on_9th.blocked) == (Decimal("350.00"), False)  # 250.00, the price on the 9th
    assert (on_10th.balance, on_10th.blocked) == (
        Decimal("75.00"),
        True,
    )  # then 275.00, the price on the 10th


amounts = st.integers(1, 50_000).map(lambda cents: Decimal(cents).scaleb(-2))


@seed(21)
@settings(max_examples=300, deadline=None)
@given(
    payments=st.lists(st.tuples(st.integers(0, 30), amounts), max_size=4),
    charges=st.lists(st.tuples(st.integers(0, 30), amounts), max_size=12),
    minimum=st.integers(0, 20_000).map(lambda cents: Decimal(cents).scaleb(-2)),
    alert_at=st.lists(st.integers(1, 100), unique=True, max_size=4),
)
def test_drawn_down_blocked_below_the_minimum_and_each_alert_once_per_crossing(
    payments: list[tuple[int, Decimal]],
    charges: list[tuple[int, Decimal]],
    minimum: Decimal,
    alert_at: list[int],
) -> None:
    """Day by day, with a store of what was sent: the balance is payments less charges so far, the key
    users are blocked exactly below the minimum, and each level of each last payment is alerted exactly
    once, on the first day the balance is below it, never again."""
    deposit = contract(
        type="per_minute",
        currency="USD",
        rate="1.00",
        deposit={
            "payments": [
                {"date": (NOV + timedelta(days=d)).isoformat(), "amount": str(a)} for d, a in payments
            ],
            "minimum": str(minimum),
            "alert_at": alert_at,
        },
    ).deposit
    dated = [(NOV + timedelta(days=d), amount) for d, amount in charges]
    sent: dict[str, set[str]] = {}
    first_below: dict[tuple[str, str], int] = {}
    for day in range(31):
        on = NOV + timedelta(days=day)
        status = deposit_status(deposit, dated, on)
        paid = sum((a for d, a in payments if d <= day), Decimal(0))
        charged = sum((a for d, a in charges if d <= day), Decimal(0))
        assert status.balance == paid - charged
        assert status.blocked == (paid - charged < minimum)
        store = sent.setdefault(status.payment_key, set())
        due = due_alerts(status, store)
        for level in due:
            assert level.what not in store  # never twice for the same payment
            store.add(level.what)
        # The model: a level is due on the first day the balance is below it under this last payment.
        for level in status.levels:
            if status.balance < level.amount:
                first_below.setdefault((status.payment_key, level.what), day)
        assert {lvl.what for lvl in due} == {
            what for (key, what), when in first_below.items() if key == status.payment_key and when == day
        }
        if status.last_payment is not None:
            for level in status.levels:
                if level.what != MINIMUM:
                    assert level.amount == status.last_payment.amount * int(level.what) / 100
