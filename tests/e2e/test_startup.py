"""Start-up of a real `python -m bot`, as the operator sees it: what is wrong, in one line, and an exit code;
or, when only Slack is unwell, a bot that starts anyway and says so on /healthz.

Scenarios of one kind run side by side (each process start costs about a second); Slack answering 429 or
5xx at start is tested in-process, through the same HTTP endpoint and start-up.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path

import asyncpg
import pytest

from bot.clock import FakeClock
from bot.db import MIGRATION_LOCK_KEY
from bot.policy import Policy, load_config
from bot.standin import SlackStandIn
from tests.conftest import BOT_TOKEN, EXAMPLE_POLICY, ROOT, seed_workspace, start_bot
from tests.e2e.launch import Exited, Launch, bot_env
from tests.e2e.processes import free_port

NOT_ANSWERED = "Slack has not answered the start-up check yet; checking again"

Prepare = Callable[[SlackStandIn], None]


@pytest.fixture
async def launches(tmp_path: Path) -> AsyncIterator[Callable[..., Launch]]:
    """Start bots (`launch(api_url, DATABASE_URL=..., ...)`); every one is gone after the test."""
    started: list[Launch] = []

    def launch(api_url: str, **env: str) -> Launch:
        database = env.pop("DATABASE_URL", f"sqlite://{tmp_path}/bot-{len(started)}.sqlite3")
        started.append(Launch(tmp_path, bot_env(api_url, EXAMPLE_POLICY, database, **env)))
        return started[-1]

    yield launch
    for one in started:
        await one.close()


async def standins(stack: AsyncExitStack, prepared: list[Prepare]) -> list[SlackStandIn]:
    """One stand-in of the example workspace per scenario (real time), each prepared its own way."""
    found = []
    for prepare in prepared:
        standin = await stack.enter_async_context(SlackStandIn(token=BOT_TOKEN))
        seed_workspace(standin, load_config(EXAMPLE_POLICY))
        prepare(standin)
        found.append(standin)
    return found


async def all_exited(launched: list[Launch]) -> list[Exited]:
    for one in launched:
        await one.start()
    return list(await asyncio.gather(*(one.exited() for one in launched)))


def the_one_line(exited: Exited, names: str) -> str:
    """The operator reads one line naming the setting; the rest of stderr is ordinary INFO progress."""
    assert exited.returncode == 2, exited.stderr
    assert "Traceback" not in exited.stderr, exited.stderr
    (line,) = exited.naming(names)
    assert line.startswith("error: "), exited.stderr
    others = [other for other in exited.lines if other != line and " INFO " not in other]
    assert others == [], exited.stderr
    return line


def token_state(state: str) -> Prepare:
    def prepare(standin: SlackStandIn) -> None:
        standin.token_state = state

    return prepare


async def test_a_token_slack_refuses_stops_the_start_with_one_line_naming_it(
    launches: Callable[..., Launch],
) -> None:
    states = ("invalid_auth", "account_inactive", "token_revoked")
    async with AsyncExitStack() as stack:
        found = await standins(stack, [token_state(state) for state in states])
        exits = await all_exited([launches(s.base_url) for s in found])
    for state, exited in zip(states, exits, strict=True):
        line = the_one_line(exited, "SLACK_BOT_TOKEN")
        assert line.startswith(f"error: SLACK_BOT_TOKEN: Slack says {state}; "), line
        assert "Bot User OAuth Token (xoxb-…)" in line, line  # what to copy, and from where


def _forget_channel(standin: SlackStandIn) -> None:
    del standin.channels["C0SUPPORT"]


CHANNEL_PROBLEMS: dict[str, tuple[Prepare, str]] = {
    "unknown": (_forget_channel, "Slack says channel_not_found; invite the bot with /invite @Secondline"),
    "archived": (lambda s: s.archive("C0SUPPORT"), "the channel is archived; unarchive it"),
    "bot not a member": (
        lambda s: s.remove_bot("C0SUPPORT"),
        "the bot is not a member; invite it with /invite @Secondline",
    ),
}


async def test_a_support_channel_the_bot_cannot_use_stops_the_start_with_one_line_and_the_fix(
    launches: Callable[..., Launch],
) -> None:
    async with AsyncExitStack() as stack:
        found = await standins(stack, [prepare for prepare, _ in CHANNEL_PROBLEMS.values()])
        exits = await all_exited([launches(s.base_url) for s in found])
    for (what, (_, fix)), exited in zip(CHANNEL_PROBLEMS.items(), exits, strict=True):
        line = the_one_line(exited, "support_channel")
        assert line.startswith("error: support_channel C0SUPPORT: "), (what, line)
        assert fix in line, (what, line)


async def test_an_unusable_database_port_or_setting_stops_the_start_with_one_line(
    launches: Callable[..., Launch],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy_port = str(taken.getsockname()[1])
        async with SlackStandIn(token=BOT_TOKEN) as standin:
            seed_workspace(standin, load_config(EXAMPLE_POLICY))
            closed = f"postgres://secondline:hunter2@127.0.0.1:{free_port()}/secondline"
            cases = {
                "DATABASE_URL": launches(standin.base_url, DATABASE_URL=closed),
                "PORT": launches(standin.base_url, PORT=busy_port),
                "LOG_LEVEL": launches(standin.base_url, LOG_LEVEL="chatty"),
                "SLACK_BOT_TOKEN": launches(standin.base_url, SLACK_BOT_TOKEN="xoxp-a-user-token"),
            }
            exits = dict(zip(cases, await all_exited(list(cases.values())), strict=True))
    database = the_one_line(exits["DATABASE_URL"], "DATABASE_URL")
    assert "cannot open the database" in database and "hunter2" not in database, database
    assert "already in use" in the_one_line(exits["PORT"], f"PORT {busy_port}")
    assert "DEBUG, INFO, WARNING, ERROR" in the_one_line(exits["LOG_LEVEL"], "LOG_LEVEL")
    assert "(xoxb-…)" in the_one_line(exits["SLACK_BOT_TOKEN"], "SLACK_BOT_TOKEN")


async def test_a_file_that_is_not_a_database_stops_the_start_with_one_line(
    launches: Callable[..., Launch], tmp_path: Path
) -> None:
    not_a_database = tmp_path / "secondline.sqlite3"
    not_a_database.write_text("policy notes, not a database\n")
    async with SlackStandIn(token=BOT_TOKEN) as standin:
        seed_workspace(standin, load_config(EXAMPLE_POLICY))
        bot = await launches(standin.base_url, DATABASE_URL=f"sqlite://{not_a_database}").start()
        exited = await bot.exited()  # by itself, not hanging (about a second on an idle machine)
    assert "cannot open the database" in the_one_line(exited, "DATABASE_URL")


async def test_slack_unreachable_at_start_starts_the_bot_degraded(launches: Callable[..., Launch]) -> None:
    bot = await launches(f"http://127.0.0.1:{free_port()}/api/").start()  # nothing listens there
    assert await bot.healthy() == {"ok": True, "degraded": [NOT_ANSWERED]}
    exited = await bot.stop()
    assert exited.returncode == 0 and "Traceback" not in exited.stderr, exited.stderr
    (warning,) = exited.naming("WARNING")
    assert "Slack did not answer the start-up check" in warning and "starting anyway" in warning


SLACK_UNWELL: dict[str, Prepare] = {
    "429 on auth.test": lambda s: s.fail("auth.test", status=429, times=None, retry_after=30),
    "503 on auth.test": lambda s: s.fail("auth.test", status=503, times=None),
    "500 on conversations.info": lambda s: s.fail("conversations.info", status=500, times=None),
}


@pytest.mark.parametrize("unwell", list(SLACK_UNWELL.values()), ids=list(SLACK_UNWELL))
async def test_slack_unwell_at_start_starts_the_bot_degraded(
    standin: SlackStandIn, sqlite_url: str, clock: FakeClock, policy: Policy, unwell: Prepare
) -> None:
    """In-process, through the real HTTP endpoint: the same start-up as a process (bot/web.py lifecycle)."""
    unwell(standin)
    async for running in start_bot(standin, sqlite_url, clock, policy):
        async with running.slack.session.get(running.server.make_url("/healthz")) as response:
            assert response.status == 200
            assert await response.json() == {"ok": True, "degraded": [NOT_ANSWERED]}


EMAIL_POLICY = EXAMPLE_POLICY.read_text().replace("manager: [U0MGR]", "manager: [pat.manager@vendor.example]")


async def test_a_policy_naming_people_by_email_without_the_scope_is_a_warning_not_a_stop(
    launches: Callable[..., Launch], tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(EMAIL_POLICY)
    async with SlackStandIn(token=BOT_TOKEN) as standin:
        seed_workspace(standin, load_config(policy))
        standin.add_user("U0PAT", email="pat.manager@vendor.example")
        standin.scopes = standin.scopes - {"users:read.email"}
        bot = launches(standin.base_url, SUPPORT_CONFIG=str(policy))
        await bot.start()
        assert await bot.healthy() == {"ok": True}
        exited = await bot.stop()
    assert exited.returncode == 0
    (warning,) = [line for line in exited.lines if "WARNING bot.startup" in line]
    assert "SLACK_BOT_TOKEN lacks the users:read.email scope" in warning and "add it" in warning


async def held(standin: SlackStandIn, requests: int = 1) -> None:
    """Wait until the stalled stand-in holds `requests` (stalled requests are not recorded as calls)."""
    for _ in range(400):
        if standin.waiting >= requests:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the bot never called Slack")


async def test_sigterm_while_slack_never_answers_the_start_up_check_stops_within_5_s(
    launches: Callable[..., Launch],
) -> None:
    async with SlackStandIn(token=BOT_TOKEN) as standin:
        seed_workspace(standin, load_config(EXAMPLE_POLICY))
        standin.stall_until_released()
        bot = launches(standin.base_url)
        await bot.start()
        await held(standin)  # auth.test is on its way, and will not be answered
        exited = await bot.stop(signal.SIGTERM, within=5)
    assert exited.returncode == 0


async def all_healthy_then_stopped(launched: list[Launch]) -> list[dict[str, object]]:
    answers = await asyncio.gather(*(one.healthy() for one in launched))
    for one in launched:
        exited = await one.stop()
        assert exited.returncode == 0 and "Traceback" not in exited.stderr, exited.stderr
    return list(answers)


async def applied_migrations(database_url: str) -> list[tuple[str, str]]:
    if database_url.startswith("sqlite://"):
        with sqlite3.connect(database_url.removeprefix("sqlite://")) as connection:
            rows = connection.execute("SELECT app, name FROM tortoise_migrations ORDER BY name").fetchall()
        return [(str(app), str(name)) for app, name in rows]
    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        rows = await connection.fetch("SELECT app, name FROM tortoise_migrations ORDER BY name")
    finally:
        await connection.close()
    return [(str(row["app"]), str(row["name"])) for row in rows]


MIGRATIONS = sorted(("models", path.stem) for path in (ROOT / "models" / "migrations").glob("[0-9]*.py"))


@pytest.mark.postgres
async def test_three_replicas_started_together_on_an_empty_postgres_migrate_in_turn_and_all_become_healthy(
    launches: Callable[..., Launch], postgres_url: str
) -> None:
    # The test holds the migration lock while the replicas start, so all three reach it at once and must
    # queue; released, they migrate one after another (left to chance, their starts rarely overlap).
    holder = await asyncpg.connect(postgres_url.replace("postgres://", "postgresql://", 1))
    try:
        await holder.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        async with SlackStandIn(token=BOT_TOKEN) as standin:
            seed_workspace(standin, load_config(EXAMPLE_POLICY))
            replicas = [await launches(standin.base_url, DATABASE_URL=postgres_url).start() for _ in range(3)]

            async def waiting() -> int:
                return int(
                    await holder.fetchval(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                )

            for _ in range(400):
                if await waiting() == 3:
                    break
                await asyncio.sleep(0.025)
            assert await waiting() == 3, "the replicas did not queue for the migration lock"
            assert [await one.healthz() for one in replicas] == [None] * 3  # none serves before migrating
            await holder.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
            assert await all_healthy_then_stopped(replicas) == [{"ok": True}] * 3
    finally:
        await holder.close()
    assert await applied_migrations(postgres_url) == MIGRATIONS  # each applied once


async def test_three_replicas_started_together_on_one_sqlite_file_all_become_healthy(
    launches: Callable[..., Launch], sqlite_url: str
) -> None:
    async with SlackStandIn(token=BOT_TOKEN) as standin:
        seed_workspace(standin, load_config(EXAMPLE_POLICY))
        replicas = [await launches(standin.base_url, DATABASE_URL=sqlite_url).start() for _ in range(3)]
        assert await all_healthy_then_stopped(replicas) == [{"ok": True}] * 3
    assert await applied_migrations(sqlite_url) == MIGRATIONS
