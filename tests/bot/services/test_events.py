"""The event log and what a change asks Slack to show, queued in the caller's transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.jobs.kinds import NotifyReporter, RedrawTicket, ThreadNote
from bot.services.events import announce, record
from models import Job, TicketEvent
from tests.bot.services.conftest import TUESDAY_10AM, Env


async def test_record_appends_who_did_what_and_when(env: Env) -> None:
    ticket = await env.raise_ticket()
    env.clock.advance(timedelta(minutes=1))
    await record(ticket.id, env.clock.now(), "U0ENG1", "looked", note="hm")
    await record(ticket.id, env.clock.now(), None, "bot_did")
    rows = await TicketEvent.filter(ticket_id=ticket.id).order_by("id")
    assert [(e.kind, e.actor, e.at, e.detail) for e in rows[1:]] == [
        ("looked", "U0ENG1", TUESDAY_10AM + timedelta(minutes=1), {"note": "hm"}),
        ("bot_did", None, TUESDAY_10AM + timedelta(minutes=1), {}),
    ]
    assert rows[0].kind == "raised"


async def test_announce_queues_a_redraw_a_note_and_news(env: Env) -> None:
    news = NotifyReporter(ticket_id=7, event="claimed", by="U0ENG1")
    async with env.jobs.transaction():
        await announce(env.jobs, 7, note="Claimed by <@U0ENG1>.", quote="<b>", reporter=news)
    assert await env.pending() == [
        RedrawTicket(ticket_id=7),
        ThreadNote(ticket_id=7, text="Claimed by <@U0ENG1>.", quote="<b>"),
        news,
    ]


async def test_announce_without_a_redraw_or_anything_to_say(env: Env) -> None:
    async with env.jobs.transaction():
        await announce(env.jobs, 7, note="A note only.", redraw=False)
        await announce(env.jobs, 8, redraw=False)
    assert await env.pending() == [ThreadNote(ticket_id=7, text="A note only.")]


async def test_redraws_of_one_ticket_coalesce_but_notes_do_not(env: Env) -> None:
    async with env.jobs.transaction():
        for text in ("one", "two"):
            await announce(env.jobs, 7, note=text)
    kinds = [type(p).__name__ for p in await env.pending()]
    assert kinds == ["RedrawTicket", "ThreadNote", "ThreadNote"]


async def test_what_is_announced_is_dropped_with_a_failed_change(env: Env) -> None:
    with pytest.raises(RuntimeError):
        async with env.jobs.transaction():
            await announce(env.jobs, 7, note="never happened")
            raise RuntimeError("the change failed")
    assert await Job.all().count() == 0
