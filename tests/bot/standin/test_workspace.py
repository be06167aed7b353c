"""Where the app may speak and what it may learn, as Slack answers it, through the real slack_sdk client."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import aiohttp
from slack_sdk.web.async_client import AsyncWebClient

from bot.policy import Policy
from bot.standin import BOT_USER_ID, SlackStandIn
from tests.bot.standin.helpers import error_of, slack_error


async def test_post_message_only_where_the_app_is(standin: SlackStandIn, client: AsyncWebClient) -> None:
    def post(channel: str, text: str = "hi") -> Any:
        return client.chat_postMessage(channel=channel, text=text)

    assert (await client.chat_postMessage(channel="C0SUPPORT", text="hi"))["channel"] == "C0SUPPORT"
    assert await error_of(post("C0NOPE")) == "channel_not_found"
    assert await error_of(post("C0OLD")) == "is_archived"
    assert await error_of(post("C0GENERAL")) == "not_in_channel"
    assert await error_of(post("G0SECRET")) == "channel_not_found"  # private, the app not in it
    standin.remove_bot("C0SUPPORT")
    assert await error_of(post("C0SUPPORT")) == "not_in_channel"
    standin.scopes = standin.scopes | {"chat:write.public"}  # public channels then, private ones still not
    assert (await client.chat_postMessage(channel="C0GENERAL", text="hi"))["ok"]
    assert await error_of(post("G0SECRET")) == "channel_not_found"
    assert [c.args["channel"] for c in standin.calls if not c.failed] == ["C0SUPPORT", "C0GENERAL"]


async def test_dms_by_user_id(standin: SlackStandIn, client: AsyncWebClient) -> None:
    resp = await client.chat_postMessage(channel="U0ENG1", text="You are on call")
    assert resp["channel"] == "D0ENG1"
    assert standin.message("D0ENG1", resp["ts"])["text"] == "You are on call"
    assert len(standin.posts_to("U0ENG1")) == 1 and len(standin.posts_to("D0ENG1")) == 1
    assert (await client.chat_postMessage(channel="D0ENG1", text="again"))["channel"] == "D0ENG1"
    assert (await client.chat_postMessage(channel="U0GONE", text="deactivated"))["ok"]  # Slack accepts it
    assert await error_of(client.chat_postMessage(channel="U0NOBODY", text="x")) == "channel_not_found"
    assert await error_of(client.chat_postMessage(channel="D0NOBODY", text="x")) == "channel_not_found"
    assert await error_of(client.chat_postMessage(channel=BOT_USER_ID, text="me")) == "cannot_dm_bot"


async def test_message_content_checks(standin: SlackStandIn, client: AsyncWebClient) -> None:
    assert (await client.chat_postMessage(channel="C0SUPPORT", text="x" * 40_000))["ok"]
    assert await error_of(client.chat_postMessage(channel="C0SUPPORT", text="x" * 40_001)) == "msg_too_long"
    too_many = [{"type": "divider"} for _ in range(51)]
    error = await slack_error(client.chat_postMessage(channel="C0SUPPORT", text="x", blocks=too_many))
    assert error.response["error"] == "invalid_blocks"
    assert "no more than 50 items" in error.response["response_metadata"]["messages"][0]
    assert await error_of(client.api_call("chat.postMessage", json={"channel": "C0SUPPORT"})) == "no_text"
    twice = {"type": "button", "action_id": "claim", "text": {"type": "plain_text", "text": "Claim"}}
    same_ids = [{"type": "actions", "elements": [dict(twice, value="1"), dict(twice, value="2")]}]
    error = await slack_error(client.chat_postMessage(channel="U0ENG1", text="x", blocks=same_ids))
    assert error.response["error"] == "invalid_blocks"
    assert "action_id must be unique within a block" in error.response["response_metadata"]["messages"][0]


async def test_update_follows_the_posting_rules(standin: SlackStandIn, client: AsyncWebClient) -> None:
    ts = (await client.chat_postMessage(channel="C0SUPPORT", text="one"))["ts"]
    theirs = standin.seed_message("C0SUPPORT", "a person's message", user="U0KEY1")
    assert (
        await error_of(client.chat_update(channel="C0SUPPORT", ts=theirs, text="x")) == "cant_update_message"
    )
    assert await error_of(client.chat_update(channel="C0NOPE", ts=ts, text="x")) == "channel_not_found"
    too_long = client.chat_update(channel="C0SUPPORT", ts=ts, text="x" * 40_001)
    assert await error_of(too_long) == "msg_too_long"
    standin.remove_bot("C0SUPPORT")
    assert await error_of(client.chat_update(channel="C0SUPPORT", ts=ts, text="x")) == "not_in_channel"
    standin.add_bot("C0SUPPORT")
    standin.archive("C0SUPPORT")
    assert await error_of(client.chat_update(channel="C0SUPPORT", ts=ts, text="x")) == "is_archived"
    assert standin.message("C0SUPPORT", ts)["text"] == "one"


async def test_ephemeral_only_where_the_app_and_the_person_are(
    standin: SlackStandIn, client: AsyncWebClient
) -> None:
    def eph(channel: str, user: str) -> Any:
        return client.chat_postEphemeral(channel=channel, user=user, text="only you")

    assert (await client.chat_postEphemeral(channel="C0SUPPORT", user="U0KEY1", text="only you"))[
        "message_ts"
    ]
    assert (await client.chat_postEphemeral(channel="D0KEY1", user="U0KEY1", text="in the DM"))["ok"]
    assert await error_of(eph("C0SUPPORT", "U0ENG2")) == "user_not_in_channel"
    assert await error_of(eph("C0SUPPORT", "U0NOBODY")) == "user_not_found"
    assert await error_of(eph("D0KEY1", "U0ENG1")) == "user_not_in_channel"  # someone else's DM
    assert await error_of(eph("C0GENERAL", "U0KEY1")) == "not_in_channel"
    assert await error_of(eph("G0SECRET", "U0ENG1")) == "channel_not_found"
    assert await error_of(eph("C0NOPE", "U0KEY1")) == "channel_not_found"
    assert await error_of(eph("D0LEAD", "U0ENG1")) == "channel_not_found"  # a DM between people
    assert await error_of(eph("C0OLD", "U0ENG1")) == "is_archived"
    assert [(e["channel"], e["user"], e["text"]) for e in standin.ephemerals] == [
        ("C0SUPPORT", "U0KEY1", "only you"),
        ("D0KEY1", "U0KEY1", "in the DM"),
    ]


async def test_permalinks_only_for_messages_that_exist(standin: SlackStandIn, client: AsyncWebClient) -> None:
    ts = (await client.chat_postMessage(channel="C0SUPPORT", text="root"))["ts"]
    reply = (await client.chat_postMessage(channel="C0SUPPORT", text="reply", thread_ts=ts))["ts"]
    link = await client.chat_getPermalink(channel="C0SUPPORT", message_ts=ts)
    assert link["permalink"] == f"https://acme.slack.com/archives/C0SUPPORT/p{ts.replace('.', '')}"
    threaded = (await client.chat_getPermalink(channel="C0SUPPORT", message_ts=reply))["permalink"]
    assert threaded.endswith(f"?thread_ts={ts}&cid=C0SUPPORT")
    seeded = standin.seed_message("C0GENERAL", "a person's message", ts="1699990000.000200")
    assert (await client.chat_getPermalink(channel="C0GENERAL", message_ts=seeded))["ok"]  # public: readable
    missing = client.chat_getPermalink(channel="C0SUPPORT", message_ts="1.000000")
    assert await error_of(missing) == "message_not_found"
    assert await error_of(client.chat_getPermalink(channel="C0NOPE", message_ts=ts)) == "channel_not_found"


async def test_users_info_and_the_email_scope(standin: SlackStandIn, client: AsyncWebClient) -> None:
    kim = (await client.users_info(user="U0KEY1"))["user"]
    assert kim["id"] == "U0KEY1" and kim["tz"] == "Europe/Berlin" and kim["real_name"] == "Kim K"
    assert kim["tz_offset"] in (3600, 7200) and kim["tz_label"].startswith("Central European")
    assert kim["profile"]["email"] == "kim@acme.test" and kim["name"] == "kim"
    call = standin.calls_to("users.info")[0]
    assert call.http_method == "GET" and call.encoding == "query" and call.args == {"user": "U0KEY1"}
    sam = (await client.users_info(user="U0ENG1"))["user"]
    assert sam["tz"] == "America/Chicago" and sam["tz_offset"] in (-21600, -18000)
    gone = await client.users_info(user="U0GONE")
    assert gone["ok"] and gone["user"]["deleted"] is True
    assert await error_of(client.users_info(user="U0NOBODY")) == "user_not_found"

    standin.scopes = standin.scopes - {"users:read.email"}
    assert "email" not in (await client.users_info(user="U0KEY1"))["user"]["profile"]
    standin.scopes = standin.scopes - {"users:read"}
    error = await slack_error(client.users_info(user="U0KEY1"))
    assert error.response["error"] == "missing_scope" and error.response["needed"] == "users:read"
    assert "users:read" not in error.response["provided"].split(",")


async def test_lookup_by_email(standin: SlackStandIn, client: AsyncWebClient) -> None:
    assert (await client.users_lookupByEmail(email="KIM@acme.test"))["user"]["id"] == "U0KEY1"
    assert await error_of(client.users_lookupByEmail(email="nobody@acme.test")) == "users_not_found"
    standin.scopes = standin.scopes - {"users:read.email"}
    error = await slack_error(client.users_lookupByEmail(email="kim@acme.test"))
    assert error.response["error"] == "missing_scope"
    assert error.response["needed"] == "users:read.email"
    assert set(error.response["provided"].split(",")) == standin.scopes


async def test_conversations_info(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.scopes = standin.scopes - {"channels:read"}
    error = await slack_error(client.conversations_info(channel="C0SUPPORT"))
    assert error.response["error"] == "missing_scope" and error.response["needed"] == "channels:read"
    standin.scopes = standin.scopes | {"channels:read"}
    support = (await client.conversations_info(channel="C0SUPPORT"))["channel"]
    assert support["id"] == "C0SUPPORT" and support["name"] == "support"
    assert support["is_member"] is True and support["is_private"] is False and support["is_archived"] is False
    general = (await client.conversations_info(channel="C0GENERAL"))["channel"]
    assert general["is_member"] is False
    assert (await client.conversations_info(channel="C0OLD"))["channel"]["is_archived"] is True
    assert await error_of(client.conversations_info(channel="G0SECRET")) == "channel_not_found"
    standin.add_bot("G0SECRET")
    assert (await client.conversations_info(channel="G0SECRET"))["channel"]["is_private"] is True
    assert await error_of(client.conversations_info(channel="C0NOPE")) == "channel_not_found"


async def test_conversations_open(standin: SlackStandIn, client: AsyncWebClient) -> None:
    standin.scopes = standin.scopes - {"im:write"}
    assert await error_of(client.conversations_open(users="U0ENG1")) == "missing_scope"
    standin.scopes = standin.scopes | {"im:write"}
    resp = await client.conversations_open(users="U0ENG1")
    assert resp["channel"]["id"] == "D0ENG1"
    assert standin.calls_to("conversations.open")[1].args == {"users": "U0ENG1"}
    assert await error_of(client.conversations_open(users="U0NOBODY")) == "user_not_found"
    assert await error_of(client.conversations_open(users="U0GONE")) == "user_disabled"
    assert await error_of(client.conversations_open(users=BOT_USER_ID)) == "cannot_dm_bot"
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
    standin.scopes = standin.scopes - {"im:write"}
    assert await error_of(client.conversations_open(users="U0ENG1")) == "missing_scope"


async def test_seed_from_policy_makes_everyone_it_names(policy: Policy) -> None:
    async with SlackStandIn() as standin:
        standin.seed_from_policy(policy)
        client = standin.web_client()
        named = {"U0KEY1", "U0KEY2", "U0KEY3", "U0KEY9", "U0ENG1", "U0ENG2", "U0LEAD", "U0MGR", "U0EXEC1"}
        assert named | {"U0EXEC2"} <= standin.users.keys()
        assert standin.channels["C0SUPPORT"].bot_member
        assert named <= standin.channels["C0SUPPORT"].members
        assert (await client.chat_postMessage(channel="C0SUPPORT", text="ticket"))["ok"]
        assert (await client.chat_postMessage(channel="U0EXEC2", text="page"))["channel"] == "D0EXEC2"
        ephemeral = client.chat_postEphemeral(channel="C0SUPPORT", user="U0LEAD", text="hint")
        assert (await ephemeral)["ok"]
        assert await error_of(client.users_info(user="U0STRANGER")) == "user_not_found"


async def test_seed_from_policy_is_duck_typed_and_skips_emails() -> None:
    """Attributes only: rotations arrive through escalation_people; e-mail entries are not Slack ids."""
    policy = SimpleNamespace(
        support_channel="C0HELP",
        customers={"a": SimpleNamespace(key_users=["U0A", "kim@acme.test"])},
        engineers=["W0ENG"],
        escalation_people=frozenset({"U0ROT1", "U0ROT2", "boss@vendor.example"}),
    )
    async with SlackStandIn() as standin:
        standin.add_user("U0A", tz="Asia/Tokyo")  # seeded before: kept as it is
        standin.seed_from_policy(policy)
        assert set(standin.users) == {"U0BOT", "U0A", "W0ENG", "U0ROT1", "U0ROT2"}
        assert standin.users["U0A"]["tz"] == "Asia/Tokyo"
        assert standin.channels["C0HELP"].members == {"U0BOT", "U0A", "W0ENG", "U0ROT1", "U0ROT2"}
        assert (await standin.web_client().chat_postMessage(channel="C0HELP", text="x"))["ok"]
