"""The chat.update pacer: budget per sliding minute, throughput, 429 back-off, replicas sharing Redis."""

from __future__ import annotations

import asyncio
import heapq
import logging
import os
import random
import uuid
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.clock import FakeClock
from bot.pacing import LocalPacer, Pacer, RedisPacer

START = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
MINUTE = timedelta(seconds=60)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CLOSED_PORT_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def redis_client() -> AsyncIterator[aioredis.Redis]:
    client = aioredis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        await client.ping()
    except (RedisConnectionError, OSError) as exc:
        await client.aclose()
        reason = f"Redis is not reachable at {REDIS_URL} ({type(exc).__name__}: {exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; CI must run against the real service")
        pytest.skip(reason)
    yield client
    await client.aclose()


@pytest.fixture
async def key(redis_client: aioredis.Redis) -> AsyncIterator[str]:
    """A key of this test's own; everything under its prefix is deleted afterwards."""
    prefix = f"test:pacing:{uuid.uuid4().hex}"
    yield f"{prefix}:chat.update"
    async for name in redis_client.scan_iter(match=f"{prefix}:*"):
        await redis_client.delete(name)


@dataclass
class Run:
    grants: list[datetime]
    attempts: int


async def drive(
    clock: FakeClock,
    pacers: Sequence[Pacer],
    *,
    jobs: int = 1000,
    seconds: float = 600,
    workers_per_pacer: int = 3,
) -> Run:
    """Redraw jobs arrive evenly over `seconds` (1000 in 10 min: 2.5x a 40/min budget) into a shared backlog;
    each pacer's workers take the oldest job and, when told to wait, retry it exactly then. Time only moves
    through the fake clock, so attempts on different pacers interleave as they would on replicas."""
    start = clock.now()
    end = start + timedelta(seconds=seconds)
    backlog = deque(start + timedelta(seconds=seconds * i / jobs) for i in range(jobs))
    # (when, tie-breaker, pacer index, holding a job)
    events = [(start, n, n % len(pacers), False) for n in range(len(pacers) * workers_per_pacer)]
    heapq.heapify(events)
    seq = len(events)
    grants: list[datetime] = []
    attempts = 0
    while events:
        when, _, p, holding = heapq.heappop(events)
        if when >= end:
            continue
        if not holding:
            if not backlog:
                continue
            if backlog[0] > when:  # idle until the next job arrives
                when = backlog[0]
            backlog.popleft()
        clock.set(when)
        wait = await pacers[p].reserve()
        attempts += 1
        seq += 1
        if wait == 0:
            grants.append(when)
            heapq.heappush(events, (when, seq, p, False))
        else:
            assert wait > 0
            heapq.heappush(events, (when + timedelta(seconds=wait), seq, p, True))
    return Run(sorted(grants), attempts)


def max_in_window(times: Sequence[datetime], width: timedelta) -> int:
    """The most of `times` (sorted) inside any half-open window [t, t + width)."""
    most, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= width:
            lo += 1
        most = max(most, hi - lo + 1)
    return most


async def until_granted(clock: FakeClock, pacer: Pacer) -> float:
    """Retry at the returned waits until a slot is granted; returns the seconds that took."""
    start = clock.now()
    while (wait := await pacer.reserve()) > 0:
        clock.advance(wait)
    return (clock.now() - start).total_seconds()


def test_both_pacers_satisfy_the_protocol(clock: FakeClock) -> None:
    assert isinstance(LocalPacer(clock, 40), Pacer)
    assert isinstance(RedisPacer(aioredis.Redis.from_url(CLOSED_PORT_URL), clock, 40, "test:pacing"), Pacer)


@pytest.mark.parametrize("per_minute", [40, 7, 1])
async def test_local_pacer_keeps_the_budget_in_every_sliding_minute(
    clock: FakeClock, per_minute: int
) -> None:
    run = await drive(clock, [LocalPacer(clock, per_minute)])

    assert run.attempts >= 2 * len(run.grants)  # demand exceeded the budget throughout
    assert max_in_window(run.grants, MINUTE) <= per_minute
    assert len(run.grants) >= 0.9 * per_minute * 10


