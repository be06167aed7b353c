"""Shared fixtures: real databases (SQLite, PostgreSQL), Redis, the Slack stand-in and a running bot.

On a laptop without PostgreSQL or Redis those tests skip with the reason; under CI (CI=true) a missing
service fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from bot.app import Secondline, build
from bot.clock import FakeClock
from bot.jobs.queue import DEFERRED
from bot.policy import Policy, load_config
from bot.settings import Settings
from bot.standin import SlackStandIn
from bot.standin.payloads import SlackClient
from bot.web import web_app
from models import Job
from tests.bolt_tasks import track_bolt_tasks
from tests.environment import MISLEADING

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_POLICY = ROOT / "config" / "support.example.yml"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# A weekday inside Standard business hours (Tuesday 2026-11-17 10:00 US Central).
DEFAULT_NOW = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
PACING_HORIZON = timedelta(seconds=30)


BOLT_TASKS = track_bolt_tasks()


def service_missing(what: str, error: BaseException) -> None:
    message = f"{what} is not reachable ({type(error).__name__}: {error})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must run against the real service")
    pytest.skip(message)


@pytest.fixture(autouse=True)
def _no_proxy_no_oauth(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in MISLEADING:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def policy() -> Policy:
    return load_config(EXAMPLE_POLICY)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(DEFAULT_NOW)


async def _postgres_database() -> AsyncIterator[str]:
    name = f"secondline_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://"), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        service_missing("PostgreSQL", exc)
        raise
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database of each kind the bot supports."""
    if request.param == "sqlite":
        yield f"sqlite://{tmp_path}/secondline.sqlite3"
        return
    async for url in _postgres_database():
        yield url


@pytest.fixture
async def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path}/secondline.sqlite3"


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    async for url in _postgres_database():
        yield url


# The message a message shortcut is used on, unless a test names another (message_action's defaults).
SHORTCUT_MESSAGE = ("C0GENERAL", "1699990000.000200")


def seed_workspace(standin: SlackStandIn, policy: Policy) -> None:
    """The workspace of the example policy: its people and a few more, the support channel with the bot
    in it, and #general, where everyone is but the bot (where /support and shortcuts are used), with
    the message a shortcut is used on."""
    standin.seed_from_policy(policy)
    for uid in ("U0OTHER", "U0STRANGER", "U0NOBODY"):  # people of the workspace the policy does not name
        standin.add_user(uid)
    people = [uid for uid, user in standin.users.items() if not user.get("is_bot")]
    standin.add_channel("C0GENERAL", "general", members=people, bot_member=False)
    channel, ts = SHORTCUT_MESSAGE
    standin.seed_message(channel, "the message text", user="U0OTHER", ts=ts)


@pytest.fixture
async def standin(policy: Policy, clock: FakeClock) -> AsyncIterator[SlackStandIn]:
    """The Slack stand-in, seeded from the example policy; its rate limits run on the test's clock."""
    async with SlackStandIn(token=BOT_TOKEN, clock=clock.monotonic) as server:
        seed_workspace(server, policy)
        yield server


def make_settings(standin: SlackStandIn, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "bot_token": BOT_TOKEN,
        "signing_secret": SIGNING_SECRET,
        "support_config": EXAMPLE_POLICY,
        "database_url": database_url,
        "slack_api_url": standin.base_url,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@dataclass
class RunningBot:
    """A bot served over real HTTP, its Slack stand-in, and a signed client to talk to it."""

    bot: Secondline
    server: TestServer
    slack: SlackClient
    standin: SlackStandIn
    clock: FakeClock

    @property
    def url(self) -> str:
        return str(self.server.make_url("/slack/events"))

    async def settle(self) -> None:
        """Let Bolt's listeners finish (they run on after ack), then run every job that is due now.

        Work the bot deferred to keep within Slack's rate budgets runs too: the fake clock moves on to it
        (a few seconds at most), as real time would.
        """
        await BOLT_TASKS.drain()
        await self.bot.worker.run_due()
        for _ in range(200):
            waiting = await Job.filter(last_error__startswith=DEFERRED).order_by("due_at").first()
            if waiting is None or waiting.due_at - self.clock.now() > PACING_HORIZON:
                return
            if waiting.due_at > self.clock.now():
                self.clock.set(waiting.due_at)
            await self.bot.worker.run_due()


async def start_bot(
    standin: SlackStandIn,
    database_url: str,
    clock: FakeClock,
    policy: Policy,
    *,
    run_worker: bool = False,
) -> AsyncIterator[RunningBot]:
    bot = build(make_settings(standin, database_url), policy, clock, run_worker=run_worker)
    server = TestServer(web_app(bot), host="127.0.0.1")
    await server.start_server()
    # The start-up check's auth.test and conversations.info are not what the tests look at.
    standin.calls[:] = [c for c in standin.calls if c.method not in ("auth.test", "conversations.info")]
    async with aiohttp.ClientSession() as session:
        slack = SlackClient(
            session, str(server.make_url("/slack/events")), SIGNING_SECRET, response_urls=standin
        )
        try:
            yield RunningBot(bot, server, slack, standin, clock)
        finally:
            await server.close()


@pytest.fixture
async def running(
    standin: SlackStandIn,
    database_url: str,
    clock: FakeClock,
    policy: Policy,
) -> AsyncIterator[RunningBot]:
    """The bot on each database, with its worker driven by the test (run `settle()` to run due jobs)."""
    async for running_bot in start_bot(standin, database_url, clock, policy):
        yield running_bot
