"""Requests as Slack sends them: signatures, shapes, encoded message text and subtypes, accepted by Bolt."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.signature import SignatureVerifier

from bot.standin import SlackStandIn
from bot.standin import payloads as sr
from tests.bot.standin.helpers import eventually, serve_bolt

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def form_payload(built: sr.Body) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(parse_qs(built[0].decode())["payload"][0])
    return data


def event_of(built: sr.Body) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(built[0])["event"]
    return data


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
    body, _ = sr.slash_command("U0KEY1", "p1 <checkout> & co", channel_id="C0GENERAL")
    fields = {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert fields["command"] == "/support" and fields["user_id"] == "U0KEY1"
    assert fields["text"] == "p1 <checkout> & co"  # should_escape: false, as typed
    for key in ("token", "team_id", "team_domain", "channel_name", "user_name", "api_app_id",
                "is_enterprise_install", "response_url", "trigger_id"):  # fmt: skip
        assert fields[key]
    assert sr.slash_command("U1")[0] != sr.slash_command("U1")[0]  # fresh trigger ids

    values = {
        "title": {"t": sr.text_value("Checkout <fails>")},
        "prio": {"p": sr.select_value("P1", "P1 Emergency")},
        "kind": {"k": sr.radio_value(None)},
        "who": {"w": sr.users_select_value("U0ENG1")},
    }
    sub = form_payload(sr.view_submission("U0KEY1", "raise", values, private_metadata="m"))
    assert sub["type"] == "view_submission" and sub["view"]["callback_id"] == "raise"
    assert sub["view"]["state"]["values"]["title"]["t"]["value"] == "Checkout <fails>"  # as typed
    assert sub["view"]["state"]["values"]["prio"]["p"]["selected_option"]["value"] == "P1"
    assert sub["view"]["state"]["values"]["kind"]["k"] == {"type": "radio_buttons", "selected_option": None}
    assert sub["view"]["private_metadata"] == "m" and sub["view"]["id"] == "V0VIEW"

    act = form_payload(sr.block_actions("U0ENG1", "claim", "T-1", channel_id="D0ENG1", message_ts="1.2"))
    assert act["container"] == {
        "type": "message",
        "message_ts": "1.2",
        "channel_id": "D0ENG1",
        "is_ephemeral": False,
    }
    assert act["actions"][0]["value"] == "T-1" and act["message"]["ts"] == "1.2"
    assert act["response_url"].startswith("https://hooks.slack.com/actions/")
    home = form_payload(sr.block_actions("U0ENG1", "claim", "T-1", container_type="view"))
    assert home["container"]["type"] == "view" and "message" not in home and home["view"]["type"] == "home"
    assert "response_url" not in home

    event = json.loads(sr.app_home_opened("U0KEY1", event_id="Ev1")[0])
    assert event["event_id"] == "Ev1" and event["event"]["channel"] == "D0KEY1"
    assert json.loads(sr.url_verification("abc")[0])["challenge"] == "abc"


def test_response_urls_can_be_given() -> None:
    url = "http://127.0.0.1:9/response/abc"
    assert form_payload(sr.block_actions("U0ENG1", "claim", response_url=url))["response_url"] == url
    assert form_payload(sr.message_action("U0KEY1", "raise", "x", response_url=url))["response_url"] == url
    assert form_payload(sr.shortcut("U0KEY1", "raise", response_url=url))["response_url"] == url
    assert "response_url" not in form_payload(sr.shortcut("U0KEY1", "raise"))  # Slack sends none by default
    command = parse_qs(sr.slash_command("U0KEY1", response_url=url)[0].decode())
    assert command["response_url"] == [url]


def test_message_text_arrives_encoded_as_from_slack() -> None:
    typed = "if a < b && c > d then <!here>"
    assert event_of(sr.message_event("U0KEY1", "C0SUPPORT", typed))["text"] == (
        "if a &lt; b &amp;&amp; c &gt; d then &lt;!here&gt;"
    )
    markup = f"{sr.encode('a < b')}, ask <@U0EXEC1> or see <https://example.com/x?a=1&amp;b=2|the doc>"
    assert event_of(sr.message_event("U0KEY1", "D0KEY1", markup, raw=True))["text"] == markup
    shortcut = form_payload(sr.message_action("U0KEY1", "raise", "Export is <broken> & slow"))
    assert shortcut["message"]["text"] == "Export is &lt;broken&gt; &amp; slow"
    raw = form_payload(sr.message_action("U0KEY1", "raise", "ping <@U0ENG1>", raw=True))
    assert raw["message"]["text"] == "ping <@U0ENG1>"


def test_message_subtypes() -> None:
    plain = event_of(sr.message_event("U0KEY1", "D0KEY1", "hi", thread_ts="1.1"))
    assert plain["user"] == "U0KEY1" and "subtype" not in plain and plain["channel_type"] == "im"
    assert plain["thread_ts"] == "1.1" and plain["client_msg_id"]

    shared = event_of(sr.message_event("U0KEY1", "C0SUPPORT", "the log <attached>", subtype="file_share"))
    assert shared["subtype"] == "file_share" and shared["user"] == "U0KEY1"
    assert shared["text"] == "the log &lt;attached&gt;"
    (file,) = shared["files"]
    assert file["permalink"].startswith("https://acme.slack.com/files/") and file["id"] and file["name"]
    mine = sr.shared_file("trace.txt", file_id="F0TRACE")
    assert event_of(sr.message_event("U0KEY1", "C0SUPPORT", "", subtype="file_share", files=[mine]))[
        "files"
    ] == [mine]

    broadcast = event_of(
        sr.message_event("U0KEY1", "C0SUPPORT", "also here", "1.1", subtype="thread_broadcast")
    )
    assert broadcast["subtype"] == "thread_broadcast" and broadcast["thread_ts"] == "1.1"
    assert broadcast["root"]["ts"] == "1.1" and broadcast["user"] == "U0KEY1"
    with pytest.raises(ValueError):
        sr.message_event("U0KEY1", "C0SUPPORT", "x", subtype="thread_broadcast")

    changed = event_of(
        sr.message_event(
            "U0KEY1", "C0SUPPORT", "new <text>", ts="5.5", previous_text="old", subtype="message_changed"
        )
    )
    assert changed["subtype"] == "message_changed" and "user" not in changed and changed["hidden"] is True
    assert changed["message"]["text"] == "new &lt;text&gt;" and changed["message"]["user"] == "U0KEY1"
    assert changed["message"]["ts"] == "5.5" and changed["previous_message"]["text"] == "old"
    assert changed["ts"] != "5.5"  # the event's own ts

    deleted = event_of(sr.message_event("U0KEY1", "C0SUPPORT", "", ts="5.5", subtype="message_deleted"))
    assert (
        deleted["subtype"] == "message_deleted" and deleted["deleted_ts"] == "5.5" and "user" not in deleted
    )

    bot = event_of(
        sr.message_event("U0KEY1", "C0SUPPORT", "deploy done", subtype="bot_message", bot_id="B0CI")
    )
    assert bot["subtype"] == "bot_message" and bot["bot_id"] == "B0CI" and "user" not in bot

    join = event_of(sr.message_event("U0ENG2", "C0SUPPORT", "", subtype="channel_join"))
    assert join["subtype"] == "channel_join" and join["text"] == "<@U0ENG2> has joined the channel"
    with pytest.raises(ValueError):
        sr.message_event("U0KEY1", "C0SUPPORT", "x", subtype="me_message")


async def test_requests_reach_bolt_listeners(standin: SlackStandIn) -> None:
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

    @app.event({"type": "message", "subtype": "file_share"})
    async def on_file(event: dict[str, Any]) -> None:
        seen.append(f"file:{event['files'][0]['name']}")

    async with serve_bolt(app) as url, aiohttp.ClientSession() as session:
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
        file_share = sr.message_event(
            "U0KEY1", "C0SUPPORT", "log", subtype="file_share", files=[sr.shared_file("a.log")]
        )
        assert (await slack.send(*file_share))[0] == 200
        status, text = await slack.send(*sr.url_verification("chal"))
        assert status == 200 and "chal" in text

        # Bolt rejects unsigned, stale or wrongly signed requests
        assert (await slack.send(*sr.slash_command("U0KEY1"), sign=False))[0] == 401
        stale = int(time.time()) - 600
        assert (await slack.send(*sr.slash_command("U0KEY1"), timestamp=stale))[0] == 401
        forged = sr.SlackClient(session, url, "not-the-secret")
        assert (await forged.send(*sr.slash_command("U0KEY1")))[0] == 401
        await eventually(lambda: len(seen) == 6, what="six listeners")
    assert seen == [
        "command:help",
        "action:T-7",
        "view:hi",
        "shortcut:checkout is down",
        "home:U0KEY1",
        "file:a.log",
    ]
    assert standin.calls_to("auth.test")


async def test_a_closed_view_reaches_bolts_view_closed_listener(standin: SlackStandIn) -> None:
    app = AsyncApp(client=standin.web_client(), signing_secret=SECRET)
    seen: list[tuple[str, bool]] = []

    @app.view_closed("raise")
    async def on_closed(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        seen.append((body["user"]["id"], body["is_cleared"]))

    view = sr.full_view({"id": "V0RAISE", "type": "modal", "callback_id": "raise", "notify_on_close": True})
    async with serve_bolt(app) as url, aiohttp.ClientSession() as session:
        slack = sr.SlackClient(session, url, SECRET)
        assert (await slack.send(*sr.view_closed("U0KEY1", view, is_cleared=True)))[0] == 200
        await eventually(lambda: len(seen) == 1, what="the view_closed listener")
    assert seen == [("U0KEY1", True)]
