"""Shared fixtures: real databases (SQLite, PostgreSQL), Redis, the Slack stand-in and a running bot.

On a laptop without PostgreSQL or Redis those tests skip with the reason; under CI (CI=true) a missing
service fails the run instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import asyncpg
import pytest
from aiohttp.test_utils import TestServer

from bot import db
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


# Migrating a fresh database takes about a second on PostgreSQL; most tests start from a copy of one
# migrated database instead (the template is named after the migrations, so a new one rebuilds it).
MIGRATIONS = hashlib.sha256(
    b"".join(p.read_bytes() for p in sorted((ROOT / "models" / "migrations").glob("*.py")))
).hexdigest()[:10]
_SQLITE_TEMPLATE: dict[str, Path] = {}


async def _postgres_database(migrated: bool = False) -> AsyncIterator[str]:
    name = f"secondline_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://"), timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        service_missing("PostgreSQL", exc)
        raise
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        if migrated:
            template = await _postgres_template(admin, base)
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        else:
            await admin.execute(f'CREATE DATABASE "{name}"')
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def _postgres_template(admin: asyncpg.Connection, base: str) -> str:
    """The migrated template database, made once (under a lock: test runs may share the server)."""
    template = f"secondline_template_{MIGRATIONS}"
    await admin.execute("SELECT pg_advisory_lock(4242)")
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", template):
            building = f"{template}_building"
            await admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{building}"')
            await db.start_database(f"{base}/{building}")
            await db.stop_database()
            await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
    finally:
        await admin.execute("SELECT pg_advisory_unlock(4242)")
    return template


async def _sqlite_copy(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    template = _SQLITE_TEMPLATE.get(MIGRATIONS)
    if template is None:
        template = tmp_path_factory.mktemp("sqlite-template") / "secondline.sqlite3"
        await db.start_database(f"sqlite://{template}")
        await db.stop_database()
        _SQLITE_TEMPLATE[MIGRATIONS] = template
    shutil.copyfile(template, tmp_path / "secondline.sqlite3")
    return f"sqlite://{tmp_path}/secondline.sqlite3"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """A fresh database of each kind the bot supports, its schema migrated as the bot leaves it at start
    (`sqlite_url` and `postgres_url` give empty ones)."""
    if request.param == "sqlite":
        yield await _sqlite_copy(tmp_path, tmp_path_factory)
        return
    async for url in _postgres_database(migrated=True):
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
    async with SlackStandIn(
        token=BOT_TOKEN, clock=clock.monotonic, wall=lambda: clock.now().timestamp()
    ) as server:
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
    **settings: object,
) -> AsyncIterator[RunningBot]:
    """The bot over real HTTP; `settings` override make_settings' (secrets, an environment)."""
    bot = build(make_settings(standin, database_url, **settings), policy, clock, run_worker=run_worker)
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
