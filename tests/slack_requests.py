"""Requests as Slack sends them (shapes: /work/shared/slack/PAYLOADS.md), signed like Slack signs them.

Every builder returns ``(body: bytes, content_type: str)`` so it can be passed straight on::

    status, text = await slack.send(*slash_command("U0KEY1", "help"))

No pytest dependency: benchmarks can use it too.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode

import aiohttp

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "FORM",
    "JSON",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "VERIFICATION_TOKEN",
    "Body",
    "SlackClient",
    "app_home_opened",
    "block_actions",
    "checkboxes_value",
    "conversations_select_value",
    "datepicker_value",
    "event_callback",
    "message_action",
    "message_event",
    "multi_users_select_value",
    "new_event_id",
    "new_trigger_id",
    "new_ts",
    "radio_value",
    "retry_headers",
    "select_value",
    "shortcut",
    "sign",
    "slash_command",
    "text_value",
    "timepicker_value",
    "url_verification",
    "users_select_value",
    "view_submission",
]

# Same ids as tests/slack_standin.py.
TEAM_ID = "T0TEAM"
TEAM_DOMAIN = "acme"
APP_ID = "A0APP"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
VERIFICATION_TOKEN = "vErIfIcAtIoNtOkEn0000000"  # deprecated by Slack, still sent; Bolt ignores it

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

Body = tuple[bytes, str]

_seq = itertools.count(1)


# ---------------------------------------------------------------------- signing


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body`` (timestamp: now, unless given)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def retry_headers(num: int = 1, reason: str = "http_timeout") -> dict[str, str]:
    """Headers of an Events API redelivery (reasons: http_timeout, http_error, too_many_requests, ...)."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


# ---------------------------------------------------------------------- ids


def new_trigger_id() -> str:
    """A unique trigger id shaped like Slack's (``13345224609.738474920.8088930838d88f008e0``)."""
    return f"{13345224609 + next(_seq)}.738474920.{secrets.token_hex(10)[:19]}"


def new_event_id() -> str:
    return "Ev" + secrets.token_hex(5).upper()


def new_ts(at: float | None = None) -> str:
    """A Slack message/action timestamp ("1700000123.456789") for wall time ``at`` (default now)."""
    micros = int((time.time() if at is None else at) * 1_000_000)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


def _user_name(user_id: str) -> str:
    return (user_id[2:] if user_id.startswith(("U0", "W0")) else user_id).lower()


def _channel_name(channel_id: str) -> str:
    if channel_id.startswith("D"):
        return "directmessage"
    return (channel_id[2:] if channel_id.startswith(("C0", "G0")) else channel_id).lower()


def _user(user_id: str, user_name: str | None) -> dict[str, Any]:
    name = user_name or _user_name(user_id)
    return {"id": user_id, "username": name, "name": name, "team_id": TEAM_ID}


def _team() -> dict[str, Any]:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def _form_payload(payload: dict[str, Any]) -> Body:
    return urlencode({"payload": json.dumps(payload)}).encode(), FORM


# ---------------------------------------------------------------------- slash commands


def slash_command(
    user_id: str,
    text: str = "",
    command: str = "/support",
    channel_id: str = "C0GENERAL",
    trigger_id: str | None = None,
    *,
    user_name: str | None = None,
    channel_name: str | None = None,
    response_url: str | None = None,
) -> Body:
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name or _channel_name(channel_id),
        "user_id": user_id,
        "user_name": user_name or _user_name(user_id),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url
        or f"https://hooks.slack.com/commands/{TEAM_ID}/{next(_seq)}/{secrets.token_hex(12)}",
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields).encode(), FORM


# ---------------------------------------------------------------------- interactivity


