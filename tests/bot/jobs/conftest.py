from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot import db
from bot.clock import FakeClock
from bot.jobs.queue import JobQueue


@pytest.fixture
async def queue(database_url: str, clock: FakeClock) -> AsyncIterator[JobQueue]:
    await db.start_database(database_url)
    try:
        yield JobQueue(clock)
    finally:
        await db.stop_database()
