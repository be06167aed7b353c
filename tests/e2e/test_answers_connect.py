"""`@Secondline search <words>` in a customer's own (Slack Connect) channel: published answers in that
customer's plan language, told only to the person who asked (chat.postEphemeral in the channel, which the
stand-in allows only to a member of it), never a ticket and never anything of another customer's tickets.

Soylent's plan (premium) is German here, so the plan's language, not the default, is searched."""

from __future__ import annotations

import pytest

from bot.policy import Policy, parse_config
from bot.services import answers
from models import Ticket
from tests.conftest import EXAMPLE_POLICY, RunningBot
from tests.e2e.connect_journey import (
    CHANNEL,
    DEV,
    KEY,
    OUTSIDER,
    OUTSIDER_TEAM,
    cards_for,
    mention,
    seed_people,
)
from tests.e2e.journey import raise_ticket, told

PREMIUM = "    rank: 2\n"  # the premium plan's last line in the example policy


@pytest.fixture
def policy() -> Policy:
    text = EXAMPLE_POLICY.read_text()
    assert text.count(PREMIUM) == 1
    return parse_config(text.replace(PREMIUM, PREMIUM + "    language: german\n"))


@pytest.fixture
async def customer(running: RunningBot) -> RunningBot:
    seed_people(running)
    now = running.clock.now()
    # Published from an Acme ticket whose description is confidential; one answer per language.
    acme = await raise_ticket(running, "U0KEY1", title="Acme export", description="Jane Doe's payroll")
    await answers.publish(
        title="Große Exporte brechen ab", text="Planen Sie große Exporte über Nacht.", language="german",
        by="U0ENG1", ticket_id=acme.id, now=now,
    )  # fmt: skip
    await answers.publish(
        title="Large exports time out", text="Schedule large exports overnight.", language="english",
        by="U0ENG1", ticket_id=acme.id, now=now,
    )  # fmt: skip
    return running


async def test_a_key_user_searches_privately_in_their_plans_language_and_no_ticket_is_offered(
    customer: RunningBot,
) -> None:
    running = customer
    tickets = await Ticket.all().count()
    ts = await mention(running, KEY, "search Exporte abbrechen")  # German stemming: abbrechen ~ brechen ab

    ephemerals = [e for e in running.standin.ephemerals if e["user"] == KEY]
    assert len(ephemerals) == 1 and ephemerals[0]["channel"] == CHANNEL  # only Kay sees it, where she asked
    text = ephemerals[0]["text"]
    assert "Große Exporte brechen ab" in text and "über Nacht" in text
    assert "Large exports" not in text  # another language than the plan's
    assert "SUP-" not in text and "Acme" not in text and "payroll" not in text
    assert cards_for(running, ts) == []  # a search is not a request: no card, no ticket
    assert await Ticket.all().count() == tickets
    assert not running.standin.posts_to(CHANNEL)  # nothing in the channel for everyone


async def test_an_empty_search_or_no_hit_gets_a_short_answer(customer: RunningBot) -> None:
    running = customer
    await mention(running, KEY, "search")
    await mention(running, KEY, "search druckertreiber")
    usage, nothing = (await told(running, KEY))[-2:]
    assert usage.startswith("Usage: `@Secondline search <words>`")
    assert nothing.startswith("No published answer matches _druckertreiber_")
    assert not running.standin.posts_to(CHANNEL)


async def test_only_key_users_and_staff_may_search_there(customer: RunningBot) -> None:
    running = customer
    await mention(running, DEV, "search Exporte")  # Soylent's, not a key user: who their key users are
    assert "raised by your key users" in (await told(running, DEV))[-1]
    await mention(running, OUTSIDER, "search Exporte", team=OUTSIDER_TEAM)  # a third organisation
    assert "Only the customer's key users" in (await told(running, OUTSIDER))[-1]
    await mention(running, KEY, "search Exporte", team=OUTSIDER_TEAM)  # Kay's id from elsewhere: forged
    assert "another organisation" in (await told(running, KEY))[-1]
    await mention(running, "U0ENG1", "search Exporte", team="T0TEAM")  # staff, in the customer's language
    assert "Große Exporte brechen ab" in (await told(running, "U0ENG1"))[-1]
    for person in (DEV, OUTSIDER, KEY):
        assert not any("Nacht" in answer for answer in await told(running, person))