def block_actions(
    user_id: str,
    action_id: str,
    value: str | None = None,
    block_id: str = "actions",
    channel_id: str = "C0SUPPORT",
    message_ts: str = "1700000000.000100",
    container_type: str = "message",
    view: dict[str, Any] | None = None,
    blocks: list[dict[str, Any]] | None = None,
    *,
    message_text: str = "",
    action_type: str = "button",
    action_text: str = "Button",
    state_values: dict[str, Any] | None = None,
    user_name: str | None = None,
    trigger_id: str | None = None,
    is_ephemeral: bool = False,
) -> Body:
    """A click in a message (``container_type="message"``) or in a view (``"view"``: App Home or a modal).

    ``action_type``: ``button`` (``value``), ``static_select``/``overflow``/``radio_buttons``
    (``value`` becomes ``selected_option``), ``users_select`` (``value`` is the selected user id).
    For a view, ``view`` is the view as Slack shows it (id, type, blocks, private_metadata, ...);
    missing fields are filled in (a ``home`` view ``V0HOME`` by default).
    """
    action: dict[str, Any] = {"type": action_type, "action_id": action_id, "block_id": block_id}
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_text, "emoji": True}
        if value is not None:
            action["value"] = value
    elif action_type in ("static_select", "overflow", "radio_buttons", "external_select"):
        action["selected_option"] = _option(value, None)
    elif action_type == "users_select":
        action["selected_user"] = value
    elif action_type == "conversations_select":
        action["selected_conversation"] = value
    elif action_type == "channels_select":
        action["selected_channel"] = value
    elif value is not None:
        action["value"] = value
    action["action_ts"] = new_ts()

    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(),
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if container_type == "message":
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
        payload["message"] = {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER_ID,
            "ts": message_ts,
            "text": message_text,
            "blocks": blocks or [],
        }
        payload["state"] = {"values": state_values or {}}
        payload["response_url"] = (
            f"https://hooks.slack.com/actions/{TEAM_ID}/{next(_seq)}/{secrets.token_hex(12)}"
        )
    elif container_type == "view":
        full_view = _view(view or {}, blocks=blocks, state_values=state_values)
        payload["container"] = {"type": "view", "view_id": full_view["id"]}
        payload["view"] = full_view
        payload["state"] = {"values": full_view["state"]["values"]}
    else:
        raise ValueError(f"container_type must be 'message' or 'view', not {container_type!r}")
    payload["actions"] = [action]
    return _form_payload(payload)