async def test_local_pacer_spreads_calls_instead_of_bursting(clock: FakeClock) -> None:
    run = await drive(clock, [LocalPacer(clock, 40)], workers_per_pacer=10)

    # At most the bucket's 5 at one instant, and the token rate (one per 1.5 s) over any 15 s.
    assert max_in_window(run.grants, timedelta(microseconds=1)) <= 5
    assert max_in_window(run.grants, timedelta(seconds=15)) <= 5 + 10


async def test_random_demand_never_exceeds_the_budget(clock: FakeClock) -> None:
    rng = random.Random(20261117)
    pacer = LocalPacer(clock, 40)
    grants: list[datetime] = []
    for _ in range(1000):
        clock.advance(rng.expovariate(1 / 0.6))
        if await pacer.reserve() == 0:
            grants.append(clock.now())
        if rng.random() < 0.01:  # the occasional idle spell lets the bucket refill
            clock.advance(rng.uniform(0, 20))

    assert max_in_window(grants, MINUTE) <= 40


async def test_a_wait_takes_nothing(clock: FakeClock) -> None:
    pacer = LocalPacer(clock, 40)
    for _ in range(5):
        assert await pacer.reserve() == 0.0

    waits = [await pacer.reserve() for _ in range(100)]

    assert waits == [1.5] * 100
    clock.advance(1.5)
    assert await pacer.reserve() == 0.0


async def test_rejects_nonsense_limits(clock: FakeClock) -> None:
    with pytest.raises(ValueError, match="per_minute"):
        LocalPacer(clock, 0)
    with pytest.raises(ValueError, match="burst"):
        LocalPacer(clock, 40, burst=0)


async def test_time_running_backwards_does_not_reopen_the_window(clock: FakeClock) -> None:
    pacer = LocalPacer(clock, 2, burst=1)
    assert await until_granted(clock, pacer) == 0
    assert await until_granted(clock, pacer) == 30
    clock.set(START)  # the wall clock is stepped back 30 s... and the pacer does not believe it

    assert await pacer.reserve() == pytest.approx(30)


async def check_blocked_for(clock: FakeClock, blocked: Pacer, other: Pacer) -> None:
    """`blocked` hears the 429 after a few calls; `other` (the same one, or another replica) must obey it."""
    for _ in range(3):
        assert await blocked.reserve() == 0.0
    await blocked.blocked_for(30)
    await blocked.blocked_for(10)  # a shorter, later Retry-After does not cut the first one short

    for elapsed in (0, 1, 12.5, 29.999):
        clock.set(START + timedelta(seconds=elapsed))
        assert await other.reserve() == pytest.approx(30 - elapsed)
        assert await blocked.reserve() == pytest.approx(30 - elapsed)

    clock.set(START + timedelta(seconds=30))
    assert await other.reserve() == 0.0
    # Then the steady rate, not a burst into a workspace that was just rate limited.
    assert await blocked.reserve() == pytest.approx(1.5)
    assert await until_granted(clock, blocked) == pytest.approx(1.5)
    assert await until_granted(clock, other) == pytest.approx(1.5)


async def test_local_blocked_for_makes_every_reservation_wait(clock: FakeClock) -> None:
    pacer = LocalPacer(clock, 40)
    await check_blocked_for(clock, pacer, pacer)


# --- Redis ---------------------------------------------------------------------------------------------


@pytest.mark.redis
async def test_redis_pacer_keeps_the_budget(clock: FakeClock, redis_client: aioredis.Redis, key: str) -> None:
    run = await drive(clock, [RedisPacer(redis_client, clock, 40, key)])

    assert run.attempts >= 1000
    assert max_in_window(run.grants, MINUTE) <= 40
    assert len(run.grants) >= 0.9 * 400


@pytest.mark.redis
async def test_two_replicas_share_one_budget(
    clock: FakeClock, redis_client: aioredis.Redis, key: str
) -> None:
    replicas = [RedisPacer(redis_client, clock, 40, key), RedisPacer(redis_client, clock, 40, key)]

    run = await drive(clock, replicas)

    assert max_in_window(run.grants, MINUTE) <= 40
    assert len(run.grants) >= 0.9 * 400


@pytest.mark.redis
async def test_concurrent_reservations_are_atomic(
    clock: FakeClock, redis_client: aioredis.Redis, key: str
) -> None:
    # Separate connections, as separate replicas would have.
    other_client = aioredis.Redis.from_url(REDIS_URL)
    try:
        a = RedisPacer(redis_client, clock, 40, key)
        b = RedisPacer(other_client, clock, 40, key)
        waits = await asyncio.gather(*(p.reserve() for _ in range(50) for p in (a, b)))
    finally:
        await other_client.aclose()

    assert waits.count(0.0) == 5  # the bucket's capacity, however the 100 calls interleave
    assert all(w > 0 for w in waits if w != 0.0)


