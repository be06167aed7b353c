"""What the stand-in offers a playground: change listeners, a person's thread replies, views an app puts
on screen by answering a submission."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.standin import SlackStandIn
from bot.standin.errors import SlackError

MODAL = {"type": "modal", "title": {"type": "plain_text", "text": "Raise"}, "blocks": []}


async def test_listeners_hear_every_call_and_response_as_it_is_recorded(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    heard: list[tuple[int, int]] = []
    unsubscribe = standin.subscribe(lambda: heard.append((len(standin.calls), len(standin.responses))))
    await client.chat_postMessage(channel="C0SUPPORT", text="hi")
    url = standin.new_response_url("U0KEY1", "C0SUPPORT")
    async with aiohttp.ClientSession() as session, session.post(url, json={"text": "only you"}) as answer:
        assert answer.status == 200
    assert heard == [(1, 0), (1, 1)]
    unsubscribe()
    await client.chat_postMessage(channel="C0SUPPORT", text="again")
    assert len(heard) == 2
    unsubscribe()  # twice is harmless


async def test_a_persons_reply_is_seeded_into_its_thread(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    parent = (await client.chat_postMessage(channel="C0SUPPORT", text="SUP-1"))["ts"]
    ts = standin.seed_message("C0SUPPORT", "it works &amp; thanks", user="U0KEY1", thread_ts=parent)
    (reply,) = standin.replies("C0SUPPORT", parent)
    assert reply == {"type": "message", "user": "U0KEY1", "text": "it works &amp; thanks", "ts": ts,
                     "thread_ts": parent}  # fmt: skip


async def test_show_view_updates_in_place_or_pushes_on_top(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    opened = (await client.views_open(trigger_id="1.2.3", view=MODAL))["view"]
    updated = standin.show_view({**MODAL, "callback_id": "second"}, opened["id"])
    assert updated["id"] == opened["id"] and updated["hash"] != opened["hash"]
    assert standin.views[opened["id"]]["callback_id"] == "second"
    pushed = standin.show_view(MODAL, previous_view_id=opened["id"])
    assert pushed["id"] != opened["id"]
    assert pushed["previous_view_id"] == opened["id"] and pushed["root_view_id"] == opened["id"]
    with pytest.raises(SlackError) as refused:
        standin.show_view({**MODAL, "title": {"type": "plain_text", "text": "x" * 25}}, opened["id"])
    assert refused.value.error == "invalid_arguments"
    with pytest.raises(SlackError, match="not_found"):
        standin.show_view(MODAL, "V0NOPE")
