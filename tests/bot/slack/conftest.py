"""Redis for the transport's shared state: clients of the suite's Redis (two, as two bot instances have),
and a private redis-server a test may kill."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from bot.clock import FakeClock
from bot.slack.api import SlackApi
from bot.slack.budgets import Budgets
from bot.standin import SlackStandIn
from tests.conftest import REDIS_URL, service_missing
from tests.e2e.processes import free_port


def client(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


@pytest.fixture
async def shared_redis() -> AsyncIterator[tuple[aioredis.Redis, aioredis.Redis]]:
    """Two clients of the suite's Redis, as two bot instances would hold."""
    first, second = client(REDIS_URL), client(REDIS_URL)
    try:
        await first.ping()
    except (RedisError, OSError) as exc:
        await first.aclose()
        await second.aclose()
        service_missing("Redis", exc)
    yield first, second
    await first.aclose()
    await second.aclose()


@dataclass
class PrivateRedis:
    """A redis-server of the test's own, which the test may kill (never the suite's)."""

    url: str
    process: asyncio.subprocess.Process

    async def kill(self) -> None:
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()

    async def restart(self) -> None:
        """Killed and started again on the same port, empty, as after a crash."""
        await self.kill()
        self.process = await _redis_server(int(self.url.rsplit(":", 1)[1].split("/")[0]))
        await _until_up(self.url)


async def _redis_server(port: int) -> asyncio.subprocess.Process:
    binary = shutil.which("redis-server")
    if binary is None:
        service_missing("redis-server (to start a private Redis)", FileNotFoundError("redis-server"))
    assert binary is not None
    return await asyncio.create_subprocess_exec(
        *(binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def _until_up(url: str) -> None:
    probe = client(url)
    try:
        for _ in range(200):
            try:
                await probe.ping()
                return
            except (RedisError, OSError):
                await asyncio.sleep(0.025)
        raise AssertionError("the private redis-server did not start")
    finally:
        await probe.aclose()


@pytest.fixture
async def private_redis() -> AsyncIterator[PrivateRedis]:
    port = free_port()
    server = PrivateRedis(f"redis://127.0.0.1:{port}/0", await _redis_server(port))
    try:
        await _until_up(server.url)
        yield server
    finally:
        await server.kill()


@pytest.fixture
def person(standin: SlackStandIn) -> str:
    """A person of the workspace whose Redis keys no other test touches."""
    uid = "U0" + uuid.uuid4().hex[:10].upper()
    standin.add_user(uid, tz="Europe/Berlin")
    return uid


def slack_api(standin: SlackStandIn, clock: FakeClock, redis: aioredis.Redis | None) -> SlackApi:
    """One bot instance's transport to the stand-in, sharing its budgets through `redis` if given."""
    return SlackApi(standin.web_client(), clock, Budgets(redis, clock))
