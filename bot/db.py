"""Database start-up: Tortoise configuration, built-in migrations, and a real liveness query."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """Tortoise spells PostgreSQL `postgres://`; accept the common `postgresql://` too."""
    for alias in ("postgresql://", "asyncpg://"):
        if url.startswith(alias):
            return "postgres://" + url[len(alias) :]
    return url


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": normalise_url(database_url)},
        "apps": {
            "models": {
                "models": ["models"],
                "default_connection": "default",
                "migrations": "models.migrations",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _ensure_sqlite_dir(database_url: str) -> None:
    if database_url.startswith("sqlite://") and ":memory:" not in database_url:
        Path(database_url.removeprefix("sqlite://")).parent.mkdir(parents=True, exist_ok=True)


# Any constant both replicas agree on: pg_advisory_lock takes a 64-bit key.
MIGRATION_LOCK_KEY = 0x5EC0_D11E


@contextlib.asynccontextmanager
async def migration_lock(database_url: str) -> AsyncIterator[None]:
    """One replica migrates at a time (N replicas may start together, as a rollout does): a PostgreSQL
    advisory lock, or a file lock beside the SQLite file."""
    url = normalise_url(database_url)
    if url.startswith("postgres://"):
        connection = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1), timeout=10)
        try:
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
            yield
        finally:
            with contextlib.suppress(Exception):
                await connection.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
            await connection.close()
        return
    if ":memory:" in url:
        yield
        return
    lock = await asyncio.to_thread(open, url.removeprefix("sqlite://") + ".migrate.lock", "a")
    try:
        await asyncio.to_thread(fcntl.flock, lock.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
        lock.close()


SQLITE_HEADER = b"SQLite format 3\x00"


def _check_sqlite_file(database_url: str) -> None:
    """A file that is not an SQLite database would hang Tortoise's SQLite client: refuse it at once."""
    if not database_url.startswith("sqlite://") or ":memory:" in database_url:
        return
    path = Path(database_url.removeprefix("sqlite://"))
    if path.is_file() and path.stat().st_size > 0:
        with path.open("rb") as file:
            if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                raise ValueError(f"{path} is not an SQLite database")


async def start_database(database_url: str) -> None:
    """Apply pending migrations, connect, and prove the database answers (Tortoise connects lazily)."""
    _ensure_sqlite_dir(database_url)
    _check_sqlite_file(database_url)
    config = tortoise_config(database_url)
    async with migration_lock(database_url):
        await migrate(config=config)
    await Tortoise.close_connections()
    await Tortoise.init(config=config, _enable_global_fallback=True)
    await ping()
    log.info("database ready")


async def ping() -> None:
    await connections.get("default").execute_query("SELECT 1")


async def stop_database() -> None:
    await Tortoise.close_connections()
    # Tortoise caches SQL per (connection name, table) for the whole process, whatever the dialect;
    # a later start on another database (the tests run SQLite and PostgreSQL in one process) needs it gone.
    EXECUTOR_CACHE.clear()