def _view(
    view: dict[str, Any],
    *,
    blocks: list[dict[str, Any]] | None = None,
    state_values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    vtype = view.get("type", "home")
    view_id = view.get("id", "V0HOME" if vtype == "home" else "V0VIEW")
    full: dict[str, Any] = {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": vtype,
        "blocks": blocks if blocks is not None else [],
        "private_metadata": "",
        "callback_id": "",
        "state": {"values": state_values or {}},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": "Secondline", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": None,
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
    }
    full.update(view)
    if state_values is not None:
        full["state"] = {"values": state_values}
    return full


def view_submission(
    user_id: str,
    callback_id: str,
    values: dict[str, dict[str, dict[str, Any]]],
    private_metadata: str = "",
    view_id: str = "V0VIEW",
    *,
    blocks: list[dict[str, Any]] | None = None,
    title: str = "Raise a ticket",
    submit: str = "Submit",
    close: str = "Cancel",
    external_id: str = "",
    root_view_id: str | None = None,
    previous_view_id: str | None = None,
    user_name: str | None = None,
    trigger_id: str | None = None,
) -> Body:
    """A submitted modal; ``values`` is view.state.values: ``{block_id: {action_id: text_value("...")}}``."""
    view = _view(
        {
            "id": view_id,
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": private_metadata,
            "title": {"type": "plain_text", "text": title, "emoji": True},
            "submit": {"type": "plain_text", "text": submit, "emoji": True},
            "close": {"type": "plain_text", "text": close, "emoji": True},
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "external_id": external_id,
        },
        blocks=blocks,
        state_values=values,
    )
    payload = {
        "type": "view_submission",
        "team": _team(),
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form_payload(payload)


def message_action(
    user_id: str,
    callback_id: str,
    message_text: str,
    channel_id: str = "C0GENERAL",
    message_ts: str = "1699990000.000200",
    *,
    message_user: str = "U0OTHER",
    user_name: str | None = None,
    trigger_id: str | None = None,
) -> Body:
    """A message shortcut used on someone's message."""
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(),
        "user": {"id": user_id, "name": user_name or _user_name(user_id)},
        "channel": {"id": channel_id, "name": _channel_name(channel_id)},
        "message_ts": message_ts,
        "message": {"type": "message", "user": message_user, "ts": message_ts, "text": message_text},
        "response_url": f"https://hooks.slack.com/app/{TEAM_ID}/{next(_seq)}/{secrets.token_hex(12)}",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form_payload(payload)


def shortcut(
    user_id: str, callback_id: str, *, user_name: str | None = None, trigger_id: str | None = None
) -> Body:
    """A global shortcut (from the lightning menu)."""
    payload = {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "team": _team(),
        "user": _user(user_id, user_name),
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return _form_payload(payload)


# ---------------------------------------------------------------------- state.values entries


def _option(value: str | None, text: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def text_value(value: str | None) -> dict[str, Any]:
    """A plain-text input; an empty optional input arrives as ``None``."""
    return {"type": "plain_text_input", "value": value}


def select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": _option(value, text)}


def radio_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": _option(value, text)}


def checkboxes_value(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [_option(v, None) for v in values]}


def users_select_value(user_id: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user_id}


def multi_users_select_value(user_ids: list[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def conversations_select_value(channel_id: str | None) -> dict[str, Any]:
    return {"type": "conversations_select", "selected_conversation": channel_id}


def datepicker_value(date: str | None) -> dict[str, Any]:
    """``date``: ``YYYY-MM-DD``."""
    return {"type": "datepicker", "selected_date": date}


def timepicker_value(hhmm: str | None, timezone: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "timepicker", "selected_time": hhmm}
    if timezone is not None:
        entry["timezone"] = timezone
    return entry


# ---------------------------------------------------------------------- Events API


def event_callback(
    event: dict[str, Any], event_id: str | None = None, *, event_time: int | None = None
) -> Body:
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or new_event_id(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }
    return json.dumps(body).encode(), JSON


def app_home_opened(
    user_id: str, tab: str = "home", view: dict[str, Any] | None = None, *, event_id: str | None = None
) -> Body:
    """``app_home_opened``; pass ``view`` (the published Home) when the user has seen it before."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": "D" + user_id[1:],
        "tab": tab,
        "event_ts": new_ts(),
    }
    if view is not None:
        event["view"] = _view({"type": "home", **view})
    return event_callback(event, event_id)


def message_event(
    user: str,
    channel: str,
    text: str,
    thread_ts: str | None = None,
    *,
    ts: str | None = None,
    event_id: str | None = None,
) -> Body:
    """A ``message`` event from a person (``channel_type`` ``im`` for ``D…`` channels)."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts,
        "team": TEAM_ID,
        "client_msg_id": str(uuid.uuid4()),
        "channel": channel,
        "event_ts": ts,
        "channel_type": "im"
        if channel.startswith("D")
        else "group"
        if channel.startswith("G")
        else "channel",
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = BOT_USER_ID
    return event_callback(event, event_id)


def url_verification(challenge: str) -> Body:
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body).encode(), JSON


# ---------------------------------------------------------------------- client


class SlackClient:
    """Sends (by default signed) requests to the bot's HTTP endpoint, as Slack would."""

    def __init__(self, session: aiohttp.ClientSession, url: str, signing_secret: str) -> None:
        self.session = session
        self.url = url
        self.signing_secret = signing_secret

    async def send(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        sign: bool = True,
        timestamp: int | None = None,
        *,
        url: str | None = None,
    ) -> tuple[int, str]:
        """POST ``body``; returns ``(status, response text)``. ``sign=False`` sends no signature headers."""
        all_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if sign:
            all_headers.update(_sign(self.signing_secret, body, timestamp))
        all_headers.update(headers or {})
        async with self.session.post(url or self.url, data=body, headers=all_headers) as response:
            return response.status, await response.text()


_sign = sign
