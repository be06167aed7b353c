"""manifest.yml is valid for Slack and names exactly the command and callbacks the code registers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

from bot.ids import COMMAND, Callback
from bot.standin import DEFAULT_SCOPES
from tests.conftest import ROOT

SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema() -> None:
    schema = json.loads(Path(SCHEMA).read_text())
    jsonschema.validate(manifest(), schema)


def test_manifest_scopes_are_least_privilege() -> None:
    scopes = set(manifest()["oauth_config"]["scopes"]["bot"])
    assert scopes == {
        "commands",
        "chat:write",  # DMs are posted to the person's user id
        "users:read",
        "channels:read",  # the start-up check of the support channel
        "groups:read",
        # customers' replies in ticket threads and DMs resume tickets that wait on them
        "channels:history",
        "groups:history",
        "im:history",
        "im:write",  # a retried DM looks for its earlier attempt, in the DM conversations.open names
        "files:write",  # reports and statements as files
        "app_mentions:read",  # Slack Connect: mentions in a customer's channel
        "reactions:read",  # the intake reaction
        "files:read",  # a customer's files arrive as stubs (files.info)
    }
    # The stand-in every e2e test runs against grants exactly these (plus users:read.email, which the
    # policy needs only when it names people by e-mail): the suite shows the bot needs no more.
    assert scopes == DEFAULT_SCOPES - {"users:read.email"}


def test_manifest_names_the_command_and_callbacks_the_code_registers() -> None:
    # The e2e tests drive each of these ids through the real endpoint (tests/e2e/test_surfaces.py).
    data = manifest()
    assert [c["command"] for c in data["features"]["slash_commands"]] == [COMMAND]
    assert {s["callback_id"] for s in data["features"]["shortcuts"]} == {Callback.RAISE_SHORTCUT.value}
    assert data["settings"]["event_subscriptions"]["bot_events"] == [
        "app_home_opened",
        "message.channels",
        "message.groups",
        "message.im",
        "app_mention",
        "reaction_added",
        "member_joined_channel",
        "channel_shared",
        "channel_unshared",
        "channel_id_changed",
    ]
    for url in (
        data["settings"]["event_subscriptions"]["request_url"],
        data["settings"]["interactivity"]["request_url"],
        data["features"]["slash_commands"][0]["url"],
    ):
        assert url.endswith("/slack/events")


def test_every_scope_has_its_reason_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("| scope | why |") :].split("\n\n", 1)[0]
    for scope in manifest()["oauth_config"]["scopes"]["bot"]:
        assert f"`{scope}`" in table, scope
