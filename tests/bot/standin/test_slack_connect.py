"""Slack Connect in the stand-in: people of another organisation meet the app only in shared channels, as
Slack lets them (docs.slack.dev, "Understanding Slack Connect")."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

import aiohttp
import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.standin import SlackStandIn
from bot.standin import payloads as sr
from tests.bot.standin.helpers import error_of

THEM = "T0CUST"


@pytest.fixture
def shared(standin: SlackStandIn) -> SlackStandIn:
    """#cust, shared with organisation T0CUST, where Robin (U0ROBIN, of T0CUST) meets the app."""
    standin.add_user("U0ROBIN", name="robin", team=THEM, tz="Europe/Paris", email="robin@cust.test")
    standin.add_channel("C0CUST", members=["U0ROBIN", "U0ENG1"], shared_with=[THEM])
    return standin


def payload_of(built: sr.Body) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(parse_qs(built[0].decode())["payload"][0])
    return data


async def test_profiles_of_strangers_lack_locale_tz_and_email(
    shared: SlackStandIn, client: AsyncWebClient
) -> None:
    user = (await client.users_info(user="U0ROBIN"))["user"]
    assert user["team_id"] == THEM and user["is_stranger"] is False
    assert "tz" not in user and "locale" not in user and "email" not in user["profile"]
    ours = (await client.users_info(user="U0ENG1"))["user"]
    assert ours["team_id"] == "T0TEAM" and ours["tz"]


async def test_dms_only_while_a_channel_is_shared(shared: SlackStandIn, client: AsyncWebClient) -> None:
    opened = await client.conversations_open(users="U0ROBIN")
    assert opened["channel"]["id"] == "D0ROBIN"
    assert (await client.chat_postMessage(channel="U0ROBIN", text="hi"))["ok"]
    shared.leave("C0CUST", "U0ROBIN")
    assert await error_of(client.conversations_open(users="U0ROBIN")) == "invalid_user_combination"
    assert await error_of(client.chat_postMessage(channel="U0ROBIN", text="hi")) == "invalid_user_combination"
    assert await error_of(client.chat_postMessage(channel="D0ROBIN", text="hi")) == "channel_not_found"


async def test_shared_channels_say_so(shared: SlackStandIn, client: AsyncWebClient) -> None:
    info = (await client.conversations_info(channel="C0CUST"))["channel"]
    assert info["is_ext_shared"] is True and info["shared_team_ids"] == ["T0TEAM", THEM]
    assert (await client.conversations_info(channel="C0SUPPORT"))["channel"]["is_ext_shared"] is False
    shared.unshare("C0CUST", THEM)
    info = (await client.conversations_info(channel="C0CUST"))["channel"]
    assert info["is_ext_shared"] is False and "U0ROBIN" not in shared.channels["C0CUST"].members


async def test_app_home_is_not_for_them(shared: SlackStandIn, client: AsyncWebClient) -> None:
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]}
    assert (await client.views_publish(user_id="U0ROBIN", view=home))["ok"]  # Slack says ok …
    with pytest.raises(AssertionError):
        shared.home_view("U0ROBIN")  # … but they may never see it


async def test_their_files_are_stubs_read_with_files_read(
    shared: SlackStandIn, client: AsyncWebClient
) -> None:
    file = sr.shared_file("trace.log", user="U0ROBIN")
    shared.post_file(file)
    event = json.loads(sr.message_event("U0ROBIN", "C0CUST", "log", subtype="file_share", files=[file],
                                        team=THEM)[0])  # fmt: skip
    stub = event["event"]["files"][0]
    assert stub == {**stub, "id": file["id"], "file_access": "check_file_info"} and "permalink" not in stub
    assert (await client.files_info(file=file["id"]))["file"]["permalink"] == file["permalink"]
    shared.scopes = shared.scopes - {"files:read"}
    assert await error_of(client.files_info(file=file["id"])) == "missing_scope"


def test_events_name_the_actor_organisation_never_in_the_envelope() -> None:
    body = json.loads(sr.message_event("U0ROBIN", "C0CUST", "hello", team=THEM)[0])
    assert body["team_id"] == "T0TEAM" and body["is_ext_shared_channel"] is True
    assert body["context_team_id"] == "T0TEAM" and body["authorizations"][0]["team_id"] == "T0TEAM"
    assert body["event"]["user_team"] == THEM and body["event"]["team"] == THEM
    mention = json.loads(sr.app_mention("U0ROBIN", "C0CUST", "<@U0BOT> help", team=THEM)[0])
    assert mention["team_id"] == "T0TEAM" and mention["event"]["user_team"] == THEM
    reaction = json.loads(sr.reaction_added("U0ROBIN", "C0CUST", "1.2", shared=True)[0])["event"]
    assert "user_team" not in reaction and "team" not in reaction  # who reacted, not their organisation


def test_clicks_and_submissions_carry_the_actor_team() -> None:
    click = payload_of(sr.block_actions("U0ROBIN", "x", "1", channel_id="C0CUST", team=THEM))
    assert click["user"]["team_id"] == THEM
    sent = payload_of(sr.view_submission("U0ROBIN", "cb", {}, team=THEM))
    assert sent["team"]["id"] == THEM and sent["view"]["app_installed_team_id"] == "T0TEAM"


def test_commands_and_shortcuts_cannot_be_built_for_them() -> None:
    with pytest.raises(sr.NotDelivered):
        sr.slash_command("U0ROBIN", "help", team=THEM)
    with pytest.raises(sr.NotDelivered):
        sr.shortcut("U0ROBIN", "raise", team=THEM)
    with pytest.raises(sr.NotDelivered):
        sr.message_action("U0ROBIN", "raise", "text", team=THEM)


async def test_the_client_never_sends_what_slack_never_sends(shared: SlackStandIn) -> None:
    async with aiohttp.ClientSession() as session:
        slack = sr.SlackClient(session, "http://127.0.0.1:9/nowhere", "secret", response_urls=shared)
        for body in (
            sr.slash_command("U0ROBIN", "help"),  # built without saying whose: the client knows
            sr.shortcut("U0ROBIN", "raise"),
            sr.message_action("U0ROBIN", "raise", "text"),
            sr.app_home_opened("U0ROBIN"),
        ):
            with pytest.raises(sr.NotDelivered, match="another organisation"):
                await slack.send(*body)
