"""Slash commands and interactivity payloads as Slack sends them (shapes: Slack's docs and Bolt's tests).

Every builder returns ``(body: bytes, content_type: str)`` to pass straight to ``SlackClient.send``.
Text Slack takes from a message (``message_action``'s ``message.text``) arrives entity-encoded
(``&amp;``, ``&lt;``, ``&gt;``), as from Slack; ``raw=True`` passes pre-encoded text (links, mentions).
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from bot.standin.client import FORM, PLACEHOLDER_RESPONSE_URL, Body, NotDelivered
from bot.standin.ids import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    new_trigger_id,
    new_ts,
    next_seq,
)
from bot.standin.values import option


def encode(text: str) -> str:
    """Slack's encoding of message text: ``&``, ``<``, ``>`` as ``&amp;``, ``&lt;``, ``&gt;``."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def placeholder_response_url(kind: str) -> str:
    """A response URL shaped like Slack's; a SlackClient with a stand-in swaps it for a live one."""
    return f"{PLACEHOLDER_RESPONSE_URL}{kind}/{TEAM_ID}/{next_seq()}/{secrets.token_hex(12)}"


def name_of_user(user_id: str) -> str:
    return (user_id[2:] if user_id.startswith(("U0", "W0")) else user_id).lower()


def name_of_channel(channel_id: str) -> str:
    if channel_id.startswith("D"):
        return "directmessage"
    return (channel_id[2:] if channel_id.startswith(("C0", "G0")) else channel_id).lower()


def only_home_team(team: str, what: str) -> None:
    if team != TEAM_ID:
        raise NotDelivered(
            f"Slack never delivers {what} from a person of another organisation ({team}): it exists only "
            f"for people of the workspace the app is installed in ({TEAM_ID})"
        )


def _user(user_id: str, name: str | None, team: str = TEAM_ID) -> dict[str, Any]:
    name = name or name_of_user(user_id)
    return {"id": user_id, "username": name, "name": name, "team_id": team}


def _team(team: str = TEAM_ID) -> dict[str, Any]:
    return {"id": team, "domain": TEAM_DOMAIN if team == TEAM_ID else team.lower()}


