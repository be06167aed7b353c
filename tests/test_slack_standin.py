"""The Slack stand-in and request builders, checked against the real slack_sdk client and Bolt."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests import slack_requests as sr
from tests.slack_standin import SlackStandIn

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as s:
        yield s


@pytest.fixture
def client(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=standin.token, base_url=standin.base_url)


# ---------------------------------------------------------------------- Web API


async def test_base_url_and_auth_test(standin: SlackStandIn, client: AsyncWebClient) -> None:
    assert standin.base_url.startswith("http://127.0.0.1:") and standin.base_url.endswith("/api/")
    resp = await client.auth_test()
    assert resp["user_id"] == "U0BOT" and resp["bot_id"] == "B0BOT" and resp["team_id"] == "T0TEAM"
    assert resp["url"] and resp["team"] and resp["user"]
    call = standin.calls_to("auth.test")[0]
    assert call.headers["authorization"] == "Bearer xoxb-test-token" and not call.failed


async def test_wrong_or_missing_token(standin: SlackStandIn) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=standin.base_url)
    with pytest.raises(SlackApiError) as info:
        await wrong.chat_postMessage(channel="C1", text="hi")
    assert info.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as info:
        await AsyncWebClient(base_url=standin.base_url).auth_test()
    assert info.value.response["error"] == "not_authed"
    assert [c.failed for c in standin.calls] == [True, True]
    assert standin.messages == {}


async def test_post_update_round_trip(standin: SlackStandIn, client: AsyncWebClient) -> None:
    blocks = [{"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "*new*"}}]
    first = await client.chat_postMessage(channel="C0SUPPORT", text="Ticket 1", blocks=blocks)
    second = await client.chat_postMessage(channel="C0SUPPORT", text="Ticket 2", thread_ts=first["ts"])
    assert first["ok"] and first["channel"] == "C0SUPPORT"
    assert first["ts"] == "1700000000.000100" and float(second["ts"]) > float(first["ts"])
    assert first["message"]["text"] == "Ticket 1" and first["message"]["blocks"] == blocks
    assert standin.calls_to("chat.postMessage")[0].encoding == "json"

    new_blocks = [{"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "*claimed*"}}]
    updated = await client.chat_update(channel="C0SUPPORT", ts=first["ts"], text="Claimed", blocks=new_blocks)
    assert updated["ts"] == first["ts"] and updated["text"] == "Claimed"
    msg = standin.message("C0SUPPORT", first["ts"])
    assert msg["text"] == "Claimed" and msg["blocks"] == new_blocks
    assert len(standin.message_history[("C0SUPPORT", first["ts"])]) == 2
    assert [m["text"] for m in standin.messages_in("C0SUPPORT")] == ["Claimed", "Ticket 2"]
    assert [m["text"] for m in standin.replies("C0SUPPORT", first["ts"])] == ["Ticket 2"]
    assert len(standin.posts_to("C0SUPPORT")) == 2

    with pytest.raises(SlackApiError) as info:
        await client.chat_update(channel="C0SUPPORT", ts="1.000000", text="x")
    assert info.value.response["error"] == "message_not_found"
    with pytest.raises(AssertionError):
        standin.message("C0SUPPORT", "1.000000")


async def test_dm_by_user_id_and_other_chat_methods(standin: SlackStandIn, client: AsyncWebClient) -> None:
    resp = await client.chat_postMessage(channel="U0ENG1", text="You are on call")
    assert resp["channel"] == "D0ENG1"
    assert standin.message("D0ENG1", resp["ts"])["text"] == "You are on call"
    assert len(standin.posts_to("U0ENG1")) == 1 and len(standin.posts_to("D0ENG1")) == 1
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="U0BOT", text="me")
    assert info.value.response["error"] == "cannot_dm_bot"

    eph = await client.chat_postEphemeral(channel="C0SUPPORT", user="U0KEY1", text="only you")
    assert eph["message_ts"]
    link = await client.chat_getPermalink(channel="C0SUPPORT", message_ts="1700000000.000100")
    assert link["permalink"] == "https://acme.slack.com/archives/C0SUPPORT/p1700000000000100"

    with pytest.raises(SlackApiError) as info, pytest.warns(UserWarning, match="text"):
        await client.chat_postMessage(channel="C0SUPPORT")
    assert info.value.response["error"] == "no_text"
    too_many = [{"type": "divider"} for _ in range(51)]
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="C0SUPPORT", text="x", blocks=too_many)
    assert info.value.response["error"] == "invalid_blocks"


async def test_users_info_via_get(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.users["U0KEY1"] = {"tz": "Europe/Berlin", "email": "kim@acme.test", "real_name": "Kim K"}
    standin.users["U0GONE"] = {"deleted": True}
    kim = (await client.users_info(user="U0KEY1"))["user"]
    assert kim["id"] == "U0KEY1" and kim["tz"] == "Europe/Berlin" and kim["real_name"] == "Kim K"
    assert kim["tz_offset"] in (3600, 7200) and kim["tz_label"].startswith("Central European")
    assert kim["profile"]["email"] == "kim@acme.test" and kim["name"]
    call = standin.calls_to("users.info")[0]
    assert call.http_method == "GET" and call.encoding == "query" and call.args == {"user": "U0KEY1"}

    stranger = (await client.users_info(user="U0NEW"))["user"]
    assert stranger["tz"] == "America/Chicago" and stranger["tz_offset"] in (-21600, -18000)
    gone = await client.users_info(user="U0GONE")
    assert gone["ok"] and gone["user"]["deleted"] is True

    found = await client.users_lookupByEmail(email="KIM@acme.test")
    assert found["user"]["id"] == "U0KEY1"
    with pytest.raises(SlackApiError) as info:
        await client.users_lookupByEmail(email="nobody@acme.test")
    assert info.value.response["error"] == "users_not_found"


async def test_conversations_open(standin: SlackStandIn, client: AsyncWebClient) -> None:
    resp = await client.conversations_open(users="U0ENG1")
    assert resp["channel"]["id"] == "D0ENG1"
    assert standin.calls_to("conversations.open")[0].args == {"users": "U0ENG1"}
    # a form-encoded body is understood too (Slack accepts both)
    async with aiohttp.ClientSession() as session:
        async with session.post(
            standin.base_url + "conversations.open",
            data={"users": "U0ENG2"},
            headers={"Authorization": f"Bearer {standin.token}"},
        ) as r:
            body = await r.json()
    assert body == {"ok": True, "no_op": False, "already_open": False, "channel": {"id": "D0ENG2"}}
    assert standin.calls[-1].encoding == "form"


async def test_views(standin: SlackStandIn, client: AsyncWebClient) -> None:
    modal = {
        "type": "modal",
        "callback_id": "raise",
        "title": {"type": "plain_text", "text": "Raise a ticket"},
        "submit": {"type": "plain_text", "text": "Submit"},
        "private_metadata": "meta",
        "blocks": [
            {"type": "input", "block_id": "b", "label": {"type": "plain_text", "text": "T"},
             "element": {"type": "plain_text_input", "action_id": "a"}},
        ],
    }  # fmt: skip
    opened = await client.views_open(trigger_id="t1", view=modal)
    view = opened["view"]
    assert (
        view["id"].startswith("V") and view["callback_id"] == "raise" and view["private_metadata"] == "meta"
    )
    assert view["state"] == {"values": {}} and view["hash"]
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id="t1", view=modal)
    assert info.value.response["error"] == "exchanged_trigger_id"

    updated = await client.views_update(view_id=view["id"], view={**modal, "private_metadata": "m2"})
    assert updated["view"]["id"] == view["id"] and updated["view"]["private_metadata"] == "m2"
    with pytest.raises(SlackApiError) as info:
        await client.views_update(view_id=view["id"], hash=view["hash"], view=modal)
    assert info.value.response["error"] == "hash_conflict"

    pushed = await client.views_push(trigger_id="t2", view=modal)
    assert pushed["view"]["id"] != view["id"]

    bad = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    with pytest.raises(SlackApiError) as info:
        await client.views_open(trigger_id="t3", view=bad)
    assert info.value.response["error"] == "invalid_arguments"
    assert "title" in info.value.response["response_metadata"]["messages"][0]

    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    published = await client.views_publish(user_id="U0KEY1", view=home)
    again = await client.views_publish(user_id="U0KEY1", view=home)
    assert published["view"]["type"] == "home" and again["view"]["id"] == published["view"]["id"]
    assert standin.home_view("U0KEY1")["blocks"] == home["blocks"]


async def test_unknown_method(standin: SlackStandIn, client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as info:
        await client.api_call("reactions.add", json={"channel": "C1", "name": "eyes", "timestamp": "1.2"})
    assert info.value.response["error"] == "unknown_method"
    assert standin.calls[0].method == "reactions.add" and standin.calls[0].failed


# ---------------------------------------------------------------------- failure injection


async def test_rate_limited(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.fail("chat.update", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as info:
        await client.chat_update(channel="C1", ts="1.2", text="x")
    assert info.value.response.status_code == 429
    assert info.value.response.headers["Retry-After"] == "7"
    assert info.value.response["error"] == "ratelimited"
    call = standin.calls_to("chat.update")[0]
    assert call.failed and call.status == 429 and call.error == "ratelimited"
    assert standin.pending_failures() == 0

    # slack_sdk's retry handler honours it and the next attempt goes through
    standin.fail("chat.postMessage", status=429, retry_after=0)
    retrying = AsyncWebClient(
        token=standin.token, base_url=standin.base_url, retry_handlers=[AsyncRateLimitErrorRetryHandler()]
    )
    resp = await retrying.chat_postMessage(channel="C1", text="hello")
    assert resp["ok"]
    assert [c.failed for c in standin.calls_to("chat.postMessage")] == [True, False]


async def test_server_errors(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.fail("users.info", status=500)
    with pytest.raises(SlackApiError) as info:
        await client.users_info(user="U0KEY1")
    assert info.value.response.status_code == 500
    assert (await client.users_info(user="U0KEY1"))["ok"]

    standin.fail("chat.postMessage", status=503, times=2)
    retrying = AsyncWebClient(
        token=standin.token,
        base_url=standin.base_url,
        retry_handlers=[
            AsyncServerErrorRetryHandler(
                max_retry_count=2, interval_calculator=FixedValueRetryIntervalCalculator(0.01)
            )
        ],
    )
    assert (await retrying.chat_postMessage(channel="C1", text="x"))["ok"]
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [503, 503, 200]


async def test_error_answers_and_predicates(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.fail("chat.postMessage", status=200, error="cannot_dm_bot")
    with pytest.raises(SlackApiError) as info:
        await client.chat_postMessage(channel="U0KEY1", text="x")
    assert info.value.response.status_code == 200 and info.value.response["error"] == "cannot_dm_bot"

    standin.fail_for("chat.postMessage", lambda a: a.get("channel") == "U0GONE", error="user_not_found")
    for _ in range(2):
        with pytest.raises(SlackApiError) as info:
            await client.chat_postMessage(channel="U0GONE", text="x")
        assert info.value.response["error"] == "user_not_found"
    assert (await client.chat_postMessage(channel="U0KEY1", text="x"))["ok"]
    assert [c.error for c in standin.calls_to("chat.postMessage")] == [
        "cannot_dm_bot",
        "user_not_found",
        "user_not_found",
        None,
    ]
    with pytest.raises(ValueError):
        standin.fail("chat.update", status=200)
    standin.reset()
    assert standin.calls == [] and standin.pending_failures() == 0


# ---------------------------------------------------------------------- waiting, latency


async def test_wait_for(standin: SlackStandIn, client: AsyncWebClient) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        for i in range(3):
            await client.chat_postMessage(channel="C1", text=str(i))

    task = asyncio.create_task(later())
    calls = await standin.wait_for("chat.postMessage", count=3, timeout=5)
    assert [c.args["text"] for c in calls] == ["0", "1", "2"]
    await task
    with pytest.raises(AssertionError, match=r"chat\.update.*chat\.postMessage"):
        await standin.wait_for("chat.update", timeout=0.1)


async def test_latency() -> None:
    async with SlackStandIn(latency=0.2) as slow:
        client = AsyncWebClient(token=slow.token, base_url=slow.base_url)
        started = time.monotonic()
        await client.auth_test()
        assert time.monotonic() - started >= 0.2
        assert slow.calls[0].at >= started


# ---------------------------------------------------------------------- signing and request shapes


def test_signature_accepted_by_slack_sdk() -> None:
    body, content_type = sr.slash_command("U0KEY1", "help")
    assert content_type == "application/x-www-form-urlencoded"
    headers = sr.sign(SECRET, body)
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid_request(body, headers)
    assert not verifier.is_valid_request(body + b"x", headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    old = sr.sign(SECRET, body, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, old)
    fixed = sr.sign(SECRET, b"abc", timestamp=1531420618)
    assert fixed["X-Slack-Request-Timestamp"] == "1531420618"
    assert verifier.generate_signature(timestamp="1531420618", body=b"abc") == fixed["X-Slack-Signature"]


def test_request_shapes() -> None:
    body, _ = sr.slash_command("U0KEY1", "p1 checkout", channel_id="C0GENERAL")
    fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert (
        fields["command"] == "/support" and fields["text"] == "p1 checkout" and fields["user_id"] == "U0KEY1"
    )
    for key in ("token", "team_id", "team_domain", "channel_name", "user_name", "api_app_id",
                "is_enterprise_install", "response_url", "trigger_id"):  # fmt: skip
        assert fields[key]
    assert sr.slash_command("U1")[0] != sr.slash_command("U1")[0]  # fresh trigger ids

    def payload(built: sr.Body) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(parse_qs(built[0].decode())["payload"][0])
        return data

    values = {
        "title": {"t": sr.text_value("Checkout fails")},
        "prio": {"p": sr.select_value("P1", "P1 Emergency")},
        "kind": {"k": sr.radio_value(None)},
        "who": {"w": sr.users_select_value("U0ENG1")},
    }
    sub = payload(sr.view_submission("U0KEY1", "raise", values, private_metadata="m"))
    assert sub["type"] == "view_submission" and sub["view"]["callback_id"] == "raise"
    assert sub["view"]["state"]["values"]["prio"]["p"]["selected_option"]["value"] == "P1"
    assert sub["view"]["state"]["values"]["kind"]["k"] == {"type": "radio_buttons", "selected_option": None}
    assert sub["view"]["private_metadata"] == "m" and sub["view"]["id"] == "V0VIEW"

    act = payload(sr.block_actions("U0ENG1", "claim", "T-1", channel_id="D0ENG1", message_ts="1.2"))
    assert act["container"] == {
        "type": "message",
        "message_ts": "1.2",
        "channel_id": "D0ENG1",
        "is_ephemeral": False,
    }
    assert act["actions"][0]["value"] == "T-1" and act["message"]["ts"] == "1.2"
    home = payload(sr.block_actions("U0ENG1", "claim", "T-1", container_type="view"))
    assert home["container"]["type"] == "view" and "message" not in home and home["view"]["type"] == "home"

    event = json.loads(sr.app_home_opened("U0KEY1", event_id="Ev1")[0])
    assert event["event_id"] == "Ev1" and event["event"]["channel"] == "D0KEY1"
    assert json.loads(sr.url_verification("abc")[0])["challenge"] == "abc"


# ---------------------------------------------------------------------- through Bolt, over HTTP


async def test_requests_reach_bolt_listeners(standin: SlackStandIn) -> None:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp

    app = AsyncApp(client=standin.web_client(), signing_secret=SECRET)
    seen: list[str] = []

    @app.command("/support")
    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack()
        seen.append(f"command:{command['text']}")

    @app.action("claim")
    async def on_claim(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        seen.append(f"action:{body['actions'][0]['value']}")

    @app.view("raise")
    async def on_submit(ack: AsyncAck, view: dict[str, Any]) -> None:
        await ack(response_action="errors", errors={"title": "too short"})
        seen.append(f"view:{view['state']['values']['title']['t']['value']}")

    @app.message_shortcut("escalate")
    async def on_shortcut(ack: AsyncAck, shortcut: dict[str, Any]) -> None:
        await ack()
        seen.append(f"shortcut:{shortcut['message']['text']}")

    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any]) -> None:
        seen.append(f"home:{event['user']}")

    async def endpoint(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", endpoint)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    try:
        async with aiohttp.ClientSession() as session:
            slack = sr.SlackClient(session, url, SECRET)
            assert (await slack.send(*sr.slash_command("U0KEY1", "help")))[0] == 200
            assert (await slack.send(*sr.block_actions("U0ENG1", "claim", "T-7")))[0] == 200
            status, text = await slack.send(
                *sr.view_submission("U0KEY1", "raise", {"title": {"t": sr.text_value("hi")}})
            )
            assert status == 200 and json.loads(text)["response_action"] == "errors"
            msg_action = sr.message_action("U0KEY1", "escalate", "checkout is down", "C0GENERAL", "1.2")
            assert (await slack.send(*msg_action))[0] == 200
            assert (await slack.send(*sr.app_home_opened("U0KEY1")))[0] == 200
            status, text = await slack.send(*sr.url_verification("chal"))
            assert status == 200 and "chal" in text

            # Bolt rejects unsigned, stale or wrongly signed requests
            assert (await slack.send(*sr.slash_command("U0KEY1"), sign=False))[0] == 401
            stale = int(time.time()) - 600
            assert (await slack.send(*sr.slash_command("U0KEY1"), timestamp=stale))[0] == 401
            forged = sr.SlackClient(session, url, "not-the-secret")
            assert (await forged.send(*sr.slash_command("U0KEY1")))[0] == 401

        await standin.wait_until(lambda: len(seen) == 5, timeout=5, what="five listeners")
    finally:
        await runner.cleanup()
    assert seen == [
        "command:help",
        "action:T-7",
        "view:hi",
        "shortcut:checkout is down",
        "home:U0KEY1",
    ]
    assert standin.calls_to("auth.test")
