"""Events API requests as Slack sends them: ``event_callback`` envelopes, App Home and message events.

Message text arrives entity-encoded (``&amp;``, ``&lt;``, ``&gt;``): ``message_event`` encodes what it is
given, as Slack does with what a person typed. Mentions and links are Slack markup that stays as it is
(``<@U0KEY1>``, ``<https://example.com|label>``): write them pre-encoded and pass ``raw=True``.
"""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any

from bot.standin.client import JSON, Body
from bot.standin.ids import (
    APP_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    dm_channel_for,
    new_event_id,
    new_ts,
)
from bot.standin.interactions import encode, full_view

SUBTYPES = (
    "file_share", "thread_broadcast", "message_changed", "message_deleted", "bot_message", "channel_join",
)  # fmt: skip


def event_callback(
    event: dict[str, Any],
    event_id: str | None = None,
    *,
    event_time: int | None = None,
    shared: bool = False,
) -> Body:
    """The envelope: its ``team_id`` is always the app's own workspace, even when a person of another
    organisation acted in a shared channel (``shared``: ``is_ext_shared_channel``); the actor's
    organisation is only in the event (``user_team``/``team``)."""
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
        "is_ext_shared_channel": shared,
        "context_team_id": TEAM_ID,
        "context_enterprise_id": None,
        "event_context": f"4-{secrets.token_urlsafe(24)}",
    }
    return json.dumps(body).encode(), JSON


def url_verification(challenge: str) -> Body:
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return json.dumps(body).encode(), JSON


def app_home_opened(
    user_id: str, tab: str = "home", view: dict[str, Any] | None = None, *, event_id: str | None = None
) -> Body:
    """``app_home_opened``; pass ``view`` (the published Home) when the user has seen it before."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user_id,
        "channel": dm_channel_for(user_id),
        "tab": tab,
        "event_ts": new_ts(),
    }
    if view is not None:
        event["view"] = full_view({"type": "home", **view})
    return event_callback(event, event_id)


def stub(file: dict[str, Any]) -> dict[str, Any]:
    """What a message event carries of a file from another organisation: an id to ask files.info about."""
    return {
        "id": file["id"], "mode": "hosted", "file_access": "check_file_info",
        "created": file.get("created"), "timestamp": file.get("timestamp"), "user": file.get("user"),
    }  # fmt: skip


def shared_file(
    name: str = "screenshot.png",
    *,
    file_id: str | None = None,
    title: str | None = None,
    user: str = "U0KEY1",
) -> dict[str, Any]:
    """A file object as a ``file_share`` message carries it (permalink included)."""
    file_id = file_id or "F" + secrets.token_hex(5).upper()
    mimetype = {"png": "image/png", "txt": "text/plain", "pdf": "application/pdf", "log": "text/plain"}
    filetype = name.rpartition(".")[2] if "." in name else "binary"
    return {
        "id": file_id, "created": int(time.time()), "timestamp": int(time.time()), "name": name,
        "title": title or name, "mimetype": mimetype.get(filetype, "application/octet-stream"),
        "filetype": filetype, "user": user, "size": 1024, "mode": "hosted", "is_external": False,
        "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}",
        "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{user}/{file_id}/{name}",
    }  # fmt: skip


def message_event(
    user: str,
    channel: str,
    text: str,
    thread_ts: str | None = None,
    *,
    ts: str | None = None,
    event_id: str | None = None,
    raw: bool = False,
    subtype: str | None = None,
    files: list[dict[str, Any]] | None = None,
    root: dict[str, Any] | None = None,
    previous_text: str = "",
    bot_id: str = "B0OTHER",
    team: str = TEAM_ID,
    shared: bool | None = None,
) -> Body:
    """A ``message`` event: a person's message, or one of Slack's subtypes.

    * ``file_share``: a person's message with ``files`` (default: one :func:`shared_file`);
    * ``thread_broadcast``: a reply also sent to the channel (needs ``thread_ts``; ``root`` is the parent);
    * ``message_changed``: ``user``'s message ``ts`` now reads ``text`` (was ``previous_text``); the
      event has no top-level ``user``;
    * ``message_deleted``: ``user``'s message ``ts`` (which read ``previous_text``) is gone;
    * ``bot_message``: a post by another integration (``bot_id``), with no ``user``;
    * ``channel_join``: ``user`` joined (the text is Slack's own unless given).

    ``team``: the writer's organisation (``user_team``, ``team``, ``source_team``); ``shared``: the
    channel is a Slack Connect one (default: when the writer is of another organisation). A person of
    another organisation's files come as stubs (``file_access: check_file_info``).
    """
    if subtype is not None and subtype not in SUBTYPES:
        raise ValueError(f"subtype must be one of {SUBTYPES}, not {subtype!r}")
    shown = text if raw else encode(text)
    ts = ts or new_ts()
    event: dict[str, Any] = {"type": "message", "channel": channel}
    if subtype in ("message_changed", "message_deleted"):
        event_ts = new_ts()
        previous = {"type": "message", "user": user, "text": previous_text if raw else encode(previous_text),
                    "ts": ts, "team": TEAM_ID}  # fmt: skip
        event.update({"subtype": subtype, "hidden": True, "ts": event_ts, "event_ts": event_ts})
        if subtype == "message_changed":
            event["message"] = {**previous, "text": shown, "edited": {"user": user, "ts": event_ts}}
        else:
            event["deleted_ts"] = ts
        event["previous_message"] = previous
    elif subtype == "bot_message":
        event.update({"subtype": subtype, "bot_id": bot_id, "username": "integration", "text": shown})
    else:
        event.update({"user": user, "text": shown, "team": team, "user_team": team, "source_team": team})
        if subtype == "channel_join":
            event.update({"subtype": subtype, "text": shown or f"<@{user}> has joined the channel"})
        elif subtype == "file_share":
            attached = files if files is not None else [shared_file(user=user)]
            if team != TEAM_ID:
                attached = [stub(f) for f in attached]
            event.update({"subtype": subtype, "files": attached, "upload": False, "display_as_bot": False})
        else:
            event["client_msg_id"] = str(uuid.uuid4())
        if subtype == "thread_broadcast":
            if thread_ts is None:
                raise ValueError("a thread_broadcast is a reply: give thread_ts")
            event["subtype"] = subtype
            event["root"] = root or {"type": "message", "user": BOT_USER_ID, "text": "", "ts": thread_ts,
                                     "thread_ts": thread_ts, "reply_count": 1}  # fmt: skip
    if subtype not in ("message_changed", "message_deleted"):
        event.update({"ts": ts, "event_ts": ts})
        if thread_ts is not None:
            event["thread_ts"] = thread_ts
            event["parent_user_id"] = (root or {}).get("user", BOT_USER_ID)
    event["channel_type"] = {"D": "im", "G": "group"}.get(channel[:1], "channel")
    return event_callback(event, event_id, shared=team != TEAM_ID if shared is None else shared)


def app_mention(
    user: str,
    channel: str,
    text: str,
    *,
    team: str = TEAM_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
    event_id: str | None = None,
    shared: bool | None = None,
) -> Body:
    """``app_mention``: ``text`` as written, the bot's mention included (``<@U0BOT> help``)."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel, "event_ts": ts,
        "team": team, "user_team": team, "source_team": team, "client_msg_id": str(uuid.uuid4()),
    }  # fmt: skip
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    return event_callback(event, event_id, shared=team != TEAM_ID if shared is None else shared)


