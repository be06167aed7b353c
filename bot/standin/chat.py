"""``chat.*``: the messages of the workspace as Slack keeps them, and where the app may post them."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any

from bot.standin.errors import SlackError
from bot.standin.ids import BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, TsSequence, dm_channel_for, is_user_id
from bot.standin.validation import check_message
from bot.standin.workspace import Channel, Workspace

Args = dict[str, Any]
Answer = dict[str, Any]
Handler = Callable[[Args], Answer]
Message = dict[str, Any]


class Chat:
    """Posted and seeded messages (``messages``: (channel, ts) -> current state), and ephemerals."""

    def __init__(self, workspace: Workspace, wall: Callable[[], float] | None = None) -> None:
        self.workspace = workspace
        self.messages: dict[tuple[str, str], Message] = {}
        self.message_history: dict[tuple[str, str], list[Message]] = {}
        self.ephemerals: list[Message] = []  # what chat.postEphemeral showed, with channel and user
        self._ts = TsSequence(wall)

    def handlers(self) -> dict[str, Handler]:
        return {
            "chat.postMessage": self._post_message,
            "chat.update": self._update,
            "chat.delete": self._delete,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.getPermalink": self._get_permalink,
            "conversations.history": self._history,
            "conversations.replies": self._replies,
        }

    def reset(self) -> None:
        self.messages.clear()
        self.message_history.clear()
        self.ephemerals.clear()

    def next_ts(self) -> str:
        return self._ts.next()

    def store(self, channel: str, ts: str, message: Message) -> None:
        self.messages[(channel, ts)] = message
        self.message_history.setdefault((channel, ts), []).append(message)

    def post_as_bot(self, channel: str, fields: Args) -> Message:
        """Put a message from the app into a conversation (the checks are the caller's)."""
        ts = self.next_ts()
        message: Message = {
            "type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "team": TEAM_ID, "ts": ts,
            "text": fields.get("text") or "",
        }  # fmt: skip
        for key in ("blocks", "attachments", "metadata", "thread_ts", "files"):
            if fields.get(key):
                message[key] = fields[key]
        self.store(channel, ts, message)
        return message

    def seed(
        self, channel: str, text: str, *, user: str, ts: str | None = None, thread_ts: str | None = None
    ) -> str:
        ts = ts or self.next_ts()
        message: Message = {"type": "message", "user": user, "text": text, "ts": ts}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self.messages[(channel, ts)] = message
        return ts

    # ------------------------------------------------------------------ methods

    def _post_message(self, args: Args) -> Answer:
        channel = self.workspace.postable(str(args.get("channel") or ""))
        check_message(args)
        message = self.post_as_bot(channel.id, args)
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def _own_message(self, args: Args) -> tuple[Channel, str, Message]:
        channel = self.workspace.postable(str(args.get("channel") or ""))
        ts = str(args.get("ts") or "")
        current = self.messages.get((channel.id, ts))
        if current is None:
            raise SlackError("message_not_found")
        if current.get("bot_id") != BOT_ID:
            raise SlackError("cant_update_message")
        return channel, ts, current

    def _update(self, args: Args) -> Answer:
        channel, ts, current = self._own_message(args)
        if not ("text" in args or "blocks" in args or "attachments" in args):
            raise SlackError("no_text")
        check_message(args, required=False)
        message = dict(current)  # fields left out keep their previous value, as on Slack
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": BOT_USER_ID, "ts": self.next_ts()}
        self.store(channel.id, ts, message)
        return {"channel": channel.id, "ts": ts, "text": message.get("text", ""), "message": message}

    def _delete(self, args: Args) -> Answer:
        channel, ts, _current = self._own_message(args)
        del self.messages[(channel.id, ts)]
        return {"channel": channel.id, "ts": ts}

    def _post_ephemeral(self, args: Args) -> Answer:
        """Only where the app is, and only to someone who is there too (a DM with the app: that person)."""
        target = str(args.get("channel") or "")
        if is_user_id(target):
            target = dm_channel_for(target)
        channel = self.workspace.visible(target)
        if channel.archived:
            raise SlackError("is_archived")
        if not channel.bot_member:
            raise SlackError("not_in_channel")
        user = str(args.get("user") or "")
        if user not in self.workspace.users:
            raise SlackError("user_not_found")
        if user not in channel.members:
            raise SlackError("user_not_in_channel")
        check_message(args)
        ts = self.next_ts()
        shown = {k: args[k] for k in ("text", "blocks", "attachments", "thread_ts") if args.get(k)}
        self.ephemerals.append({"channel": channel.id, "user": user, "message_ts": ts, **shown})
        return {"message_ts": ts}

    def _get_permalink(self, args: Args) -> Answer:
        channel = self.workspace.visible(str(args.get("channel") or ""))
        ts = str(args.get("message_ts") or "")
        message = self.messages.get((channel.id, ts))
        if message is None:
            raise SlackError("message_not_found")
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel.id}/p{ts.replace('.', '')}"
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != ts:
            link += f"?thread_ts={thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    # ------------------------------------------------------------------ reading conversations

    def _readable(self, args: Args) -> Channel:
        """A conversation whose messages the app may read: the scope of its kind, and membership."""
        channel = self.workspace.visible(str(args.get("channel") or ""))
        self.workspace.need(
            "im:history" if channel.is_im else "groups:history" if channel.private else "channels:history"
        )
        if not channel.bot_member:
            raise SlackError("not_in_channel")
        return channel

    def _history(self, args: Args) -> Answer:
        """Top-level messages (and thread broadcasts), newest first, as conversations.history gives them."""
        channel = self._readable(args)
        found = [
            message
            for (cid, ts), message in self.messages.items()
            if cid == channel.id
            and (message.get("thread_ts") in (None, ts) or message.get("subtype") == "thread_broadcast")
        ]
        return _page(sorted(found, key=lambda m: float(m["ts"]), reverse=True), args)

    def _replies(self, args: Args) -> Answer:
        """A thread: its parent first, then the replies, oldest first."""
        channel = self._readable(args)
        ts = str(args.get("ts") or "")
        if (channel.id, ts) not in self.messages:
            raise SlackError("thread_not_found")
        found = [
            message
            for (cid, mts), message in self.messages.items()
            if cid == channel.id and (mts == ts or message.get("thread_ts") == ts)
        ]
        return _page(sorted(found, key=lambda m: float(m["ts"])), args, parent=ts)


def _flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def _page(messages: list[Message], args: Args, parent: str | None = None) -> Answer:
    """Slack's window (oldest/latest, exclusive unless inclusive), limit (default 100, at most 999), an
    opaque cursor, and metadata only when include_all_metadata is set."""
    try:
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else float("inf")
        limit = min(max(int(args.get("limit") or 100), 1), 999)
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    inclusive = _flag(args.get("inclusive"))
    window = [
        m
        for m in messages
        if m["ts"] == parent
        or (oldest <= float(m["ts"]) <= latest if inclusive else oldest < float(m["ts"]) < latest)
    ]
    start = 0
    if args.get("cursor"):
        try:
            start = int(base64.b64decode(str(args["cursor"])).decode().removeprefix("offset:"))
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise SlackError("invalid_cursor") from None
    chunk = window[start : start + limit]
    if not _flag(args.get("include_all_metadata")):
        chunk = [{k: v for k, v in m.items() if k != "metadata"} for m in chunk]
    more = start + limit < len(window)
    cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return {"messages": chunk, "has_more": more, "response_metadata": {"next_cursor": cursor}}
