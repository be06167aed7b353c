"""Typed text as Slack's client sends it: `@name` of someone in the workspace becomes a mention."""

from __future__ import annotations

from typing import Any

import yaml

from bot.playground.composer import SHOULD_ESCAPE, as_command, as_message
from tests.conftest import ROOT

USERS: dict[str, dict[str, Any]] = {
    "U0ENG1": {"name": "eng1"},
    "U0ENG2": {"name": "eng2"},
    "U0PAT": {"name": "pat.smith"},
    "U0GONE": {"name": "gone", "deleted": True},
}


def test_a_message_carries_typed_names_as_mentions_and_its_text_encoded() -> None:
    typed = "@eng2 and @ENG1, @pat.smith. Ask @nobody or @gone & <me>; mail pat@eng2.example @here"
    assert as_message(typed, USERS) == (
        "<@U0ENG2> and <@U0ENG1>, <@U0PAT>. Ask @nobody or @gone &amp; &lt;me&gt;; "
        "mail pat@eng2.example <!here>"
    )


def test_a_command_set_to_escape_carries_mentions_with_their_names_as_slack_sends_them() -> None:
    assert as_command("log SUP-42 45m with @eng2 @Eng1 <b>", USERS) == (
        "log SUP-42 45m with <@U0ENG2|eng2> <@U0ENG1|eng1> &lt;b&gt;"
    )
    assert as_command("log SUP-42 45m with @eng2", USERS, escape=False) == "log SUP-42 45m with @eng2"


def test_the_playground_escapes_slash_command_text_as_the_manifest_tells_slack_to() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    (support,) = [c for c in manifest["features"]["slash_commands"] if c["command"] == "/support"]
    assert support["should_escape"] is SHOULD_ESCAPE
