"""PostgreSQL refusing connections while people use the bot: every request still gets a 200 and a clear
answer, a form keeps what was typed, and the same gesture works once the database is back."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import pytest

from bot.ids import Action, Callback
from bot.standin.payloads import block_actions, slash_command, view_submission
from models import Ticket
from tests.conftest import POSTGRES_ADMIN_URL, RunningBot
from tests.e2e.journey import open_modal, raise_ticket, raise_values, told

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]


@asynccontextmanager
async def database_down(database_url: str) -> AsyncIterator[None]:
    """The bot's database refuses every connection (as in a failover), its open ones cut."""
    name = database_url.rsplit("/", 1)[1]
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL.replace("postgres://", "postgresql://"), timeout=5)
    try:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = $1 AND pid <> pg_backend_pid()",
            name,
        )
        yield
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.close()


async def test_a_raise_form_sent_while_the_database_is_down_stays_open_with_its_text(
    running: RunningBot, database_url: str
) -> None:
    view = await open_modal(running)
    body = view_submission(
        "U0KEY1",
        Callback.RAISE_MODAL,
        raise_values(title="Checkout down"),
        private_metadata=view["private_metadata"],
    )
    async with database_down(database_url):
        status, text = await running.slack.send(*body)
    assert status == 200
    answer = json.loads(text)
    assert answer["response_action"] == "errors"  # the modal stays open, with what was typed
    (reason,) = answer["errors"].values()
    assert reason == "Sorry, something went wrong on our side. Please try again in a moment."
    # Submitted again once the database is back: raised, once.
    status, text = await running.slack.send(*body)
    assert status == 200 and text in ("", "{}"), text
    assert await Ticket.filter(title="Checkout down").count() == 1


async def test_a_click_or_command_while_the_database_is_down_is_answered_not_failed(
    running: RunningBot, database_url: str
) -> None:
    ticket = await raise_ticket(running)
    async with database_down(database_url):
        claim, _ = await running.slack.send(
            *block_actions("U0ENG1", Action.CLAIM, str(ticket.id), block_id="ticket_actions")
        )
        listing, _ = await running.slack.send(*slash_command("U0ENG1", "list"))
        told_eng = await told(running, "U0ENG1")
    assert claim == 200 and listing == 200
    assert told_eng.count("Sorry, something went wrong on our side. Please try again in a moment.") == 2
    assert (await Ticket.get(id=ticket.id)).owner_id is None
    await running.slack.send(
        *block_actions("U0ENG1", Action.CLAIM, str(ticket.id), block_id="ticket_actions")
    )
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).owner_id == "U0ENG1"
