"""Slack's rate limits on the stand-in's clock: tiers, one message a second per conversation, 429s."""

from __future__ import annotations

import time

from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.standin import Limits, SlackStandIn
from tests.bot.standin.helpers import slack_error


async def test_a_tier_3_method_takes_50_calls_in_any_60_seconds(
    standin: SlackStandIn, client: AsyncWebClient, clock: FakeClock
) -> None:
    ts = (await client.chat_postMessage(channel="C0SUPPORT", text="ticket"))["ts"]
    for n in range(25):
        await client.chat_update(channel="C0SUPPORT", ts=ts, text=f"a{n}")
    clock.advance(30)
    for n in range(25):
        await client.chat_update(channel="C0SUPPORT", ts=ts, text=f"b{n}")
    error = await slack_error(client.chat_update(channel="C0SUPPORT", ts=ts, text="one too many"))
    assert error.response.status_code == 429 and error.response["error"] == "ratelimited"
    assert error.response.headers["Retry-After"] == "30"  # when the first 25 leave the window
    assert standin.message("C0SUPPORT", ts)["text"] == "b24"
    clock.advance(28.7)
    error = await slack_error(client.chat_update(channel="C0SUPPORT", ts=ts, text="still too many"))
    assert error.response.headers["Retry-After"] == "2"  # 1.3 s: whole seconds, rounded up
    clock.advance(0.8)
    error = await slack_error(client.chat_update(channel="C0SUPPORT", ts=ts, text="still too many"))
    assert error.response.headers["Retry-After"] == "1"  # 0.5 s: at least 1
    clock.advance(0.5)
    for n in range(25):
        await client.chat_update(channel="C0SUPPORT", ts=ts, text=f"c{n}")
    assert (
        await slack_error(client.chat_update(channel="C0SUPPORT", ts=ts, text="x"))
    ).response.status_code == 429
    limited = [c for c in standin.calls_to("chat.update") if c.status == 429]
    assert len(limited) == 4 and all(c.rate_limited and c.failed for c in limited)
    assert standin.rate_limited == 4
    assert standin.rate_limited_share == 4 / len(standin.calls)


async def test_a_tier_4_method_takes_100(standin: SlackStandIn, client: AsyncWebClient) -> None:
    for _ in range(100):
        await client.users_info(user="U0KEY1")
    error = await slack_error(client.users_info(user="U0KEY1"))
    assert error.response.status_code == 429 and error.response.headers["Retry-After"] == "60"
    assert (await client.views_publish(user_id="U0ENG1", view={"type": "home", "blocks": []}))[
        "ok"
    ]  # not users.info


async def test_posts_are_paced_per_conversation(
    standin: SlackStandIn, client: AsyncWebClient, clock: FakeClock
) -> None:
    for n in range(4):  # a short burst is tolerated
        await client.chat_postMessage(channel="C0SUPPORT", text=f"burst {n}")
    error = await slack_error(client.chat_postMessage(channel="C0SUPPORT", text="too fast"))
    assert error.response.status_code == 429 and error.response.headers["Retry-After"] == "1"
    # Other conversations have their own budget; a user id and its DM are one conversation.
    for n in range(3):
        await client.chat_postMessage(channel="U0KEY1", text=f"dm {n}")
    await client.chat_postMessage(channel="D0KEY1", text="dm 3")
    error = await slack_error(client.chat_postMessage(channel="U0KEY1", text="dm too fast"))
    assert error.response.status_code == 429
    clock.advance(1)  # about one a second after the burst
    assert (await client.chat_postMessage(channel="C0SUPPORT", text="a second later"))["ok"]
    assert (
        await slack_error(client.chat_postMessage(channel="C0SUPPORT", text="x"))
    ).response.status_code == 429
    clock.advance(10)  # the burst allowance refills, up to its size
    for n in range(4):
        await client.chat_postMessage(channel="C0SUPPORT", text=f"again {n}")
    assert (
        await slack_error(client.chat_postMessage(channel="C0SUPPORT", text="x"))
    ).response.status_code == 429
    assert [m["text"] for m in standin.messages_in("C0SUPPORT")][-5:] == [
        "a second later", "again 0", "again 1", "again 2", "again 3",
    ]  # fmt: skip
    assert standin.rate_limited == 4


async def test_posts_have_a_workspace_wide_cap(clock: FakeClock) -> None:
    async with SlackStandIn(clock=clock.monotonic, limits=Limits(post_workspace_per_minute=10)) as standin:
        people = [f"U0P{n:02d}" for n in range(11)]
        for uid in people:
            standin.add_user(uid)
        client = standin.web_client()
        for uid in people[:10]:
            await client.chat_postMessage(channel=uid, text="one each")
        error = await slack_error(client.chat_postMessage(channel=people[10], text="one each"))
        assert error.response.status_code == 429 and error.response.headers["Retry-After"] == "60"
        clock.advance(60)
        assert (await client.chat_postMessage(channel=people[10], text="one each"))["ok"]


async def test_limits_can_be_switched_off_and_changed(clock: FakeClock) -> None:
    async with SlackStandIn(clock=clock.monotonic, enforce_limits=False) as standin:
        standin.add_channel("C0SUPPORT")
        client = standin.web_client()
        for n in range(20):
            await client.chat_postMessage(channel="C0SUPPORT", text=str(n))
        assert standin.rate_limited == 0 and len(standin.messages_in("C0SUPPORT")) == 20
        standin.enforce_limits = True
        standin.limiter.limits.per_minute["auth.test"] = 1
        await client.auth_test()
        assert (await slack_error(client.auth_test())).response.status_code == 429


async def test_slack_sdk_retry_handler_waits_out_retry_after_on_real_time() -> None:
    async with SlackStandIn(limits=Limits(post_burst=1)) as standin:
        standin.add_channel("C0SUPPORT")
        retrying = standin.web_client(retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)])
        await retrying.chat_postMessage(channel="C0SUPPORT", text="first")
        started = time.monotonic()
        assert (await retrying.chat_postMessage(channel="C0SUPPORT", text="second"))["ok"]
        assert time.monotonic() - started >= 0.9
        assert [c.status for c in standin.calls] == [200, 429, 200]
