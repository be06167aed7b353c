"""The split of time logged on an incident among its tickets: whole minutes, nothing lost, deterministic."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.incident_links import split_evenly


def test_the_remainder_goes_a_minute_each_to_the_oldest_tickets() -> None:
    assert split_evenly(10, 3) == [4, 3, 3]
    assert split_evenly(11, 3) == [4, 4, 3]
    assert split_evenly(2, 3) == [1, 1, 0]
    assert split_evenly(45, 1) == [45]


def test_nothing_to_split_among_is_refused() -> None:
    with pytest.raises(ValueError):
        split_evenly(10, 0)


@settings(max_examples=200, derandomize=True)
@given(st.integers(min_value=1, max_value=24 * 60), st.integers(min_value=1, max_value=500))
def test_shares_add_up_and_differ_by_at_most_a_minute(minutes: int, shares: int) -> None:
    parts = split_evenly(minutes, shares)
    assert sum(parts) == minutes and len(parts) == shares
    assert max(parts) - min(parts) <= 1
    assert parts == sorted(parts, reverse=True)