def _form_payload(payload: dict[str, Any]) -> Body:
    return urlencode({"payload": json.dumps(payload)}).encode(), FORM


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
    team: str = TEAM_ID,
) -> Body:
    """``text`` as given. With the manifest's ``should_escape: true`` Slack sends it encoded, mentions as
    ``<@U…|name>`` (bot/playground/composer.py makes that of typed text); escaping off, as typed.
    ``team``: the person's organisation; another one raises NotDelivered, as Slack never sends it."""
    only_home_team(team, "a slash command")
    fields = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "team_domain": TEAM_DOMAIN,
        "channel_id": channel_id,
        "channel_name": channel_name or name_of_channel(channel_id),
        "user_id": user_id,
        "user_name": user_name or name_of_user(user_id),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url or placeholder_response_url("commands"),
        "trigger_id": trigger_id or new_trigger_id(),
    }
    return urlencode(fields).encode(), FORM


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
    response_url: str | None = None,
    team: str = TEAM_ID,
) -> Body:
    """A click in a message (``container_type="message"``) or in a view (``"view"``: App Home or a modal).

    ``action_type``: ``button`` (``value``), ``static_select``/``overflow``/``radio_buttons``
    (``value`` becomes ``selected_option``), ``users_select`` (``value`` is the selected user id).
    For a view, ``view`` is the view as Slack shows it (id, type, blocks, private_metadata, ...);
    missing fields are filled in (a ``home`` view ``V0HOME`` by default). Clicks in messages carry a
    ``response_url``; clicks in views carry one only when given. ``team``: the clicker's organisation
    (``user.team_id``; a Slack Connect customer clicks the app's buttons in a shared channel).
    """
    action: dict[str, Any] = {"type": action_type, "action_id": action_id, "block_id": block_id}
    if action_type == "button":
        action["text"] = {"type": "plain_text", "text": action_text, "emoji": True}
        if value is not None:
            action["value"] = value
    elif action_type in ("static_select", "overflow", "radio_buttons", "external_select"):
        action["selected_option"] = option(value)
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
        "user": _user(user_id, user_name, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(team),
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
        payload["channel"] = {"id": channel_id, "name": name_of_channel(channel_id)}
        payload["message"] = {
            "type": "message",
            "bot_id": BOT_ID,
            "user": BOT_USER_ID,
            "ts": message_ts,
            "text": message_text,
            "blocks": blocks or [],
        }
        payload["state"] = {"values": state_values or {}}
        payload["response_url"] = response_url or placeholder_response_url("actions")
    elif container_type == "view":
        full = full_view(view or {}, blocks=blocks, state_values=state_values)
        payload["container"] = {"type": "view", "view_id": full["id"]}
        payload["view"] = full
        payload["state"] = {"values": full["state"]["values"]}
        if response_url:
            payload["response_url"] = response_url
    else:
        raise ValueError(f"container_type must be 'message' or 'view', not {container_type!r}")
    payload["actions"] = [action]
    return _form_payload(payload)


def full_view(
    view: dict[str, Any],
    *,
    blocks: list[dict[str, Any]] | None = None,
    state_values: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A view as Slack shows it in payloads: ``view``'s fields over Slack's defaults."""
    vtype = view.get("type", "home")
    view_id = view.get("id", "V0HOME" if vtype == "home" else "V0VIEW")
    full: dict[str, Any] = {
        "id": view_id, "team_id": TEAM_ID, "type": vtype, "blocks": blocks if blocks is not None else [],
        "private_metadata": "", "callback_id": "", "state": {"values": state_values or {}},
        "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
        "title": {"type": "plain_text", "text": "Secondline", "emoji": True},
        "clear_on_close": False, "notify_on_close": False, "close": None, "submit": None,
        "previous_view_id": None, "root_view_id": view_id, "app_id": APP_ID, "external_id": "",
        "app_installed_team_id": TEAM_ID, "bot_id": BOT_ID,
    }  # fmt: skip
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
    team: str = TEAM_ID,
) -> Body:
    """A submitted modal; ``values`` is view.state.values: ``{block_id: {action_id: text_value("...")}}``.

    ``team``: the submitter's organisation; for a Slack Connect customer (who opened the modal from a
    button) the payload's ``team`` is theirs and ``view.app_installed_team_id`` stays the app's."""
    view = full_view(
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
        "team": _team(team),
        "user": _user(user_id, user_name, team),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or new_trigger_id(),
        "view": view,
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form_payload(payload)


def view_closed(
    user_id: str, view: dict[str, Any], *, is_cleared: bool = False, user_name: str | None = None
) -> Body:
    """A modal the person closed (Cancel, the x, Escape), sent by Slack only for a view opened with
    ``notify_on_close``; ``is_cleared``: the whole stack closed with it. ``view``: as :func:`full_view`."""
    payload = {
        "type": "view_closed",
        "team": _team(),
        "user": _user(user_id, user_name),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": view,
        "is_cleared": is_cleared,
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
    response_url: str | None = None,
    raw: bool = False,
    team: str = TEAM_ID,
) -> Body:
    """A message shortcut used on someone's message; its text is encoded as Slack does (``raw``: as given).
    Never for a person of another organisation (``team``): NotDelivered."""
    only_home_team(team, "a message shortcut")
    payload = {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": trigger_id or new_trigger_id(),
        "team": _team(),
        "user": {"id": user_id, "name": user_name or name_of_user(user_id)},
        "channel": {"id": channel_id, "name": name_of_channel(channel_id)},
        "message_ts": message_ts,
        "message": {
            "type": "message",
            "user": message_user,
            "ts": message_ts,
            "text": message_text if raw else encode(message_text),
        },
        "response_url": response_url or placeholder_response_url("app"),
        "token": VERIFICATION_TOKEN,
        "action_ts": new_ts(),
        "is_enterprise_install": False,
        "enterprise": None,
    }
    return _form_payload(payload)


def shortcut(
    user_id: str,
    callback_id: str,
    *,
    user_name: str | None = None,
    trigger_id: str | None = None,
    response_url: str | None = None,
    team: str = TEAM_ID,
) -> Body:
    """A global shortcut (from the lightning menu); Slack sends no response_url unless one is given.
    Never for a person of another organisation (``team``): NotDelivered."""
    only_home_team(team, "a global shortcut")
    payload: dict[str, Any] = {
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
    if response_url:
        payload["response_url"] = response_url
    return _form_payload(payload)
