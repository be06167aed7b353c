"""Pages by DM, on the fake clock through the real outbox and the stand-in: pages due together to one person
arrive together, as one DM with each ticket's own Acknowledge and Take ticket, once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.ids import Action
from bot.jobs.kinds import DeliverPage
from bot.outbox.pages import PageOutbox
from bot.policy import parse_config
from bot.slack.errors import SlackBusy
from bot.standin import SlackStandIn
from models import Page, Ticket, TicketEvent
from tests.conftest import EXAMPLE_POLICY, RunningBot, start_bot
from tests.e2e.journey import advance, click_page, pages_to, raise_ticket

# What is sent is the outbox's, whatever the database (the two-replica test runs on PostgreSQL): SQLite only.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TUESDAY_10AM_CENTRAL = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
TITLES = ("Checkout down", "Invoices missing", "Login loops", "Exports fail")  # distinct: no duplicate offer
FIRST_RESPONSE = timedelta(minutes=30)  # Acme's Enterprise P1: the lead is paged when it runs out


async def p1s(running: RunningBot, count: int = 4, apart: timedelta = timedelta(0)) -> list[Ticket]:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    tickets = []
    for n, title in enumerate(TITLES[:count]):
        if n:
            running.clock.advance(apart)
        tickets.append(await raise_ticket(running, user="U0KEY1", priority="P1", title=title))
    return tickets


def buttons(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(action id, page id) of every button in a message."""
    return [
        (element["action_id"], element["value"])
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def parts(message: Mapping[str, Any]) -> list[list[dict[str, Any]]]:
    """A bundled DM's parts (the blocks between dividers), after its heading."""
    found: list[list[dict[str, Any]]] = []
    for block in message["blocks"]:
        if block["type"] == "divider":
            found.append([])
        elif found:
            found[-1].append(block)
    return found


async def test_four_pages_due_together_to_one_person_come_as_one_dm_listing_them(
    running: RunningBot,
) -> None:
    tickets = await p1s(running)
    # To the steps' due time exactly, as the worker wakes (the raise's paced posts moved the clock on).
    await advance(running, tickets[0].created_at + FIRST_RESPONSE - running.clock.now())
    (dm,) = pages_to(running, "U0LEAD")  # one DM, not one a second per ticket
    pages = await Page.filter(recipient="U0LEAD").order_by("ticket_id")
    assert [page.ticket_id for page in pages] == [ticket.id for ticket in tickets]
    assert sorted(buttons(dm.args)) == sorted(
        (action, str(page.id)) for page in pages for action in (Action.ACKNOWLEDGE, Action.TAKE)
    )
    block_ids = [block["block_id"] for block in dm.args["blocks"] if "block_id" in block]
    assert len(block_ids) == len(set(block_ids)) == 4  # one actions block per ticket
    shown = json.dumps(dm.args["blocks"])
    for ticket in tickets:
        assert ticket.ref in shown and ticket.title in shown and ticket.ref in dm.args["text"]
    assert "4 escalations" in shown
    for page in pages:  # each page knows its message, for Acknowledge and Take to redraw
        assert (page.channel_id, page.message_ts) == (dm.response["channel"], dm.response["ts"])
        assert page.sent_at is not None and page.sent_at - page.due_at <= timedelta(seconds=1)


async def test_pages_due_within_a_second_wait_for_each_other_and_still_arrive_within_one(
    running: RunningBot,
) -> None:
    """Raised 0.2 s apart, their steps fall due 0.2 s apart: the first pages wait for the last one's."""
    await p1s(running, apart=timedelta(milliseconds=200))
    await advance(running, FIRST_RESPONSE - timedelta(seconds=2))
    for _ in range(80):  # the worker on real time: due work runs as soon as it is due, 50 ms at a time
        running.clock.advance(timedelta(milliseconds=50))
        await running.bot.worker.run_due()
    (dm,) = pages_to(running, "U0LEAD")
    assert len(buttons(dm.args)) == 8
    for page in await Page.filter(recipient="U0LEAD"):
        assert page.sent_at is not None and timedelta(0) <= page.sent_at - page.due_at <= timedelta(seconds=1)


async def test_pages_a_minute_apart_come_as_separate_dms(running: RunningBot) -> None:
    first, second = await p1s(running, count=2, apart=timedelta(minutes=1))
    await advance(running, FIRST_RESPONSE - timedelta(minutes=1))  # the first one's lead step
    (one,) = pages_to(running, "U0LEAD")
    await advance(running, timedelta(minutes=1))
    two = pages_to(running, "U0LEAD")[1]
    assert first.ref in one.args["text"] and second.ref not in one.args["text"]
    assert second.ref in two.args["text"] and first.ref not in two.args["text"]
    assert len(buttons(one.args)) == len(buttons(two.args)) == 2


async def test_acknowledging_one_ticket_of_a_bundled_dm_redraws_only_its_part(running: RunningBot) -> None:
    await p1s(running)
    await advance(running, FIRST_RESPONSE)
    (dm,) = pages_to(running, "U0LEAD")
    pages = await Page.filter(recipient="U0LEAD").order_by("ticket_id")  # as the DM lists them
    await click_page(running, "U0LEAD", Action.ACKNOWLEDGE, pages[1].id)
    (update,) = [c for c in running.standin.calls_to("chat.update") if c.args["channel"] != "C0SUPPORT"]
    assert (update.args["channel"], update.args["ts"]) == (dm.response["channel"], dm.response["ts"])
    shown = running.standin.message(dm.response["channel"], dm.response["ts"])
    before, after = parts(dm.args), parts(shown)
    assert len(after) == 4
    assert [after[n] for n in (0, 2, 3)] == [before[n] for n in (0, 2, 3)]  # the others as they were
    assert "Acknowledged by <@U0LEAD>" in json.dumps(after[1])
    assert buttons({"blocks": after[1]}) == [(Action.TAKE, str(pages[1].id))]
    acknowledged = await Page.filter(recipient="U0LEAD", acknowledged_at__isnull=False)
    assert [page.id for page in acknowledged] == [pages[1].id]


def says_late(message: Mapping[str, Any]) -> list[bool]:
    """Whether each part of a bundled DM says its page is late."""
    return ["This page is late" in json.dumps(part) for part in parts(message)]


async def test_a_dm_says_which_of_its_pages_is_late_and_keeps_saying_so_when_acknowledged(
    running: RunningBot,
) -> None:
    """Two steps 5 s apart run together 62 s after the first was due (a replica holding them was killed):
    the first page is late, the second (57 s) is not, and they share the lead's DM."""
    first, second = await p1s(running, count=2, apart=timedelta(seconds=5))
    behind = first.created_at + FIRST_RESPONSE + timedelta(seconds=62) - running.clock.now()
    await advance(running, behind, step=behind)
    await advance(running, timedelta(seconds=2), step=timedelta(seconds=1))  # the gathered pages' send
    (dm,) = pages_to(running, "U0LEAD")
    late, on_time = await Page.filter(recipient="U0LEAD").order_by("ticket_id")
    assert late.late and not on_time.late
    heading = dm.args["blocks"][0]
    assert heading["text"]["text"].endswith(f"at once:* {first.ref} (late), {second.ref}")
    assert dm.args["text"].splitlines() == [  # what the notification shows
        f"Escalation {first.ref} P1 Emergency (late): Checkout down",
        f"Escalation {second.ref} P1 Emergency: Invoices missing",
    ]
    assert says_late(dm.args) == [True, False]
    for page in (on_time, late):  # each redraw keeps the mark where it was, and only there
        await click_page(running, "U0LEAD", Action.ACKNOWLEDGE, page.id)
        shown = running.standin.message(dm.response["channel"], dm.response["ts"])
        assert shown["blocks"][0] == heading and says_late(shown) == [True, False]
    assert len([c for c in running.standin.calls_to("chat.update") if c.args["ts"] == dm.response["ts"]]) == 2


async def test_a_page_slack_held_back_past_a_minute_says_it_is_late(running: RunningBot) -> None:
    """Its step ran on time, but Slack answered 500 to the DM for two minutes: it arrives marked late."""
    slack_down = [True]
    running.standin.fail_for(
        "chat.postMessage", lambda a: a.get("channel") == "U0LEAD" and slack_down[0], status=500
    )
    (ticket,) = await p1s(running, count=1)
    await advance(running, ticket.created_at + FIRST_RESPONSE - running.clock.now())
    await advance(running, timedelta(minutes=2), step=timedelta(seconds=10))
    (page,) = await Page.filter(recipient="U0LEAD")
    assert page.sent_at is None and page.created_at == page.due_at  # the step was on time
    slack_down[0] = False
    await advance(running, timedelta(minutes=2), step=timedelta(seconds=10))  # past the retry's backoff
    (dm,) = pages_to(running, "U0LEAD")
    await page.refresh_from_db()
    assert page.sent_at is not None and page.sent_at - page.due_at > timedelta(minutes=2)
    assert page.late and "This page is late" in json.dumps(dm.args["blocks"])
    assert dm.args["text"] == f"Escalation {ticket.ref} P1 Emergency (late): Checkout down"


async def test_a_retry_after_a_timed_out_post_doubles_nothing(
    running: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Slack posts the bundled DM, but the answer never reaches the bot: the retry (whichever page's job
    runs it) finds the DM by its key and marks every page of it as sent."""
    await p1s(running)
    outbox = running.bot.worker.handlers.get(DeliverPage).__self__  # type: ignore[union-attr]
    assert isinstance(outbox, PageOutbox)
    post = outbox.once.post_marked
    lost: list[str] = []

    async def answer_lost(key: str, channel: str, message: Mapping[str, Any], **kw: Any) -> dict[str, Any]:
        answer = await post(key, channel, message, **kw)
        if key.startswith("pages:") and not lost:
            lost.append(key)
            raise SlackBusy("chat.postMessage: TimeoutError")
        return answer

    monkeypatch.setattr(outbox.once, "post_marked", answer_lost)
    await advance(running, FIRST_RESPONSE)
    await advance(running, timedelta(seconds=10), step=timedelta(seconds=1))  # past the retry's backoff
    (dm,) = pages_to(running, "U0LEAD")
    assert len(lost) == 1 and running.standin.calls_to("conversations.history")  # it looked, and found it
    for page in await Page.filter(recipient="U0LEAD"):
        assert page.bundle == lost[0] and page.message_ts == dm.response["ts"]


@pytest.fixture
async def repeating(standin: SlackStandIn, database_url: str, clock: FakeClock) -> AsyncIterator[RunningBot]:
    text = EXAMPLE_POLICY.read_text().replace(
        "- {page: lead, after: first_response, unless: claimed}   # unclaimed",
        "- {page: lead, after: first_response, unless: claimed, repeat: {every: 10m, times: 2}}  # x",
    )
    async for running_bot in start_bot(standin, database_url, clock, parse_config(text)):
        yield running_bot


async def test_a_repeat_comes_as_a_dm_of_its_own_marked_as_paged_again(repeating: RunningBot) -> None:
    (ticket,) = await p1s(repeating, count=1)
    await advance(repeating, FIRST_RESPONSE + timedelta(minutes=10))
    first, again = pages_to(repeating, "U0LEAD")
    assert "again" not in first.args["text"] and "(again)" in again.args["text"]
    shown = json.dumps(again.args["blocks"])
    assert "paged again (1)" in shown and "nobody on the lead level has acknowledged" in shown
    (page,) = await Page.filter(ticket_id=ticket.id, repeat=1)
    assert buttons(again.args) == [(Action.ACKNOWLEDGE, str(page.id)), (Action.TAKE, str(page.id))]


async def test_pages_that_cannot_reach_their_person_go_to_the_support_channel_together(
    running: RunningBot,
) -> None:
    running.standin.fail_for(
        "chat.postMessage", lambda a: a.get("channel") == "U0LEAD", error="cannot_dm_bot"
    )
    tickets = await p1s(running, count=2)
    await advance(running, FIRST_RESPONSE)
    (fallback,) = [
        c for c in running.standin.posts_to("C0SUPPORT") if "Could not reach <@U0LEAD>" in json.dumps(c.args)
    ]
    pages = await Page.filter(recipient="U0LEAD")
    assert sorted(buttons(fallback.args)) == sorted(
        (action, str(page.id)) for page in pages for action in (Action.ACKNOWLEDGE, Action.TAKE)
    )
    assert all(page.fell_back and page.message_ts == fallback.response["ts"] for page in pages)
    for ticket in tickets:
        assert "page_fell_back" in [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id)]
