"""What Bolt may assume about a request: refuse the rest before it sees them (Bolt would answer 500).

A signed request can still be malformed (an old client, a forged payload with a leaked secret, a bug):
each problem is named for the one WARNING line that is logged; nothing changes.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs


def well_formed(body: str, content_type: str) -> str | None:
    """None when Bolt can take the request; otherwise what is wrong with it."""
    if content_type == "application/json":
        try:
            data = json.loads(body)
        except json.JSONDecodeError:
            return "not JSON"
        if not isinstance(data, dict):
            return "not a JSON object"
        if data.get("type") == "event_callback":
            event = data.get("event")
            if not isinstance(event, dict) or not isinstance(event.get("type"), str):
                return "event_callback whose event is not an event"
        return None
    form = parse_qs(body)
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except json.JSONDecodeError:
            return "payload is not JSON"
        return _payload_problem(payload)
    if "command" in form:
        return None if form.get("user_id") else "a command without user_id"
    return None if "ssl_check" in form else "neither a command, an interaction nor an event"


def _payload_problem(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "payload is not an object"
    kind = payload.get("type")
    if not isinstance(kind, str):
        return "payload has no type"
    user = payload.get("user", {})
    if not isinstance(user, dict) or not isinstance(user.get("id", ""), str):
        return "payload.user is not a user"
    if kind == "block_actions":
        actions = payload.get("actions")
        if not isinstance(actions, list) or not actions:
            return "block_actions without a list of actions"
        if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
            return "an action without an action_id"
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        if not isinstance(view, dict) or not isinstance(view.get("callback_id", ""), str):
            return f"{kind} without a view"
        state = view.get("state", {})
        if not isinstance(state, dict) or not isinstance(state.get("values", {}), dict):
            return f"{kind} whose state.values is not a mapping"
    if kind in ("shortcut", "message_action") and not isinstance(payload.get("callback_id"), str):
        return f"{kind} without a callback_id"
    return None
