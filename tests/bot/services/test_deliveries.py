"""Slack redelivers events: each event id is handled the first time only, and forgotten after two days."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.services.deliveries import KEEP_FOR
from models import ProcessedEvent
from tests.bot.services.conftest import Env


async def test_an_event_id_is_new_only_the_first_time(env: Env) -> None:
    assert await env.deliveries.first_time("Ev01")
    assert not await env.deliveries.first_time("Ev01")
    assert await env.deliveries.first_time("Ev02")


async def test_simultaneous_redeliveries_are_handled_once(env: Env) -> None:
    answers = await asyncio.gather(*(env.deliveries.first_time("Ev03") for _ in range(5)))
    assert answers.count(True) == 1


async def test_ids_older_than_two_days_are_forgotten(env: Env) -> None:
    await env.deliveries.first_time("Ev_OLD")
    env.clock.advance(timedelta(days=1))
    await env.deliveries.first_time("Ev_NEW")
    env.clock.advance(KEEP_FOR - timedelta(days=1))  # Ev_OLD is exactly two days old: kept
    assert await env.deliveries.forget_old() == 0
    env.clock.advance(timedelta(seconds=1))
    assert await env.deliveries.forget_old() == 1
    assert [e.event_id for e in await ProcessedEvent.all()] == ["Ev_NEW"]
    assert await env.deliveries.first_time("Ev_OLD")  # forgotten: it would be handled again


async def test_a_channels_how_to_and_each_greeting_are_remembered_for_good(env: Env) -> None:
    for key in ("howto:C0SOYLENT", "greet:C0SOYLENT:U0NEW", "card:C0SOYLENT:1.2"):
        assert await env.deliveries.first_time(key)
    env.clock.advance(KEEP_FOR * 10)
    assert await env.deliveries.forget_old() == 1  # the card's: a message may be offered again later
    assert not await env.deliveries.first_time("greet:C0SOYLENT:U0NEW")  # once per person
    assert not await env.deliveries.first_time("howto:C0SOYLENT")
