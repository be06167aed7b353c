"""The stand-in's Web API through a real slack_sdk client: tokens, round trips, failures, stalls."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.standin import DEFAULT_SCOPES, SlackStandIn
from tests.bot.standin.helpers import error_of, slack_error


async def test_base_url_auth_test_and_the_scopes_header(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    assert standin.base_url.startswith("http://127.0.0.1:") and standin.base_url.endswith("/api/")
    resp = await client.auth_test()
    assert resp["user_id"] == "U0BOT" and resp["bot_id"] == "B0BOT" and resp["team_id"] == "T0TEAM"
    assert resp["url"] and resp["team"] and resp["user"]
    assert set(resp.headers["X-OAuth-Scopes"].split(",")) == DEFAULT_SCOPES
    call = standin.calls_to("auth.test")[0]
    assert call.headers["authorization"] == "Bearer xoxb-test-token" and not call.failed
    # Errors carry the header too, and it follows what is granted.
    standin.scopes = {"chat:write"}
    error = await slack_error(client.users_info(user="U0KEY1"))
    assert error.response.headers["X-OAuth-Scopes"] == "chat:write"


async def test_wrong_or_missing_token(standin: SlackStandIn) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=standin.base_url)
    assert await error_of(wrong.chat_postMessage(channel="C0SUPPORT", text="hi")) == "invalid_auth"
    assert await error_of(AsyncWebClient(base_url=standin.base_url).auth_test()) == "not_authed"
    assert [c.failed for c in standin.calls] == [True, True]
    assert standin.messages == {}


@pytest.mark.parametrize("state", ["invalid_auth", "account_inactive", "token_revoked"])
async def test_a_dead_token_fails_every_method(
    standin: SlackStandIn, client: AsyncWebClient, state: str
) -> None:
    standin.token_state = state
    assert await error_of(client.auth_test()) == state
    assert await error_of(client.chat_postMessage(channel="C0SUPPORT", text="x")) == state
    assert await error_of(client.users_info(user="U0KEY1")) == state
    assert standin.messages == {}
    standin.reset()
    assert (await client.auth_test())["ok"]
    with pytest.raises(ValueError):
        standin.token_state = "expired"


async def test_post_update_round_trip(
    standin: SlackStandIn, client: AsyncWebClient, clock: FakeClock
) -> None:
    blocks = [{"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "*new*"}}]
    first = await client.chat_postMessage(channel="C0SUPPORT", text="Ticket 1", blocks=blocks)
    second = await client.chat_postMessage(channel="C0SUPPORT", text="Ticket 2", thread_ts=first["ts"])
    assert first["ok"] and first["channel"] == "C0SUPPORT"
    # Slack's ts is the message's epoch time (here the test's clock), unique within a channel.
    assert float(first["ts"]) == pytest.approx(clock.now().timestamp(), abs=0.001)
    assert float(second["ts"]) > float(first["ts"])
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

    assert await error_of(client.chat_update(channel="C0SUPPORT", ts="1.000000", text="x")) == (
        "message_not_found"
    )
    with pytest.raises(AssertionError):
        standin.message("C0SUPPORT", "1.000000")
    deleted = await client.chat_delete(channel="C0SUPPORT", ts=second["ts"])
    assert deleted["ok"] and [m["text"] for m in standin.messages_in("C0SUPPORT")] == ["Claimed"]


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
    view = (await client.views_open(trigger_id="t1", view=modal))["view"]
    assert view["id"].startswith("V") and view["callback_id"] == "raise"
    assert view["private_metadata"] == "meta" and view["state"] == {"values": {}} and view["hash"]
    assert await error_of(client.views_open(trigger_id="t1", view=modal)) == "exchanged_trigger_id"

    updated = await client.views_update(view_id=view["id"], view={**modal, "private_metadata": "m2"})
    assert updated["view"]["id"] == view["id"] and updated["view"]["private_metadata"] == "m2"
    stale = client.views_update(view_id=view["id"], hash=view["hash"], view=modal)
    assert await error_of(stale) == "hash_conflict"
    pushed = await client.views_push(trigger_id="t2", view=modal)
    assert pushed["view"]["id"] != view["id"]

    bad = {**modal, "title": {"type": "plain_text", "text": "x" * 25}}
    error = await slack_error(client.views_open(trigger_id="t3", view=bad))
    assert error.response["error"] == "invalid_arguments"
    assert "title" in error.response["response_metadata"]["messages"][0]

    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    published = await client.views_publish(user_id="U0KEY1", view=home)
    again = await client.views_publish(user_id="U0KEY1", view=home)
    assert published["view"]["type"] == "home" and again["view"]["id"] == published["view"]["id"]
    assert standin.home_view("U0KEY1")["blocks"] == home["blocks"]
    assert await error_of(client.views_publish(user_id="U0NOBODY", view=home)) == "user_not_found"


async def test_unknown_method(standin: SlackStandIn, client: AsyncWebClient) -> None:
    call = client.api_call("reactions.add", json={"channel": "C0SUPPORT", "name": "eyes", "timestamp": "1.2"})
    assert await error_of(call) == "unknown_method"
    assert standin.calls[0].method == "reactions.add" and standin.calls[0].failed


# ---------------------------------------------------------------------- failure injection


async def test_injected_rate_limit(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.fail("chat.update", status=429, retry_after=7)
    error = await slack_error(client.chat_update(channel="C0SUPPORT", ts="1.2", text="x"))
    assert error.response.status_code == 429 and error.response.headers["Retry-After"] == "7"
    assert error.response["error"] == "ratelimited"
    call = standin.calls_to("chat.update")[0]
    assert call.failed and call.status == 429 and call.error == "ratelimited" and not call.rate_limited
    assert standin.pending_failures() == 0 and standin.rate_limited == 0

    # slack_sdk's retry handler honours it and the next attempt goes through
    standin.fail("chat.postMessage", status=429, retry_after=0)
    retrying = standin.web_client(retry_handlers=[AsyncRateLimitErrorRetryHandler()])
    assert (await retrying.chat_postMessage(channel="C0SUPPORT", text="hello"))["ok"]
    assert [c.failed for c in standin.calls_to("chat.postMessage")] == [True, False]


async def test_server_errors(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.fail("users.info", status=500)
    assert (await slack_error(client.users_info(user="U0KEY1"))).response.status_code == 500
    assert (await client.users_info(user="U0KEY1"))["ok"]

    standin.fail("chat.postMessage", status=503, times=2)
    interval = FixedValueRetryIntervalCalculator(0.01)
    retrying = standin.web_client(
        retry_handlers=[AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=interval)]
    )
    assert (await retrying.chat_postMessage(channel="C0SUPPORT", text="x"))["ok"]
    assert [c.status for c in standin.calls_to("chat.postMessage")] == [503, 503, 200]


async def test_error_answers_and_predicates(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.fail("chat.postMessage", status=200, error="cannot_dm_bot")
    error = await slack_error(client.chat_postMessage(channel="U0KEY1", text="x"))
    assert error.response.status_code == 200 and error.response["error"] == "cannot_dm_bot"

    standin.fail_for("chat.postMessage", lambda a: a.get("channel") == "U0GONE", error="account_inactive")
    for _ in range(2):
        assert await error_of(client.chat_postMessage(channel="U0GONE", text="x")) == "account_inactive"
    assert (await client.chat_postMessage(channel="U0KEY1", text="x"))["ok"]
    errors = [c.error for c in standin.calls_to("chat.postMessage")]
    assert errors == ["cannot_dm_bot", "account_inactive", "account_inactive", None]
    with pytest.raises(ValueError):
        standin.fail("chat.update", status=200)
    standin.reset()
    assert standin.calls == [] and standin.pending_failures() == 0 and standin.messages == {}
    assert "U0KEY1" in standin.users and "C0SUPPORT" in standin.channels  # the workspace stays


# ---------------------------------------------------------------------- waiting, latency, going dark


async def test_wait_for(standin: SlackStandIn, client: AsyncWebClient) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        for i in range(3):
            await client.chat_postMessage(channel="C0SUPPORT", text=str(i))

    task = asyncio.create_task(later())
    calls = await standin.wait_for("chat.postMessage", count=3, timeout=5)
    assert [c.args["text"] for c in calls] == ["0", "1", "2"]
    await task
    with pytest.raises(AssertionError, match=r"chat\.update.*chat\.postMessage"):
        await standin.wait_for("chat.update", timeout=0.1)


async def test_latency() -> None:
    async with SlackStandIn(latency=0.2) as slow:
        started = time.monotonic()
        await slow.web_client().auth_test()
        assert time.monotonic() - started >= 0.2
        assert slow.calls[0].at >= started  # the default clock is time.monotonic


async def wait_held(standin: SlackStandIn, count: int) -> None:
    for _ in range(200):
        if standin.waiting == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{standin.waiting} requests held, expected {count}")


async def test_going_dark_holds_requests_until_released(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    standin.stall_until_released()
    task = asyncio.create_task(client.chat_postMessage(channel="C0SUPPORT", text="held"))
    await wait_held(standin, 1)
    assert standin.stalled and not task.done() and standin.calls == []
    standin.release()
    assert (await task)["ok"] and not standin.stalled and standin.waiting == 0
    assert [m["text"] for m in standin.messages_in("C0SUPPORT")] == ["held"]


async def test_going_dark_makes_clients_time_out_then_answers_again(standin: SlackStandIn) -> None:
    impatient = standin.web_client(timeout=1)
    standin.stall(1.5)
    started = time.monotonic()
    with pytest.raises((TimeoutError, aiohttp.ServerTimeoutError)):
        await impatient.auth_test()
    assert 0.9 <= time.monotonic() - started < 1.5 and standin.stalled
    await asyncio.sleep(0.6)  # past the deadline: lit again on its own
    assert not standin.stalled and (await impatient.auth_test())["ok"]


async def test_stopping_releases_held_requests() -> None:
    server = await SlackStandIn().start()
    task = asyncio.create_task(server.web_client().auth_test())
    server.stall_until_released()
    await wait_held(server, 1)
    started = time.monotonic()
    await server.stop()
    assert time.monotonic() - started < 5
    try:
        await asyncio.wait_for(task, 5)
    except (SlackApiError, aiohttp.ClientError):
        pass  # answered or cut off by the shutdown; either way not left hanging
