"""What real Slack sends that a home-made stand-in forgets: message subtypes, entity-encoded text, files,
and requests from places the bot may not speak in. Each is answered the way the person expects."""

from __future__ import annotations

import pytest

from bot.ids import Action, Block, Callback
from bot.standin.payloads import block_actions, message_action, message_event, shared_file
from models import Ticket, TicketEvent
from tests.conftest import BOLT_TASKS, RunningBot
from tests.e2e.journey import click, raise_ticket, thread_notes, wait_on

# Shortcuts touch no ticket: the kind of database makes no difference.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def waiting_ticket(running: RunningBot) -> Ticket:
    """A posted ticket of U0KEY1's, claimed by U0ENG1, now waiting on the customer."""
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await wait_on(running, "U0ENG1", ticket)
    fresh = await Ticket.get(id=ticket.id)
    assert fresh.status == "waiting" and fresh.message_ts
    return fresh


async def deliver(running: RunningBot, event: tuple[bytes, str]) -> None:
    status, _ = await running.slack.send(*event)
    assert status == 200
    await running.settle()


async def status_of(ticket: Ticket) -> str:
    return str((await Ticket.get(id=ticket.id)).status)


async def test_a_file_shared_in_the_dm_resumes_the_waiting_ticket_and_the_thread_links_it(
    running: RunningBot,
) -> None:
    ticket = await waiting_ticket(running)
    screenshot = shared_file("checkout-error.png", user="U0KEY1")
    await deliver(
        running,
        message_event("U0KEY1", "D0KEY1", "Here is the error", subtype="file_share", files=[screenshot]),
    )
    assert await status_of(ticket) == "open"
    (note,) = [n for n in thread_notes(running, ticket) if "added details:" in n]
    assert f"<{screenshot['permalink']}|checkout-error.png>" in note and "Here is the error" in note
    # A file alone, with no words, is an answer too.
    await wait_on(running, "U0ENG1", ticket)
    log = shared_file("server.log", user="U0KEY1")
    await deliver(running, message_event("U0KEY1", "D0KEY1", "", subtype="file_share", files=[log]))
    assert await status_of(ticket) == "open"
    assert any(f"<{log['permalink']}|server.log>" in n for n in thread_notes(running, ticket))


async def test_a_reply_also_sent_to_the_channel_resumes_the_waiting_ticket(running: RunningBot) -> None:
    ticket = await waiting_ticket(running)
    await deliver(
        running,
        message_event(
            "U0KEY1", "C0SUPPORT", "Still failing", thread_ts=ticket.message_ts, subtype="thread_broadcast"
        ),
    )
    assert await status_of(ticket) == "open"
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="resumed").count() == 1


async def test_edits_deletions_bot_posts_and_joins_change_nothing(running: RunningBot) -> None:
    ticket = await waiting_ticket(running)
    thread = ticket.message_ts
    events_before = await TicketEvent.filter(ticket_id=ticket.id).count()
    calls_before = len(running.standin.calls)
    # Each of these carries the key user's id or text somewhere; none is their answer.
    ignored = {
        "an edit in the DM": message_event(
            "U0KEY1", "D0KEY1", "Here is the log", subtype="message_changed", previous_text="Here is teh log"
        ),
        "an edit in the thread": message_event(
            "U0KEY1", "C0SUPPORT", "fixed typo", subtype="message_changed", thread_ts=thread
        ),
        "a deletion in the DM": message_event(
            "U0KEY1", "D0KEY1", "", subtype="message_deleted", previous_text="oops"
        ),
        "another integration's post in the thread": message_event(
            "U0KEY1", "C0SUPPORT", "Build #42 failed", subtype="bot_message", thread_ts=thread
        ),
        "the key user joining the channel": message_event("U0KEY1", "C0SUPPORT", "", subtype="channel_join"),
    }
    for what, event in ignored.items():
        await deliver(running, event)
        assert await status_of(ticket) == "waiting", what
        assert await TicketEvent.filter(ticket_id=ticket.id).count() == events_before, what
        assert running.standin.calls[calls_before:] == [], what


