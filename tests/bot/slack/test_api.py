"""One unanswered call per conversation at a time (bot/slack/api.py): while Slack does not answer, the jobs
writing to a conversation wait their turn instead of piling up at Slack to be answered all at once, over
the conversation's limit, when it comes back."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from typing import Any

import pytest
import redis.asyncio as aioredis

from bot.app import redis_client
from bot.clock import FakeClock
from bot.jobs.outcomes import IN_JOB, Deferred
from bot.slack import budgets
from bot.slack.api import SlackApi
from bot.slack.budgets import IN_FLIGHT_BOUND, Budgets
from bot.slack.errors import SlackBusy
from tests.bot.slack.conftest import PrivateRedis


@dataclass
class _Response:
    data: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class SilentSlack:
    """A Slack that takes calls and answers none of them until told to (or lets them time out)."""

    def __init__(self) -> None:
        self.in_flight: dict[str, int] = {}  # conversation -> calls sent and not yet answered
        self.most_in_flight: dict[str, int] = {}
        self.calls: list[tuple[str, str]] = []
        self.answer = asyncio.Event()
        self.time_out = False

    async def api_call(self, method: str, *, json: dict[str, Any] | None = None, **_: Any) -> _Response:
        channel = str((json or {}).get("channel"))
        self.calls.append((method, channel))
        self.in_flight[channel] = self.in_flight.get(channel, 0) + 1
        self.most_in_flight[channel] = max(self.most_in_flight.get(channel, 0), self.in_flight[channel])
        try:
            await self.answer.wait()
            if self.time_out:
                raise TimeoutError("no answer in 10 s")
            return _Response({"ok": True, "channel": channel, "ts": "1.000001"})
        finally:
            self.in_flight[channel] -= 1


@pytest.fixture
async def prefix(
    monkeypatch: pytest.MonkeyPatch, shared_redis: tuple[aioredis.Redis, aioredis.Redis]
) -> AsyncIterator[str]:
    """Keys of this test's own (the real conversations' turns are shared with bots in other tests)."""
    name = f"test:in-flight:{uuid.uuid4().hex}:"
    monkeypatch.setattr(budgets, "KEY_PREFIX", name)
    yield name
    async for key in shared_redis[0].scan_iter(match=f"{name}*"):
        await shared_redis[0].delete(key)


def transport(slack: SilentSlack, clock: FakeClock, redis: aioredis.Redis | None) -> SlackApi:
    return SlackApi(slack, clock, Budgets(redis, clock))  # type: ignore[arg-type]


async def in_job(call: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    """A call made by a job, as the worker runs it (a job waits its turn by being deferred)."""
    token = IN_JOB.set(True)
    try:
        return await call
    finally:
        IN_JOB.reset(token)


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


def post(api: SlackApi, channel: str, n: int, **kwargs: Any) -> asyncio.Task[dict[str, Any]]:
    return asyncio.ensure_future(
        in_job(api.call("chat.postMessage", channel=channel, text=f"#{n}", **kwargs))
    )


async def test_jobs_to_one_channel_keep_one_call_in_flight_while_slack_is_silent(clock: FakeClock) -> None:
    slack = SilentSlack()
    api = transport(slack, clock, None)
    jobs = [post(api, "C0SUPPORT", n) for n in range(6)]
    other = post(api, "C0OTHER", 0)
    await settle()
    assert slack.in_flight["C0SUPPORT"] == 1  # the first; the other five were turned away
    deferred = [job for job in jobs if job.done()]
    assert len(deferred) == 5 and all(isinstance(job.exception(), Deferred) for job in deferred)
    assert slack.in_flight["C0OTHER"] == 1  # another conversation is not held up
    slack.answer.set()
    await asyncio.gather(*(job for job in jobs if not job.done()), other)
    assert slack.most_in_flight == {"C0SUPPORT": 1, "C0OTHER": 1}
    await in_job(api.call("chat.postMessage", channel="C0SUPPORT", text="next"))  # answered: the next goes


@pytest.mark.redis
async def test_replicas_share_the_turn_of_a_conversation(
    clock: FakeClock, shared_redis: tuple[aioredis.Redis, aioredis.Redis], prefix: str
) -> None:
    slack = SilentSlack()
    replicas = [transport(slack, clock, redis) for redis in shared_redis]
    jobs = [post(replicas[n % 2], "C0SUPPORT", n) for n in range(6)]
    await settle()
    for _ in range(20):  # the Redis round trips
        await asyncio.sleep(0.01)
    assert slack.in_flight["C0SUPPORT"] == 1
    assert sum(job.done() for job in jobs) == 5
    slack.answer.set()
    await asyncio.gather(*jobs, return_exceptions=True)
    assert slack.most_in_flight["C0SUPPORT"] == 1
    await in_job(replicas[1].call("chat.update", channel="C0SUPPORT", ts="1.000001", text="x"))


async def test_a_call_that_times_out_gives_the_turn_back(clock: FakeClock) -> None:
    slack = SilentSlack()
    api = transport(slack, clock, None)
    slack.answer.set()
    slack.time_out = True
    with pytest.raises(SlackBusy):
        await in_job(api.call("chat.postMessage", channel="C0SUPPORT", text="lost"))
    slack.time_out = False
    await in_job(api.call("chat.postMessage", channel="C0SUPPORT", text="the next one"))
    assert len(slack.calls) == 2


async def test_a_turn_never_answered_expires_after_its_bound(clock: FakeClock) -> None:
    """A replica killed mid-call never gives its turn back: the conversation is free again after the bound."""
    slack = SilentSlack()
    slack.answer.set()
    api = transport(slack, clock, None)
    assert await api.budgets.in_flight.take("C0SUPPORT") is not None  # the killed replica's call
    with pytest.raises(Deferred):
        await in_job(api.call("chat.postMessage", channel="C0SUPPORT", text="waits"))
    clock.advance(IN_FLIGHT_BOUND + 1)
    await in_job(api.call("chat.postMessage", channel="C0SUPPORT", text="goes"))
    assert len(slack.calls) == 1


async def test_a_page_does_not_wait_for_the_turn(clock: FakeClock) -> None:
    slack = SilentSlack()
    api = transport(slack, clock, None)
    note = post(api, "U0LEAD", 0)
    page = post(api, "U0LEAD", 1, urgent=True)
    await settle()
    assert slack.in_flight["U0LEAD"] == 2 and not page.done()  # sent, though a note there is unanswered
    slack.answer.set()
    await asyncio.gather(note, page)


async def test_while_redis_is_down_each_replica_keeps_its_own_turns(
    clock: FakeClock, private_redis: PrivateRedis
) -> None:
    redis = redis_client(private_redis.url)
    try:
        slack = SilentSlack()
        api = transport(slack, clock, redis)
        await private_redis.kill()
        jobs = [post(api, "C0SUPPORT", n) for n in range(3)]
        for _ in range(50):
            await asyncio.sleep(0.01)
        assert slack.in_flight["C0SUPPORT"] == 1 and sum(job.done() for job in jobs) == 2
        slack.answer.set()
        await asyncio.gather(*jobs, return_exceptions=True)
        await in_job(api.call("chat.postMessage", channel="C0SUPPORT", text="its turn was given back"))
    finally:
        await redis.aclose()