def reaction_added(
    user: str,
    channel: str,
    ts: str,
    reaction: str = "ticket",
    *,
    item_user: str = "U0OTHER",
    event_id: str | None = None,
    shared: bool = False,
) -> Body:
    """``reaction_added``: names who reacted, never their organisation (ask users.info)."""
    event = {
        "type": "reaction_added", "user": user, "reaction": reaction, "item_user": item_user,
        "item": {"type": "message", "channel": channel, "ts": ts}, "event_ts": new_ts(),
    }  # fmt: skip
    return event_callback(event, event_id, shared=shared)


def member_joined_channel(
    user: str,
    channel: str,
    *,
    team: str = TEAM_ID,
    inviter: str | None = None,
    event_id: str | None = None,
    shared: bool = False,
) -> Body:
    event: dict[str, Any] = {
        "type": "member_joined_channel", "user": user, "channel": channel,
        "channel_type": "G" if channel.startswith("G") else "C", "team": team, "event_ts": new_ts(),
    }  # fmt: skip
    if inviter:
        event["inviter"] = inviter
    return event_callback(event, event_id, shared=shared)


def channel_id_changed(old: str, new: str, *, event_id: str | None = None) -> Body:
    event = {"type": "channel_id_changed", "old_channel_id": old, "new_channel_id": new, "event_ts": new_ts()}
    return event_callback(event, event_id)


def channel_shared(channel: str, team: str, *, event_id: str | None = None) -> Body:
    event = {"type": "channel_shared", "connected_team_id": team, "channel": channel, "event_ts": new_ts()}
    return event_callback(event, event_id, shared=True)


def channel_unshared(
    channel: str, team: str, *, still_shared: bool = False, event_id: str | None = None
) -> Body:
    event = {
        "type": "channel_unshared", "previously_connected_team_id": team, "channel": channel,
        "is_ext_shared": still_shared, "event_ts": new_ts(),
    }  # fmt: skip
    return event_callback(event, event_id, shared=still_shared)
