"""Is a signed request Slack's at all: Slack's real shapes pass, odd but readable ones too; what Slack never
sends is named."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

from bot.ids import Action, Callback
from bot.standin.payloads import (
    FORM,
    JSON,
    app_home_opened,
    block_actions,
    message_action,
    message_event,
    shortcut,
    slash_command,
    url_verification,
    view_submission,
)
from bot.wellformed import read_slack_body


def well_formed(body: str, content_type: str, charset: str | None = None) -> str | None:
    """None when the request reads as Slack's, else what is wrong with it."""
    read = read_slack_body(body, content_type, charset)
    return read if isinstance(read, str) else None


def form(payload: Any) -> str:
    return urlencode({"payload": json.dumps(payload)})


def payload(body: tuple[bytes, str]) -> dict[str, Any]:
    return dict(json.loads(parse_qs(body[0].decode())["payload"][0]))


@pytest.mark.parametrize(
    "body",
    [
        slash_command("U0KEY1", "show SUP-1"),
        block_actions("U0ENG1", Action.CLAIM, "1"),
        block_actions("U0ENG1", Action.CLAIM, "1", container_type="view"),
        view_submission("U0KEY1", Callback.RAISE_MODAL, {}),
        message_action("U0KEY1", Callback.RAISE_SHORTCUT, "5 < 6 && x"),
        shortcut("U0KEY1", "something"),
        message_event("U0KEY1", "D0KEY1", "hi", subtype="file_share"),
        app_home_opened("U0KEY1"),
        url_verification("challenge"),
        (b"ssl_check=1&token=x", FORM),
    ],
    ids=[
        "command",
        "click",
        "click-in-view",
        "view_submission",
        "message_action",
        "shortcut",
        "file_share",
        "app_home_opened",
        "url_verification",
        "ssl_check",
    ],
)
def test_slacks_real_shapes_pass(body: tuple[bytes, str]) -> None:
    assert well_formed(body[0].decode(), body[1]) is None


CLICK = block_actions("U0ENG1", Action.CLAIM, "1")


@pytest.mark.parametrize(
    "body",
    [
        form({**payload(CLICK), "actions": {"0": {}}}),
        form({**payload(CLICK), "user": "U0ENG1", "enterprise": 3.14, "response_urls": False}),
        form({"type": "view_submission", "view": {}}),
        form({}),
        urlencode({"command": "/support", "text": "list"}),  # no user_id
    ],
    ids=["actions-a-mapping", "mistyped-fields", "view-without-type-or-state", "empty-payload", "no-user"],
)
def test_odd_but_readable_shapes_go_on_to_bolt(body: str) -> None:
    """Not a list of known-bad shapes: what Bolt or a listener fails on is answered by the guard in web.py."""
    assert well_formed(body, FORM) is None


@pytest.mark.parametrize(
    ("body", "content_type", "charset", "problem"),
    [
        ("{not json", JSON, None, "the body is not JSON Python can read (JSONDecodeError)"),
        (
            '{"event_time": ' + "9" * 4400 + "}",
            JSON,
            None,
            "the body is not JSON Python can read (ValueError)",
        ),
        ("[" * 100_000 + "]" * 100_000, JSON, None, "the body is not JSON Python can read (RecursionError)"),
        ("[1, 2]", JSON, None, "the body is not a JSON object"),
        ("payload=%7Bnot", FORM, None, "payload is not JSON Python can read (JSONDecodeError)"),
        (form([1, 2]), FORM, None, "payload is not a JSON object"),
        ("hello=world", FORM, None, "neither a command, an interaction nor an event"),
        ("{}", "text/plain", None, "content type 'text/plain' is not Slack's"),
        ("{}", JSON, "utf-16", "charset 'utf-16' is not Slack's UTF-8"),
        ("{}", JSON, "x-no-such-charset", "charset 'x-no-such-charset' is not Slack's UTF-8"),
    ],
)
def test_what_is_not_a_slack_request_is_named(
    body: str, content_type: str, charset: str | None, problem: str
) -> None:
    assert well_formed(body, content_type, charset) == problem


@pytest.mark.parametrize("charset", ["utf-8", "UTF-8", "utf8"])
def test_utf8_by_any_name_is_slacks(charset: str) -> None:
    assert well_formed(url_verification("x")[0].decode(), JSON, charset) is None
