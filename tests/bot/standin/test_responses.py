"""Response URLs: what an app answers to a command, shortcut or click lands on the stand-in, within limits."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.clock import FakeClock
from bot.standin import SlackStandIn
from bot.standin.payloads import SlackClient, block_actions, message_action, slash_command
from tests.bot.standin.helpers import eventually, serve_bolt

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


async def test_a_response_url_takes_slack_shaped_json_and_records_it(standin: SlackStandIn) -> None:
    url = standin.new_response_url(user="U0KEY1", channel="C0GENERAL")
    assert url.startswith(standin.root_url + "response/")
    hook = AsyncWebhookClient(url)
    answer = await hook.send(text="Only you can see this")
    assert answer.status_code == 200 and json.loads(answer.body) == {"ok": True}
    said = await hook.send(text="Everyone sees this", response_type="in_channel")
    assert said.status_code == 200
    first, second = standin.responses
    assert (first.user, first.channel, first.text, first.response_type) == (
        "U0KEY1", "C0GENERAL", "Only you can see this", "ephemeral",
    )  # fmt: skip
    assert second.response_type == "in_channel"
    # in_channel shows in the conversation, even one the app is not in: response URLs work anywhere
    assert [m["text"] for m in standin.messages_in("C0GENERAL")] == ["Everyone sees this"]


async def test_five_uses_then_used_url(standin: SlackStandIn) -> None:
    hook = AsyncWebhookClient(standin.new_response_url(user="U0KEY1", channel="C0SUPPORT"))
    for n in range(5):
        assert (await hook.send(text=f"answer {n}")).status_code == 200
    sixth = await hook.send(text="one more")
    assert sixth.status_code == 404 and json.loads(sixth.body)["error"] == "used_url"
    assert len(standin.responses) == 5


async def test_thirty_minutes_on_the_stand_ins_clock(standin: SlackStandIn, clock: FakeClock) -> None:
    hook = AsyncWebhookClient(standin.new_response_url())
    clock.advance(30 * 60)
    assert (await hook.send(text="just in time")).status_code == 200
    clock.advance(1)
    late = await hook.send(text="too late")
    assert late.status_code == 404 and json.loads(late.body)["error"] == "expired_url"
    assert [r.text for r in standin.responses] == ["just in time"]


async def test_replace_and_delete_the_original_message(standin: SlackStandIn) -> None:
    client = standin.web_client()
    ts = (await client.chat_postMessage(channel="C0SUPPORT", text="Claim me"))["ts"]
    hook = AsyncWebhookClient(standin.new_response_url("U0ENG1", "C0SUPPORT", message_ts=ts))
    assert (await hook.send(text="Claimed by Sam", replace_original=True)).status_code == 200
    assert standin.message("C0SUPPORT", ts)["text"] == "Claimed by Sam"
    assert (await hook.send(delete_original=True)).status_code == 200
    assert standin.messages_in("C0SUPPORT") == []


async def test_bad_posts_and_unknown_urls(standin: SlackStandIn) -> None:
    url = standin.new_response_url()
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=b"{not json", headers={"Content-Type": "application/json"}) as r:
            assert r.status == 400 and (await r.json())["error"] == "invalid_payload"
        async with session.post(url, json={"response_type": "ephemeral"}) as r:
            assert r.status == 400 and (await r.json())["error"] == "no_text"
        async with session.post(standin.root_url + "response/nope", json={"text": "x"}) as r:
            assert r.status == 404 and (await r.json())["error"] == "no_service"
    assert standin.responses == []


async def test_slack_client_hands_the_app_live_response_urls(standin: SlackStandIn) -> None:
    """Bolt's respond() posts to the request's response_url: with the stand-in as source, it lands there."""
    app = AsyncApp(client=standin.web_client(), signing_secret=SECRET)

    @app.command("/support")
    async def on_command(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond("Working on it")

    @app.action("claim")
    async def on_claim(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond(text="Claimed", replace_original=True)

    @app.message_shortcut("escalate")
    async def on_shortcut(ack: AsyncAck, respond: AsyncRespond, shortcut: dict[str, Any]) -> None:
        await ack()
        await respond(f"Escalating: {shortcut['message']['text']}")

    ts = (await standin.web_client().chat_postMessage(channel="C0SUPPORT", text="Claim me"))["ts"]
    async with serve_bolt(app) as url, aiohttp.ClientSession() as session:
        slack = SlackClient(session, url, SECRET, response_urls=standin)
        assert (await slack.send(*slash_command("U0KEY1", channel_id="C0GENERAL")))[0] == 200
        assert (await slack.send(*block_actions("U0ENG1", "claim", "T-1", message_ts=ts)))[0] == 200
        assert (await slack.send(*message_action("U0KEY1", "escalate", "a < b")))[0] == 200
        await standin.wait_until(lambda: len(standin.responses) == 3, what="three responses")
    by_text = {r.text: r for r in standin.responses}
    assert (by_text["Working on it"].user, by_text["Working on it"].channel) == ("U0KEY1", "C0GENERAL")
    assert by_text["Claimed"].user == "U0ENG1" and standin.message("C0SUPPORT", ts)["text"] == "Claimed"
    assert "Escalating: a &lt; b" in by_text


async def test_explicit_response_urls_are_left_alone(standin: SlackStandIn) -> None:
    class Source:
        def __init__(self) -> None:
            self.asked = 0

        def new_response_url(self, *args: Any) -> str:
            self.asked += 1
            return "http://example.invalid/"

    source = Source()
    mine = standin.new_response_url("U0KEY1")
    app = AsyncApp(client=standin.web_client(), signing_secret=SECRET)
    seen: list[str] = []

    @app.command("/support")
    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack()
        seen.append(command["response_url"])

    async with serve_bolt(app) as url, aiohttp.ClientSession() as session:
        slack = SlackClient(session, url, SECRET, response_urls=source)
        await slack.send(*slash_command("U0KEY1", response_url=mine))
        await slack.send(*slash_command("U0KEY1"))
        await eventually(lambda: len(seen) == 2, what="two commands")
    assert seen == [mine, "http://example.invalid/"] and source.asked == 1
