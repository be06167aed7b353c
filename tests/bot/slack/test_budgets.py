"""Slack's rate limits as budgets shared by every bot instance through Redis: what one instance spends, or
is refused with a 429, the others cannot spend; without Redis each process keeps its own."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from bot import db
from bot.app import redis_client
from bot.clock import FakeClock
from bot.pacing import Pacer
from bot.slack import budgets
from bot.slack.budgets import CONVERSATION, Budgets
from bot.slack.errors import SlackBusy
from bot.standin import SlackStandIn
from tests.bot.slack.conftest import PrivateRedis, slack_api


@pytest.fixture
async def prefix(
    monkeypatch: pytest.MonkeyPatch, shared_redis: tuple[aioredis.Redis, aioredis.Redis]
) -> AsyncIterator[str]:
    """Keys of this test's own (the workspace-wide ones are shared with real bots in other tests)."""
    name = f"test:budgets:{uuid.uuid4().hex}:"
    monkeypatch.setattr(budgets, "KEY_PREFIX", name)
    yield name
    async for key in shared_redis[0].scan_iter(match=f"{name}*"):
        await shared_redis[0].delete(key)


async def spend(instance: Budgets, method: str, **args: str) -> list[float]:
    """Reserve once from each budget the call spends from; the waits, in order."""
    return [await pacer.reserve() for _, pacer in instance.for_call(method, args)]


@pytest.mark.redis
async def test_two_instances_share_one_conversation_and_one_workspace_budget(
    clock: FakeClock, shared_redis: tuple[aioredis.Redis, aioredis.Redis], prefix: str
) -> None:
    first, second = (Budgets(redis, clock) for redis in shared_redis)
    for _ in range(CONVERSATION.burst):
        assert await spend(first, "chat.postMessage", channel="U0KEY1") == [0.0, 0.0]
    post_budget, conversation = await spend(second, "chat.postMessage", channel="U0KEY1")
    assert post_budget == 0.0 and conversation == pytest.approx(1.0)  # the DM's burst is spent
    assert await spend(second, "chat.postMessage", channel="U0KEY2") == [0.0, 0.0]  # another person
    for n in range(5):  # chat.update: a burst of 5 for the whole workspace, spent by both in turn
        assert await spend((first, second)[n % 2], "chat.update", channel="C0SUPPORT") == [0.0]
    (wait,) = await spend(first, "chat.update", channel="C0SUPPORT")
    assert wait == pytest.approx(1.5)  # 40 a minute


async def test_without_redis_each_process_keeps_its_own(clock: FakeClock) -> None:
    first, second = Budgets(None, clock), Budgets(None, clock)
    for _ in range(CONVERSATION.burst):
        await spend(first, "chat.postMessage", channel="U0KEY1")
    assert (await spend(first, "chat.postMessage", channel="U0KEY1"))[1] > 0
    assert await spend(second, "chat.postMessage", channel="U0KEY1") == [0.0, 0.0]


async def test_a_page_skips_the_workspace_budget_but_keeps_to_its_conversation(clock: FakeClock) -> None:
    instance = Budgets(None, clock)
    names = [name for name, _ in instance.for_call("chat.postMessage", {"channel": "U0LEAD"}, urgent=True)]
    assert names == ["conversation:U0LEAD"]
    names = [name for name, _ in instance.for_call("chat.postMessage", {"channel": "U0LEAD"})]
    assert names == ["chat.postMessage", "conversation:U0LEAD"]