@pytest.mark.redis
async def test_redis_blocked_for_stops_every_replica(
    clock: FakeClock, redis_client: aioredis.Redis, key: str
) -> None:
    await check_blocked_for(
        clock, RedisPacer(redis_client, clock, 40, key), RedisPacer(redis_client, clock, 40, key)
    )


@pytest.mark.redis
async def test_redis_and_local_pacers_agree(clock: FakeClock, redis_client: aioredis.Redis, key: str) -> None:
    """The Lua script and the Python limiter are the same algorithm, step for step."""
    rng = random.Random(7)
    local = LocalPacer(clock, 12, burst=3)
    shared = RedisPacer(redis_client, clock, 12, key, burst=3)
    for step in range(600):
        roll = rng.random()
        if roll < 0.03:
            seconds = rng.choice([1, 5, 30, 0.25])
            await local.blocked_for(seconds)
            await shared.blocked_for(seconds)
        else:
            assert await shared.reserve() == await local.reserve(), f"step {step}"
        clock.advance(rng.choice([0, 0, 0.1, 0.5, 1, 2.5, 5, rng.uniform(0, 10)]))


@pytest.mark.redis
async def test_redis_keys_expire(clock: FakeClock, redis_client: aioredis.Redis, key: str) -> None:
    pacer = RedisPacer(redis_client, clock, 40, key)
    await pacer.reserve()
    await pacer.blocked_for(120)

    # Kept until the bucket refills after the block (120 s + 5 tokens' 6 s), plus a second's margin.
    for name in (key, f"{key}:log"):
        assert 120_000 < await redis_client.pttl(name) <= 127_000


# --- Redis down ----------------------------------------------------------------------------------------


async def test_falls_back_to_local_pacing_when_redis_is_down(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    down = aioredis.Redis.from_url(CLOSED_PORT_URL, socket_connect_timeout=0.2, socket_timeout=0.2)
    pacer = RedisPacer(down, clock, 40, f"test:pacing:{uuid.uuid4().hex}")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.pacing"):
            assert [await pacer.reserve() for _ in range(6)] == [0.0] * 5 + [1.5]
            run = await drive(clock, [pacer], jobs=200, seconds=120)
            clock.advance(60)
            await pacer.blocked_for(30)
            assert await pacer.reserve() == pytest.approx(30)
    finally:
        await down.aclose()

    assert max_in_window(run.grants, MINUTE) <= 40
    assert len(run.grants) >= 0.9 * 80
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "Redis unreachable" in warnings[0].getMessage()


class FlakyScript:
    """Wraps a registered script: raises ConnectionError while `down` is set."""

    def __init__(self, script: Any) -> None:
        self.script = script
        self.down = False
        self.calls = 0

    async def __call__(self, **kwargs: Any) -> Any:
        self.calls += 1
        if self.down:
            raise RedisConnectionError("Connection refused")
        return await self.script(**kwargs)


@pytest.mark.redis
async def test_goes_back_to_redis_when_it_returns(
    clock: FakeClock, redis_client: aioredis.Redis, key: str, caplog: pytest.LogCaptureFixture
) -> None:
    pacer = RedisPacer(redis_client, clock, 40, key)
    flaky = FlakyScript(pacer._script)
    pacer._script = flaky  # type: ignore[assignment]

    flaky.down = True
    with caplog.at_level(logging.INFO, logger="bot.pacing"):
        assert await pacer.reserve() == 0.0
        calls = flaky.calls
        assert await pacer.reserve() == 0.0
        assert flaky.calls == calls  # no connection attempt per call during an outage
        clock.advance(31)
        assert await pacer.reserve() == 0.0  # tried again, still down: no second warning
        assert flaky.calls == calls + 1
        flaky.down = False
        clock.advance(31)
        assert await pacer.reserve() == 0.0

    assert await redis_client.zcard(f"{key}:log") == 1  # the last one went through Redis
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "bot.pacing"]
    assert [level for level, _ in messages] == ["WARNING", "INFO"]