async def test_encoded_text_shows_in_the_thread_escaped_exactly_once(running: RunningBot) -> None:
    ticket = await waiting_ticket(running)
    typed = "5 < 6 && x"
    event = message_event("U0KEY1", "D0KEY1", typed)
    assert "5 &lt; 6 &amp;&amp; x" in event[0].decode()  # as Slack delivers it
    await deliver(running, event)
    details = await TicketEvent.get(ticket_id=ticket.id, kind="details_added")
    assert details.detail["text"] == typed  # stored as the person typed it
    (note,) = [n for n in thread_notes(running, ticket) if "added details:" in n]
    assert note.endswith("\n5 &lt; 6 &amp;&amp; x")  # mrkdwn for `5 < 6 && x`
    assert "&amp;lt;" not in note and "&amp;amp;" not in note


@sqlite_only
async def test_a_message_shortcut_prefills_the_form_with_the_text_decoded_once(running: RunningBot) -> None:
    typed = "Tags like &lt;b&gt; show raw & 5 < 6"  # what the person wrote, entities and all
    status, _ = await running.slack.send(*message_action("U0KEY1", Callback.RAISE_SHORTCUT, typed))
    assert status == 200
    (opened,) = await running.standin.wait_for("views.open")
    description = next(b for b in opened.args["view"]["blocks"] if b["block_id"] == Block.DESCRIPTION)
    assert description["element"]["initial_value"] == typed


@sqlite_only
async def test_a_message_shortcut_from_a_stranger_where_the_bot_is_not_is_answered_through_its_response_url(
    running: RunningBot,
) -> None:
    for channel in ("C0GENERAL", "D0PEOPLE"):  # a channel without the bot; a DM between two people
        before = len(running.standin.responses)
        status, _ = await running.slack.send(
            *message_action("U0STRANGER", Callback.RAISE_SHORTCUT, "It broke", channel_id=channel)
        )
        assert status == 200
        await BOLT_TASKS.drain()
        (answer,) = running.standin.responses[before:]
        assert answer.user == "U0STRANGER" and answer.response_type == "ephemeral", channel
        assert "through your company's key users" in answer.text, channel
    assert running.standin.calls_to("views.open") == []
    assert running.standin.posts_to("U0STRANGER") == []  # the response URL was enough


@sqlite_only
async def test_a_message_shortcut_whose_response_url_fails_is_answered_by_dm(running: RunningBot) -> None:
    dead = running.standin.root_url + "response/unknown"  # Slack answers 404 no_service
    status, _ = await running.slack.send(
        *message_action("U0STRANGER", Callback.RAISE_SHORTCUT, "It broke", response_url=dead)
    )
    assert status == 200
    await BOLT_TASKS.drain()
    # Not in #general (the bot is not there), so neither the URL nor an ephemeral message can carry it.
    assert [c.error for c in running.standin.calls_to("chat.postEphemeral")] == ["not_in_channel"]
    (dm,) = running.standin.posts_to("U0STRANGER")
    assert "through your company's key users" in dm.args["text"]


async def test_a_refused_click_that_cannot_be_answered_in_place_is_answered_by_dm(
    running: RunningBot,
) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    # From the App Home: no channel and no response URL to answer in.
    status, _ = await running.slack.send(
        *block_actions("U0ENG2", Action.CLAIM, str(ticket.id), container_type="view")
    )
    assert status == 200
    await running.settle()
    (dm,) = running.standin.posts_to("U0ENG2")
    assert f"SUP-{ticket.id}" in dm.args["text"] and "<@U0ENG1>" in dm.args["text"]
    # From the key user's DM, with a response URL Slack refuses: a DM again, not an ephemeral there.
    dead = running.standin.root_url + "response/unknown"
    status, _ = await running.slack.send(
        *block_actions("U0KEY1", Action.REOPEN, str(ticket.id), channel_id="D0KEY1", response_url=dead)
    )
    assert status == 200
    await running.settle()
    assert running.standin.posts_to("U0KEY1")[-1].args["text"] == f"SUP-{ticket.id} is not resolved."
    assert running.standin.calls_to("chat.postEphemeral") == []
