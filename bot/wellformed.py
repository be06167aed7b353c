"""Is a signed request a Slack request at all? A cheap 400 for what Slack never sends; the body read once.

Only what makes a body unreadable as Slack's is checked here (its content type and charset, JSON that does
not parse or is not an object, a form that is neither a command, an interaction nor Slack's SSL check).
Whatever a readable request holds, odd shapes included, goes on to Bolt: one guard in `bot/web.py` answers
anything Bolt or a listener fails on, so no list of known-bad shapes has to be complete.

The body is parsed here, once, and handed to Bolt already read (`bot/web.py`): parsing it again in Bolt
cost a fifth of a form submission's acknowledgement, and Bolt's own reading takes any form that merely
contains the word "payload" (`/support search payload`) for an interaction and loses the command.
"""

from __future__ import annotations

import codecs
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
SURFACES = {
    "block_actions": "action",
    "view_submission": "view",
    "shortcut": "shortcut",
    "message_action": "shortcut",
}


@dataclass(frozen=True)
class SlackBody:
    """A readable Slack request: what Bolt reads as its body, and its kind (for the ack-latency metric)."""

    fields: dict[str, Any]
    surface: str


def read_slack_body(body: str, content_type: str, charset: str | None = None) -> SlackBody | str:
    """The request's body as Bolt reads it, or what is wrong with it (for the log line)."""
    if content_type not in (FORM, JSON):
        return f"content type {content_type!r} is not Slack's"
    if charset is not None and not _utf8(charset):
        return f"charset {charset!r} is not Slack's UTF-8"
    if content_type == JSON:
        data = _json_object(body, "the body")
        return SlackBody(data, "event") if isinstance(data, dict) else data
    form = dict(parse_qsl(body, keep_blank_values=True))  # as Bolt reads a form: the last value wins
    if "payload" in form:
        payload = _json_object(form["payload"], "payload")
        if not isinstance(payload, dict):
            return payload
        return SlackBody(payload, SURFACES.get(str(payload.get("type")), "other"))
    if "command" in form:
        return SlackBody(form, "command")
    if "ssl_check" in form:
        return SlackBody(form, "other")
    return "neither a command, an interaction nor an event"


def _utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:  # a charset Python does not know
        return False


def _json_object(text: str, what: str) -> dict[str, Any] | str:
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: also a number past Python's int-string limit
        return f"{what} is not JSON Python can read ({type(exc).__name__})"
    return data if isinstance(data, dict) else f"{what} is not a JSON object"
