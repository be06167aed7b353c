"""People's profiles (timezone, e-mail) are asked of Slack once an hour: per process without Redis, once for
every instance with it, and a Redis that dies costs at most one more question per person."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis.asyncio as aioredis

from bot.clock import FakeClock
from bot.notifier import Notifier
from bot.slack.people import KEEP_SECONDS, KEY_PREFIX, PeopleCache
from bot.standin import SlackStandIn
from tests.bot.slack.conftest import PrivateRedis, client, slack_api


def instance(standin: SlackStandIn, clock: FakeClock, redis: aioredis.Redis | None) -> Notifier:
    """What one bot instance uses to read a person's profile."""
    return Notifier(slack_api(standin, clock, None), PeopleCache(redis, clock))


def asked(standin: SlackStandIn, person: str) -> int:
    return sum(1 for c in standin.calls_to("users.info") if c.args.get("user") == person)


async def test_without_redis_a_profile_is_asked_once_an_hour_per_process(
    standin: SlackStandIn, clock: FakeClock, person: str
) -> None:
    bot = instance(standin, clock, None)
    assert await bot.timezone_of(person, "UTC") == "Europe/Berlin"
    clock.advance(timedelta(minutes=59))
    assert await bot.timezone_of(person, "UTC") == "Europe/Berlin"
    assert await bot.email_of(person) is not None
    assert asked(standin, person) == 1
    clock.advance(timedelta(minutes=2))
    await bot.timezone_of(person, "UTC")
    assert asked(standin, person) == 2
    await instance(standin, clock, None).timezone_of(person, "UTC")  # another process asks for itself
    assert asked(standin, person) == 3


@pytest.mark.redis
async def test_two_instances_sharing_redis_ask_slack_once_for_the_hour(
    standin: SlackStandIn,
    clock: FakeClock,
    person: str,
    shared_redis: tuple[aioredis.Redis, aioredis.Redis],
) -> None:
    first, second = (instance(standin, clock, redis) for redis in shared_redis)
    try:
        assert await first.timezone_of(person, "UTC") == "Europe/Berlin"
        assert await second.timezone_of(person, "UTC") == "Europe/Berlin"
        assert await second.email_of(person) is not None
        assert asked(standin, person) == 1
        ttl = await shared_redis[0].ttl(KEY_PREFIX + person)
        assert KEEP_SECONDS - 60 < ttl <= KEEP_SECONDS  # Redis forgets it after the hour
    finally:
        await shared_redis[0].delete(KEY_PREFIX + person)


@pytest.mark.redis
async def test_when_redis_dies_a_profile_is_asked_again_once_and_kept_in_the_process(
    standin: SlackStandIn, clock: FakeClock, person: str, private_redis: PrivateRedis
) -> None:
    redis = client(private_redis.url)
    try:
        bot = instance(standin, clock, redis)
        assert await bot.timezone_of(person, "UTC") == "Europe/Berlin"
        assert asked(standin, person) == 1
        await private_redis.kill()
        assert await bot.timezone_of(person, "UTC") == "Europe/Berlin"  # no error for the caller
        assert asked(standin, person) == 2  # Redis had the only copy
        for _ in range(3):
            assert await bot.timezone_of(person, "UTC") == "Europe/Berlin"
        assert asked(standin, person) == 2  # kept in this process meanwhile
    finally:
        await redis.aclose()
