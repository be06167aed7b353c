"""Is a signed request a Slack request at all? A cheap 400 for what Slack never sends.

Only what makes a body unreadable as Slack's is checked here (its content type and charset, JSON that does
not parse or is not an object, a form that is neither a command, an interaction nor Slack's SSL check).
Whatever a readable request holds, odd shapes included, goes on to Bolt: one guard in `bot/web.py` answers
anything Bolt or a listener fails on, so no list of known-bad shapes has to be complete.
"""

from __future__ import annotations

import codecs
import json
from typing import Any
from urllib.parse import parse_qs

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def well_formed(body: str, content_type: str, charset: str | None = None) -> str | None:
    """None when the request reads as Slack's; otherwise what is wrong with it (for the log line)."""
    if content_type not in (FORM, JSON):
        return f"content type {content_type!r} is not Slack's"
    if charset is not None and not _utf8(charset):
        return f"charset {charset!r} is not Slack's UTF-8"
    if content_type == JSON:
        return _json_object_problem(body, "the body")
    form = parse_qs(body)
    if "payload" in form:
        return _json_object_problem(form["payload"][0], "payload")
    if "command" in form or "ssl_check" in form:
        return None
    return "neither a command, an interaction nor an event"


def _utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:  # a charset Python does not know
        return False


def _json_object_problem(text: str, what: str) -> str | None:
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: also a number past Python's int-string limit
        return f"{what} is not JSON Python can read ({type(exc).__name__})"
    return None if isinstance(data, dict) else f"{what} is not a JSON object"
