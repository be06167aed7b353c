"""What the bot did in the stand-in, caught as it happens: the timeline of its Web API calls and answers
through response URLs, and the private answers each person sees (ephemeral messages, response-URL
answers, a command's own answer), placed in the conversation at the moment they arrived."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.standin import Call, Response, SlackStandIn

SLACKBOT = "USLACKBOT"  # Slack's own voice, for what Slack itself tells a person


@dataclass
class Entry:
    """One line of the timeline: a Web API call, or an answer posted to a response URL."""

    n: int
    method: str
    at: str  # simulated time, ISO
    ok: bool
    status: int
    error: str | None
    args: dict[str, Any]
    response: dict[str, Any] | None

    def as_json(self) -> dict[str, Any]:
        return {
            "n": self.n, "method": self.method, "at": self.at, "ok": self.ok, "status": self.status,
            "error": self.error, "args": self.args, "response": self.response,
        }  # fmt: skip


@dataclass
class Private:
    """Something only one person sees, in one conversation (and thread)."""

    user: str
    channel: str
    ts: str  # where it sorts among the conversation's messages: it arrived after every earlier one
    message: dict[str, Any]  # text and/or blocks
    thread_ts: str | None = None
    sender: str = "bot"  # or SLACKBOT
    at: str | None = None  # simulated time it arrived, ISO

    def as_item(self) -> dict[str, Any]:
        return {
            **{k: v for k, v in self.message.items() if k in ("text", "blocks", "attachments")},
            "ts": self.ts, "user": SLACKBOT if self.sender == SLACKBOT else None,
            "bot": self.sender != SLACKBOT, "ephemeral": True, "thread_ts": self.thread_ts, "at": self.at,
        }  # fmt: skip


class Tracker:
    def __init__(self, standin: SlackStandIn, clock: Clock, on_call: Callable[[Call], None]) -> None:
        self.standin = standin
        self.clock = clock
        self.on_call = on_call  # told of every call as it is recorded (modals opening)
        self.timeline: list[Entry] = []
        self.private: list[Private] = []
        self.posted_at: dict[str, str] = {}  # message ts -> simulated time it was posted, ISO
        self._calls = self._responses = self._ephemerals = 0
        self._unsubscribe = standin.subscribe(self.catch_up)

    def close(self) -> None:
        self._unsubscribe()

    def reset(self) -> None:
        """The stand-in was reset: start again from its (now empty) records."""
        self.timeline.clear()
        self.private.clear()
        self.posted_at.clear()
        self._calls = self._responses = self._ephemerals = 0

    def catch_up(self) -> None:
        """Take in whatever the stand-in recorded since the last look (called on every change)."""
        at = self.clock.now().isoformat(timespec="milliseconds")
        for call in self.standin.calls[self._calls :]:
            self._calls += 1
            self.on_call(call)
            if call.method == "chat.postMessage" and call.response and call.response.get("ts"):
                self.posted_at[str(call.response["ts"])] = at
            args = _plain(call.args)
            self._entry(call.method, at, not call.failed, call.status, call.error, args, call.response)
        for response in self.standin.responses[self._responses :]:
            self._responses += 1
            self._entry("response_url", at, True, 200, None, _plain(response.body), {"ok": True})
            self._respond(response)
        for shown in self.standin.ephemerals[self._ephemerals :]:
            self._ephemerals += 1
            message = {k: v for k, v in shown.items() if k in ("text", "blocks", "attachments")}
            user, channel, ts = str(shown["user"]), str(shown["channel"]), str(shown["message_ts"])
            self.private.append(Private(user, channel, ts, message, shown.get("thread_ts"), at=at))

    def tell(
        self,
        user: str,
        channel: str,
        message: dict[str, Any],
        *,
        sender: str = "bot",
        thread_ts: str | None = None,
    ) -> None:
        """Show `user` something privately now (a command's own answer, or Slack's word about it)."""
        ts = self.standin.chat.next_ts()
        at = self.clock.now().isoformat(timespec="milliseconds")
        self.private.append(Private(user, channel, ts, message, thread_ts, sender, at))

    def stamp(self, ts: str) -> None:
        """A person's message was posted now."""
        self.posted_at[ts] = self.clock.now().isoformat(timespec="milliseconds")

    def _entry(self, method: str, at: str, ok: bool, status: int, error: str | None,
               args: dict[str, Any], response: dict[str, Any] | None) -> None:  # fmt: skip
        self.timeline.append(Entry(len(self.timeline) + 1, method, at, ok, status, error, args, response))

    def _respond(self, response: Response) -> None:
        """An answer through a response URL: replacing, deleting or posting in the channel is the
        stand-in's (as on Slack); an ephemeral one is shown to the person who made the request."""
        body = response.body
        if body.get("replace_original") or body.get("delete_original"):
            return
        if response.response_type == "ephemeral" and response.user and response.channel:
            message = {k: v for k, v in body.items() if k in ("text", "blocks", "attachments")}
            self.tell(response.user, response.channel, message)

    def timeline_since(self, since: int) -> list[dict[str, Any]]:
        return [entry.as_json() for entry in self.timeline[max(0, since) :]]


def _plain(value: Any) -> dict[str, Any]:
    """Arguments as JSON can carry them (a call's arguments are JSON already; this guards the rest)."""
    return json.loads(json.dumps(value, default=str)) if isinstance(value, dict) else {"value": str(value)}