@pytest.mark.redis
async def test_a_429_to_one_instance_holds_back_the_conversation_for_all(
    standin: SlackStandIn,
    clock: FakeClock,
    shared_redis: tuple[aioredis.Redis, aioredis.Redis],
    prefix: str,
) -> None:
    first, second = (slack_api(standin, clock, redis) for redis in shared_redis)
    standin.fail("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackBusy):
        await first.call("chat.postMessage", channel="U0KEY1", text="Your ticket SUP-1 is saved")
    (_, held), (_, other) = (
        second.budgets.for_call("chat.postMessage", {"channel": "U0KEY1"})[-1],
        second.budgets.for_call("chat.postMessage", {"channel": "U0KEY2"})[-1],
    )
    assert await held.reserve() == pytest.approx(7.0, abs=1.0)  # Retry-After, for every instance
    assert await other.reserve() == 0.0  # only that conversation: Slack limits each on its own
    clock.advance(8)
    assert await held.reserve() == 0.0


async def test_a_restarted_redis_shares_the_budgets_again_at_once(
    clock: FakeClock, private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    """After Redis restarts, the pooled connections are dead: the first call on each must reconnect, not
    send the replica into pacing on its own (every replica doing so would triple the rate Slack sees)."""
    redis = redis_client(private_redis.url)
    try:
        instance = Budgets(redis, clock)
        await spend(instance, "chat.postMessage", channel="C0SUPPORT")
        await private_redis.restart()
        await spend(instance, "chat.postMessage", channel="C0SUPPORT")
        assert "Redis unreachable" not in caplog.text
        assert [key async for key in redis.scan_iter(match=f"{budgets.KEY_PREFIX}*")]  # spent in Redis
    finally:
        await redis.aclose()


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[None]:
    """Where the replicas are counted."""
    await db.start_database(sqlite_url)
    try:
        yield
    finally:
        await db.stop_database()


def conversation_budget(replica: Budgets, channel: str, *, urgent: bool = False) -> Pacer:
    (pacer,) = [
        p
        for name, p in replica.for_call("chat.postMessage", {"channel": channel}, urgent=urgent)
        if channel in name
    ]
    return pacer


async def test_while_redis_is_down_each_replica_paces_to_its_share_of_a_budget(
    clock: FakeClock, private_redis: PrivateRedis, database: None
) -> None:
    """Three replicas each pacing to a whole budget would send Slack three times its limit."""
    clients = [redis_client(private_redis.url) for _ in range(3)]
    try:
        replicas = [Budgets(client, clock) for client in clients]
        for replica in replicas:
            await replica.count_replicas()
        await replicas[0].count_replicas()
        assert [replica.share for replica in replicas] == [3, 2, 3]  # each counts those seen before it
        await private_redis.kill()
        # The conversation budget (a burst of 3, then one a second) is a third each: a burst of 1, one
        # every 3 s; together the three replicas post no faster than the one budget allows.
        waits = [
            await pacer.reserve() for _, pacer in replicas[0].for_call("chat.postMessage", {"channel": "C0X"})
        ]
        assert waits[-1] == 0.0
        (conversation,) = [
            p for name, p in replicas[0].for_call("chat.postMessage", {"channel": "C0X"}) if "C0X" in name
        ]
        assert await conversation.reserve() == pytest.approx(3.0, abs=0.01)
        clock.advance(3)
        assert await conversation.reserve() == 0.0
    finally:
        for client in clients:
            await client.aclose()


async def test_a_replica_that_died_stops_counting_though_redis_is_down(
    clock: FakeClock, private_redis: PrivateRedis, database: None
) -> None:
    """Two replicas; one is killed and Redis with it: within a minute the survivor paces to the whole
    budget again, not to half of it for as long as Redis stays away."""
    clients = [redis_client(private_redis.url) for _ in range(2)]
    try:
        survivor, dead = (Budgets(client, clock) for client in clients)
        await survivor.count_replicas()
        await dead.count_replicas()
        await survivor.count_replicas()
        assert survivor.share == 2
        await private_redis.kill()  # and `dead` says nothing more
        clock.advance(budgets.REPLICA_SEEN_SECONDS / 2)
        await survivor.count_replicas()
        assert survivor.share == 2  # not heard from for 30 s: perhaps only slow
        clock.advance(budgets.REPLICA_SEEN_SECONDS / 2 + 1)
        await survivor.count_replicas()
        assert survivor.share == 1
        conversation = conversation_budget(survivor, "C0X")
        assert [await conversation.reserve() for _ in range(CONVERSATION.burst)] == [0.0] * CONVERSATION.burst
    finally:
        for client in clients:
            await client.aclose()


async def test_while_redis_is_down_a_page_may_spend_its_conversations_whole_burst(
    clock: FakeClock, private_redis: PrivateRedis, database: None
) -> None:
    """Two live replicas share budgets by halves while Redis is down; a page (urgent) still gets the DM's
    short burst, so pages to one person that could not share a DM are not spaced two seconds apart."""
    clients = [redis_client(private_redis.url) for _ in range(2)]
    try:
        first, second = (Budgets(client, clock) for client in clients)
        for replica in (first, second, first):
            await replica.count_replicas()
        assert first.share == 2
        await private_redis.kill()
        page = conversation_budget(first, "U0MGR", urgent=True)
        assert [await page.reserve() for _ in range(CONVERSATION.burst)] == [0.0] * CONVERSATION.burst
        assert await page.reserve() == pytest.approx(1.0)  # then a message a second, as Slack allows
        ordinary = conversation_budget(first, "U0KEY1")
        assert await ordinary.reserve() == 0.0
        assert await ordinary.reserve() == pytest.approx(2.0)  # its share: half the rate, a burst of 1
    finally:
        for client in clients:
            await client.aclose()


async def test_a_count_that_cannot_reach_the_database_keeps_the_last_one(
    clock: FakeClock, private_redis: PrivateRedis, database: None, caplog: pytest.LogCaptureFixture
) -> None:
    client = redis_client(private_redis.url)
    try:
        replicas = [Budgets(client, clock) for _ in range(2)]
        for replica in replicas:
            await replica.count_replicas()
        assert replicas[1].share == 2
        await db.stop_database()  # the database goes away too
        await replicas[1].count_replicas()
        assert replicas[1].share == 2 and "could not count the replicas" in caplog.text
    finally:
        await client.aclose()
