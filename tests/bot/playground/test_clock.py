"""The playground's clock: real time at real speed plus a lead the page adds to; never backwards."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.playground.clock import PlaygroundClock

REAL = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


def test_it_runs_with_real_time_and_moving_it_moves_now_and_monotonic_together() -> None:
    real = FakeClock(REAL)
    clock = PlaygroundClock(real=real)
    assert clock.now() == REAL and clock.offset == timedelta(0)
    start = clock.monotonic()
    real.advance(timedelta(seconds=5))  # real time passing
    assert clock.now() == REAL + timedelta(seconds=5) and clock.monotonic() == start + 5
    clock.advance(timedelta(hours=1))
    assert clock.now() == REAL + timedelta(hours=1, seconds=5)
    assert clock.monotonic() == start + 3605 and clock.offset == timedelta(hours=1)
    assert clock.advanced == timedelta(hours=1)


def test_it_only_moves_forward() -> None:
    clock = PlaygroundClock(real=FakeClock(REAL))
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))
    clock.set(REAL - timedelta(hours=1))  # an instant already passed changes nothing
    assert clock.now() == REAL
    clock.set(REAL + timedelta(minutes=30))
    assert clock.now() == REAL + timedelta(minutes=30)


def test_it_may_start_at_another_instant_and_reset_goes_back_there_but_monotonic_never_goes_back() -> None:
    tuesday = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
    clock = PlaygroundClock(tuesday, real=FakeClock(REAL))
    assert clock.now() == tuesday
    clock.advance(timedelta(days=2))
    ahead = clock.monotonic()
    assert clock.advanced == timedelta(days=2) and clock.offset == tuesday + timedelta(days=2) - REAL
    clock.reset(tuesday)
    assert clock.now() == tuesday and clock.monotonic() == ahead and clock.advanced == timedelta(0)
    clock.reset()
    assert clock.now() == REAL


async def test_a_sleep_ends_when_the_clock_is_moved_past_its_end() -> None:
    clock = PlaygroundClock()
    sleeper = asyncio.create_task(clock.sleep(3600))
    await asyncio.sleep(0.01)
    clock.advance(timedelta(minutes=30))
    await asyncio.sleep(0.01)
    assert not sleeper.done()  # half an hour of its hour has passed
    clock.advance(timedelta(minutes=30))
    await asyncio.wait_for(sleeper, timeout=1)
    await asyncio.wait_for(clock.sleep(0.01), timeout=1)  # and real time still ends a sleep
