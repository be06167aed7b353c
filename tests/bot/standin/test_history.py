"""conversations.history and conversations.replies: what the app may read back, as Slack gives it."""

from __future__ import annotations

from datetime import timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.standin import SlackStandIn
from tests.bot.standin.helpers import error_of

MARK = {"event_type": "secondline_message", "event_payload": {"key": "ticket:7"}}


async def test_history_is_newest_first_top_level_with_metadata_only_on_request(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    first = await client.chat_postMessage(channel="C0SUPPORT", text="SUP-7", metadata=MARK)
    await client.chat_postMessage(channel="C0SUPPORT", text="a note", thread_ts=first["ts"])
    second = await client.chat_postMessage(channel="C0SUPPORT", text="SUP-8")

    plain = await client.conversations_history(channel="C0SUPPORT")
    assert [m["text"] for m in plain["messages"]] == ["SUP-8", "SUP-7"]  # no thread replies
    assert "metadata" not in plain["messages"][1] and plain["has_more"] is False

    full = await client.conversations_history(channel="C0SUPPORT", include_all_metadata=True)
    assert full["messages"][1]["metadata"] == MARK

    newer = await client.conversations_history(channel="C0SUPPORT", oldest=first["ts"])
    assert [m["ts"] for m in newer["messages"]] == [second["ts"]]  # oldest is exclusive by default
    both = await client.conversations_history(channel="C0SUPPORT", oldest=first["ts"], inclusive=True)
    assert len(both["messages"]) == 2


async def test_history_pages_with_an_opaque_cursor(
    standin: SlackStandIn, client: AsyncWebClient, clock: FakeClock
) -> None:
    for n in range(5):
        await client.chat_postMessage(channel="C0SUPPORT", text=f"m{n}")
        clock.advance(timedelta(seconds=1))  # a message a second into one channel
    seen, cursor = [], None
    while True:
        page = await client.conversations_history(channel="C0SUPPORT", limit=2, cursor=cursor)
        seen += [m["text"] for m in page["messages"]]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == ["m4", "m3", "m2", "m1", "m0"]
    assert await error_of(client.conversations_history(channel="C0SUPPORT", cursor="%%%")) == "invalid_cursor"


async def test_replies_give_the_parent_then_the_thread(standin: SlackStandIn, client: AsyncWebClient) -> None:
    parent = await client.chat_postMessage(channel="C0SUPPORT", text="SUP-7")
    await client.chat_postMessage(channel="C0SUPPORT", text="claimed", thread_ts=parent["ts"], metadata=MARK)
    await client.chat_postMessage(channel="C0SUPPORT", text="elsewhere")
    thread = await client.conversations_replies(
        channel="C0SUPPORT", ts=parent["ts"], include_all_metadata=True
    )
    assert [m["text"] for m in thread["messages"]] == ["SUP-7", "claimed"]
    assert thread["messages"][1]["metadata"] == MARK
    later = await client.conversations_replies(channel="C0SUPPORT", ts=parent["ts"], oldest=parent["ts"])
    assert [m["text"] for m in later["messages"]] == ["SUP-7", "claimed"]  # the parent always comes first
    assert await error_of(client.conversations_replies(channel="C0SUPPORT", ts="1.0")) == "thread_not_found"


async def test_reading_needs_the_history_scope_of_the_kind_and_membership(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    dm = await client.chat_postMessage(channel="U0KEY1", text="your ticket")
    assert (await client.conversations_history(channel=dm["channel"]))["messages"][0]["text"] == "your ticket"
    assert await error_of(client.conversations_history(channel="C0GENERAL")) == "not_in_channel"
    assert await error_of(client.conversations_history(channel="G0SECRET")) == "channel_not_found"
    assert await error_of(client.conversations_history(channel="C0NOPE")) == "channel_not_found"
    standin.scopes = standin.scopes - {"im:history"}
    assert await error_of(client.conversations_history(channel=dm["channel"])) == "missing_scope"
    assert (await client.conversations_history(channel="C0SUPPORT"))["ok"]
