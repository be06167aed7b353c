"""What engineers type as work time, and how entries round and order."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.billing.worktime import (
    Ticket,
    TimeEntry,
    billable_minutes,
    parse_work_time,
    round_up,
    statement_order,
)
from tests.bot.billing.factories import T1, entry


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("45m", 45), ("1h30m", 90), ("2h", 120), ("90m", 90), (" 1h 5m ", 65), ("24h", 1440), ("1d", 1440)],
)
def test_parse_work_time(text: str, minutes: int) -> None:
    assert parse_work_time(text) == minutes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2x", "'2x' is not a work time; write it like 45m, 1h30m or 2h"),
        ("", "'' is not a work time"),
        ("1.5h", "'1.5h' is not a work time"),
        ("-1h", "'-1h' is not a work time"),
        ("0m", "'0m' is no time at all; record at least 1m"),
        ("0h0m", "'0h0m' is no time at all"),
        ("999h", "'999h' is more than 24h; log longer work as one entry per day"),
        ("24h1m", "'24h1m' is more than 24h"),
        ("90s", "'90s' is not whole minutes"),
        ("1m30s", "'1m30s' is not whole minutes"),
    ],
)
def test_parse_work_time_refuses(text: str, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_work_time(text)
    assert str(error.value).startswith(message)


@pytest.mark.parametrize(
    ("minutes", "increment", "expected"),
    [(1, 15, 15), (15, 15, 15), (16, 15, 30), (44, 1, 44), (61, 60, 120), (120, 120, 120)],
)
def test_round_up(minutes: int, increment: int, expected: int) -> None:
    assert round_up(minutes, increment) == expected


@given(st.integers(1, 1440), st.integers(1, 240))
def test_billable_is_the_next_multiple_and_zero_when_waived(minutes: int, increment: int) -> None:
    billable = billable_minutes(entry(date(2026, 11, 2), minutes), increment)
    assert billable % increment == 0 and minutes <= billable < minutes + increment
    assert billable_minutes(entry(date(2026, 11, 2), minutes, waived=True), increment) == 0


def test_an_entry_has_positive_whole_minutes_and_a_reason_only_when_waived() -> None:
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for minutes in (0, -5, True):
        with pytest.raises(ValueError, match="positive whole number of minutes"):
            TimeEntry(T1, "U0ENG1", date(2026, 11, 2), at, minutes)
    with pytest.raises(ValueError, match="waiver reason on an entry that is not waived"):
        TimeEntry(T1, "U0ENG1", date(2026, 11, 2), at, 5, waiver_reason="defect")


def test_statement_order_is_date_worked_then_logged_then_as_given() -> None:
    late_log = entry(date(2026, 11, 2), 10, seq=50)
    early_log = entry(date(2026, 11, 2), 20, seq=5)
    earlier_day = entry(date(2026, 11, 1), 30, seq=59)
    twin = entry(date(2026, 11, 2), 40, seq=50, ticket=Ticket("SL-2", "P1"))
    assert statement_order([late_log, twin, early_log, earlier_day]) == [
        earlier_day,
        early_log,
        late_log,
        twin,
    ]
