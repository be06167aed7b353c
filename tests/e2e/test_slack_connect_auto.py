"""A customer who opted in to `intake: [auto]`: every top-level message of a key user gets the card."""

from __future__ import annotations

import pytest

from bot.policy import Policy, parse_config
from tests.conftest import EXAMPLE_POLICY, RunningBot
from tests.e2e.connect_journey import DEV, KEY, cards_for, seed_people, write

AUTO = "intake: [mention, reaction]     # how a message there becomes a ticket: mention, reaction, auto"

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def policy() -> Policy:
    text = EXAMPLE_POLICY.read_text()
    assert AUTO in text
    return parse_config(text.replace(AUTO, "intake: [auto]"), str(EXAMPLE_POLICY))


async def test_every_top_level_message_of_a_key_user_gets_the_card(running: RunningBot) -> None:
    seed_people(running)
    ts = await write(running, KEY, "our nightly import stopped")
    assert len(cards_for(running, ts)) == 1
    chatter = await write(running, DEV, "good morning all")  # not a key user: no card, no answer
    assert cards_for(running, chatter) == [] and not running.standin.ephemerals
    reply = await write(running, KEY, "it says timeout", thread_ts=ts)  # a reply is no new ticket
    assert cards_for(running, reply) == []
    assert len([c for c in running.standin.posts_to("C0SOYLENT") if c.args.get("thread_ts")]) == 1
