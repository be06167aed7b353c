"""What Bolt may assume about a request: Slack's real shapes pass; each malformed one is named."""

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
from bot.wellformed import well_formed


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


def _changed(body: tuple[bytes, str], **changes: Any) -> dict[str, Any]:
    """The payload of `body` with fields set: `view__state=[]` sets payload["view"]["state"]."""
    found = payload(body)
    for path, value in changes.items():
        target = found
        *parents, last = path.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    return found


CLICK = block_actions("U0ENG1", Action.CLAIM, "1")
SUBMISSION = view_submission("U0KEY1", Callback.RAISE_MODAL, {})


@pytest.mark.parametrize(
    ("body", "content_type", "problem"),
    [
        ("{not json", JSON, "not JSON"),
        ("[1, 2]", JSON, "not a JSON object"),
        ("payload=%7Bnot", FORM, "payload is not JSON"),
        (form([1, 2]), FORM, "payload is not an object"),
        (form({"user": {"id": "U0ENG1"}}), FORM, "payload has no type"),
        (form(_changed(CLICK, user="U0ENG1")), FORM, "payload.user is not a user"),
        (form(_changed(CLICK, user__id=["U0ENG1"])), FORM, "payload.user is not a user"),
        (form(_changed(CLICK, actions={"0": {}})), FORM, "block_actions without a list of actions"),
        (form(_changed(CLICK, actions=[])), FORM, "block_actions without a list of actions"),
        (form(_changed(CLICK, actions=[{"value": "1"}])), FORM, "an action without an action_id"),
        (form(_changed(CLICK, actions=["ticket_claim"])), FORM, "an action without an action_id"),
        (form(_changed(SUBMISSION, view="raise_ticket")), FORM, "view_submission without a view"),
        (form(_changed(SUBMISSION, view__callback_id=7)), FORM, "view_submission without a view"),
        (
            form(_changed(SUBMISSION, view__state=[])),
            FORM,
            "view_submission whose state.values is not a mapping",
        ),
        (
            form(_changed(SUBMISSION, view__state__values="x")),
            FORM,
            "view_submission whose state.values is not a mapping",
        ),
        (
            form(_changed(SUBMISSION, type="view_closed", view__state="x")),
            FORM,
            "view_closed whose state.values",
        ),
        (
            form({"type": "message_action", "user": {"id": "U0KEY1"}}),
            FORM,
            "message_action without a callback_id",
        ),
        (form({"type": "shortcut", "callback_id": ["x"]}), FORM, "shortcut without a callback_id"),
        (urlencode({"command": "/support", "text": "list"}), FORM, "a command without user_id"),
        ("hello=world", FORM, "neither a command, an interaction nor an event"),
    ],
)
def test_each_malformed_shape_is_named(body: str, content_type: str, problem: str) -> None:
    found = well_formed(body, content_type)
    assert found is not None and found.startswith(problem), found
