"""Post a job's message once, though Slack may have posted it on an attempt that never heard back.

Slack has no idempotency key: when chat.postMessage times out or the replica dies before it writes down
the answer, the message may or may not be in Slack. So each message a job posts carries the job's key
in Slack's message metadata, and any later attempt of the job first looks for that key in the
conversation's recent messages (conversations.history, or .replies for a thread), taking the message it
finds instead of posting a second one. A first attempt posts at once: only retries pay for the look.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.slack.api import SlackApi
from bot.slack.errors import SlackRefused
from models import Job

log = logging.getLogger(__name__)

EVENT_TYPE = "secondline_message"
LOOK_BEFORE = timedelta(minutes=2)  # the job's creation, less clock differences between us and Slack
MAX_PAGES = 5  # of 200 messages: a conversation busier than that since the job began is not searched


def is_user_id(channel: str) -> bool:
    """A person's id, which chat.postMessage takes as "the app's DM with them"."""
    return channel[:1] in ("U", "W")


@dataclass
class PostOnce:
    api: SlackApi
    _dm_channels: dict[str, str] = field(default_factory=dict)  # person → their DM with the app

    async def post(
        self, job: Job, key: str, channel: str, message: Mapping[str, Any], *, urgent: bool = False
    ) -> dict[str, Any]:
        """chat.postMessage of `message` (which may name a thread_ts) into `channel`, once for `key`."""
        if job.attempts > 1:
            found = await self.find(job, key, channel, message.get("thread_ts"))
            if found is not None:
                log.info("%s reached Slack on an earlier attempt; not posting it again", key)
                return found
        return await self.post_marked(key, channel, message, urgent=urgent)

    async def post_marked(
        self, key: str, channel: str, message: Mapping[str, Any], *, urgent: bool = False
    ) -> dict[str, Any]:
        """chat.postMessage marked with `key`, without looking first: for a caller that has looked itself
        (or whose key is new)."""
        metadata = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}
        answer = await self.api.call(
            "chat.postMessage", urgent=urgent, channel=channel, metadata=metadata, **message
        )
        if is_user_id(channel) and answer.get("channel"):
            self._dm_channels[channel] = str(answer["channel"])
        return answer

    async def find(self, job: Job, key: str, channel: str, thread_ts: str | None) -> dict[str, Any] | None:
        """The answer chat.postMessage would have given for the message marked `key`, if it is there."""
        conversation = await self._conversation(channel)
        if conversation is None:
            return None
        method = "conversations.replies" if thread_ts else "conversations.history"
        args: dict[str, Any] = {
            "channel": conversation,
            "oldest": f"{(job.created_at - LOOK_BEFORE).timestamp():.6f}",
            "limit": 200,
            "include_all_metadata": "true",
        }
        if thread_ts:
            args["ts"] = thread_ts
        for _ in range(MAX_PAGES):
            try:
                data = await self.api.call(method, **args)
            except SlackRefused as exc:  # cannot read it (a scope, say): post, rather than not at all
                log.warning("cannot look for %s in %s (%s); posting it", key, conversation, exc.error)
                return None
            for message in data.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (
                    metadata.get("event_type") == EVENT_TYPE
                    and (metadata.get("event_payload") or {}).get("key") == key
                ):
                    return {"ok": True, "channel": conversation, "ts": message["ts"], "message": message}
            args["cursor"] = (data.get("response_metadata") or {}).get("next_cursor")
            if not args["cursor"]:
                return None
        return None

    async def _conversation(self, channel: str) -> str | None:
        """The conversation to read: a person's DM with the app is opened (im:write) to learn its id."""
        if not is_user_id(channel):
            return channel
        if channel not in self._dm_channels:
            try:
                answer = await self.api.call("conversations.open", users=channel)
            except SlackRefused as exc:  # without im:write we cannot look: post, rather than not at all
                log.warning("cannot look for an earlier DM to %s (%s); posting it", channel, exc.error)
                return None
            self._dm_channels[channel] = str((answer.get("channel") or {}).get("id") or "")
        return self._dm_channels[channel] or None
