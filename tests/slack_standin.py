"""A local stand-in for Slack's Web API, for tests and benchmarks (no pytest dependency).

Serves ``/api/<method>`` on 127.0.0.1 with a random free port and answers the way Slack does for the
methods Secondline uses. Point ``slack_sdk``'s ``AsyncWebClient(token=..., base_url=standin.base_url)`` at it.

It parses every request as slack_sdk sends it (JSON body for ``chat.*``/``views.*``, query or form arguments
for ``conversations.open``, GET query for ``users.info``), records it as a :class:`Call`, keeps the current
state of posted messages and views, and can be told to fail (HTTP 429 with ``Retry-After``, 5xx, or
``{"ok": false, "error": ...}``).

Remember: slack_sdk honours ``HTTP(S)_PROXY`` (not ``NO_PROXY``); unset them when talking to the stand-in.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import CIMultiDict

__all__ = [
    "BOT_ID",
    "BOT_USER_ID",
    "DEFAULT_TOKEN",
    "DEFAULT_TZ",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "Call",
    "SlackStandIn",
    "dm_channel_for",
]

DEFAULT_TOKEN = "xoxb-test-token"
TEAM_ID = "T0TEAM"
TEAM_DOMAIN = "acme"
APP_ID = "A0APP"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
DEFAULT_TZ = "America/Chicago"

# Arguments that Slack accepts as a JSON string in form/query encoding; decoded so ``Call.args`` is uniform.
_JSON_ARGS = frozenset({"blocks", "attachments", "view", "metadata", "unfurls"})
_TZ_LABELS = {
    "CST": "Central Standard Time", "CDT": "Central Daylight Time",
    "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
    "MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
    "CET": "Central European Time", "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time", "BST": "British Summer Time", "UTC": "Coordinated Universal Time",
    "IST": "India Standard Time", "JST": "Japan Standard Time",
}  # fmt: skip
_PLAIN_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}

Args = dict[str, Any]
Answer = dict[str, Any]


def dm_channel_for(user_id: str) -> str:
    """The im channel id the stand-in gives a user's DM with the bot: ``U0KEY1`` -> ``D0KEY1``."""
    return "D" + user_id[1:]


def _is_user_id(channel: str) -> bool:
    return len(channel) > 1 and channel[0] in "UW" and channel[1:].isalnum() and channel.isupper()


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    args: dict[str, Any]
    headers: Mapping[str, str]
    at: float  # time.monotonic() when the request arrived
    failed: bool = False  # answered with an error (injected or not)
    status: int = 200
    error: str | None = None
    http_method: str = "POST"
    encoding: str = "json"  # "json", "form" or "query"
    response: dict[str, Any] | None = None

    def __repr__(self) -> str:
        outcome = f"failed {self.status} {self.error}" if self.failed else "ok"
        return f"Call({self.method!r}, {self.args!r}, {outcome})"


@dataclass
class _Failure:
    method: str
    status: int
    remaining: int | None  # None: forever
    retry_after: int
    error: str | None
    predicate: Callable[[Args], bool] | None = None


class _SlackError(Exception):
    def __init__(self, error: str, messages: list[str] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []


@dataclass
class _Ts:
    """Generates increasing, unique Slack-style timestamps: ``1700000000.000100``, ``1700000000.000200``..."""

    micros: int = 1_700_000_000_000_000
    step: int = 100

    def next(self) -> str:
        self.micros += self.step
        return f"{self.micros // 1_000_000}.{self.micros % 1_000_000:06d}"


class SlackStandIn:
    """A Slack Web API stand-in on ``http://127.0.0.1:<port>/api/``.

    Seed people with ``standin.users["U0KEY1"] = {"tz": "Europe/Berlin", "email": "kim@acme.test"}``
    (keys: name, real_name, tz, tz_label, email, deleted, is_bot, profile).
    """

    def __init__(self, token: str = DEFAULT_TOKEN, *, latency: float = 0.0, host: str = "127.0.0.1") -> None:
        self.token = token
        self.latency = latency
        self.host = host
        self.port: int | None = None
        self.users: dict[str, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.message_history: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.used_trigger_ids: set[str] = set()
        self._failures: list[_Failure] = []
        self._ts = _Ts()
        self._view_seq = 0
        self._changed: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._handlers: dict[str, Callable[[Args], Answer]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://{self.host}:{self.port}/api/"

    async def start(self) -> SlackStandIn:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._changed = asyncio.Event()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.port = None

    async def __aenter__(self) -> SlackStandIn:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def web_client(self, **kwargs: Any) -> Any:
        """A real slack_sdk ``AsyncWebClient`` pointed at the stand-in (token defaults to the right one)."""
        from slack_sdk.web.async_client import AsyncWebClient

        kwargs.setdefault("token", self.token)
        return AsyncWebClient(base_url=self.base_url, **kwargs)

    # ------------------------------------------------------------------ inspection

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:  # noqa: ASYNC109
        """Wait until at least ``count`` calls (failed ones included) of ``method`` were recorded."""
        await self.wait_until(
            lambda: len(self.calls_to(method)) >= count, timeout, what=f"{count} call(s) to {method}"
        )
        return self.calls_to(method)

    async def wait_until(
        self,
        predicate: Callable[[], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "",
    ) -> None:
        """Wait until ``predicate()`` holds, re-checking after every recorded call."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._changed is None:
                self._changed = asyncio.Event()
            changed = self._changed
            if predicate():
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what or 'condition'}; "
                    f"recorded calls: {self.methods()}"
                )
            try:
                await asyncio.wait_for(changed.wait(), remaining)
            except TimeoutError:
                pass

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """The current state of a message (after postMessage and any updates)."""
        try:
            return self.messages[(channel, ts)]
        except KeyError:
            raise AssertionError(
                f"no message {ts} in {channel}; known messages: {sorted(self.messages)}"
            ) from None

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """Current state of the messages in a channel (a user id: the DM with that user), oldest first."""
        channel = dm_channel_for(channel) if _is_user_id(channel) else channel
        return [m for (ch, _ts), m in sorted(self.messages.items()) if ch == channel]

    def replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [
            m for m in self.messages_in(channel) if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
        ]

    def posts_to(self, channel: str) -> list[Call]:
        """Successful chat.postMessage calls to ``channel`` (a user id also matches its ``D…`` channel)."""
        wanted = {channel, dm_channel_for(channel)} if _is_user_id(channel) else {channel}
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if not c.failed
            and c.response is not None
            and (c.args.get("channel") in wanted or c.response.get("channel") in wanted)
        ]

    def home_view(self, user_id: str) -> dict[str, Any]:
        try:
            return self.home_views[user_id]
        except KeyError:
            raise AssertionError(f"no App Home published for {user_id}") from None

    def seed_message(self, channel: str, text: str, *, user: str = "U0OTHER", ts: str | None = None) -> str:
        """Put a message the bot did not post (e.g. a person's message) into the channel state; returns ts."""
        ts = ts or self._ts.next()
        self.messages[(channel, ts)] = {"type": "message", "user": user, "text": text, "ts": ts}
        return ts

    def reset(self) -> None:
        """Forget recorded calls, queued failures, messages and views (the ``users`` registry is kept)."""
        self.calls.clear()
        self._failures.clear()
        self.messages.clear()
        self.message_history.clear()
        self.views.clear()
        self.home_views.clear()
        self.used_trigger_ids.clear()

    # ------------------------------------------------------------------ failure injection

    def fail(
        self,
        method: str,
        status: int = 429,
        times: int | None = 1,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (``times=None``: all of them).

        ``status=429``: HTTP 429 + ``Retry-After`` + ``{"ok": false, "error": "ratelimited"}``;
        ``status`` 5xx: that status with a plain-text body;
        ``status=200`` with ``error``: ``{"ok": false, "error": error}``.
        """
        self.fail_for(method, None, status=status, times=times, retry_after=retry_after, error=error)

    def fail_for(
        self,
        method: str,
        predicate: Callable[[Args], bool] | None,
        *,
        status: int = 200,
        error: str | None = None,
        times: int | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail only calls whose args match, e.g. ``fail_for("chat.postMessage", lambda a: a["channel"] ==
        "U0GONE", error="user_not_found")``. Default: every matching call, forever."""
        if status == 200 and not error:
            raise ValueError("a status-200 failure needs an error code, e.g. error='cannot_dm_bot'")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        self._failures.append(_Failure(method, status, times, retry_after, error, predicate))

    def pending_failures(self, method: str | None = None) -> int:
        return sum(1 for f in self._failures if method is None or f.method == method)

    def _take_failure(self, method: str, args: Args) -> _Failure | None:
        for failure in self._failures:
            if failure.method != method or (failure.predicate is not None and not failure.predicate(args)):
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._failures.remove(failure)
            return failure
        return None

    # ------------------------------------------------------------------ HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        arrived = time.monotonic()
        method = request.match_info["method"]
        headers: Mapping[str, str] = CIMultiDict(request.headers)
        try:
            args, encoding = await self._parse(request)
        except _SlackError as exc:
            args, encoding = {}, "invalid"
            parse_error: str | None = exc.error
        else:
            parse_error = None
        if self.latency:
            await asyncio.sleep(self.latency)

        call = Call(method, args, headers, arrived, http_method=request.method, encoding=encoding)
        response: web.StreamResponse
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth == "Bearer ":
            response = self._error_answer(call, "not_authed")  # Slack's answer when no token is sent
        elif auth != f"Bearer {self.token}":
            response = self._error_answer(call, "invalid_auth")
        elif (failure := self._take_failure(method, args)) is not None:
            response = self._injected_answer(call, failure)
        elif parse_error is not None:
            response = self._error_answer(call, parse_error)
        elif (handler := self._handlers.get(method)) is None:
            response = self._error_answer(call, "unknown_method")
        else:
            try:
                body = handler(args)
            except _SlackError as exc:
                response = self._error_answer(call, exc.error, exc.messages)
            else:
                body = {"ok": True, **body}
                call.response = body
                response = web.json_response(body)
        self._record(call)
        return response

    async def _parse(self, request: web.Request) -> tuple[Args, str]:
        args: Args = dict(request.query)
        encoding = "query"
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                try:
                    body = await request.json()
                except json.JSONDecodeError:
                    raise _SlackError("invalid_json") from None
                if not isinstance(body, dict):
                    raise _SlackError("invalid_json")
                args.update(body)
                encoding = "json"
            else:
                form = await request.post()
                if form:
                    args.update({k: v for k, v in form.items() if isinstance(v, str)})
                    encoding = "form"
        for key in _JSON_ARGS & args.keys():
            value = args[key]
            if isinstance(value, str) and value.startswith(("[", "{")):
                try:
                    args[key] = json.loads(value)
                except json.JSONDecodeError:
                    raise _SlackError(
                        "invalid_arguments" if key == "view" else "invalid_blocks_format"
                    ) from None
        return args, encoding

    def _error_answer(self, call: Call, error: str, messages: list[str] | None = None) -> web.Response:
        body: Answer = {"ok": False, "error": error}
        if messages:
            body["response_metadata"] = {"messages": messages}
        call.failed, call.error, call.response = True, error, body
        return web.json_response(body)

    def _injected_answer(self, call: Call, failure: _Failure) -> web.Response:
        call.failed, call.status = True, failure.status
        if failure.status == 429:
            call.error = failure.error or "ratelimited"
            call.response = {"ok": False, "error": call.error}
            return web.json_response(
                call.response, status=429, headers={"Retry-After": str(failure.retry_after)}
            )
        if failure.status == 200:
            call.error = failure.error
            call.response = {"ok": False, "error": failure.error}
            return web.json_response(call.response)
        call.error = failure.error or f"http_{failure.status}"
        text = _PLAIN_STATUS_TEXT.get(failure.status, "Error")
        return web.Response(status=failure.status, text=text, content_type="text/plain")

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        if self._changed is not None:
            self._changed.set()
        self._changed = asyncio.Event()

    # ------------------------------------------------------------------ methods

    def _auth_test(self, args: Args) -> Answer:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Acme",
            "user": "secondline",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _store(self, channel: str, ts: str, message: dict[str, Any]) -> None:
        self.messages[(channel, ts)] = message
        self.message_history.setdefault((channel, ts), []).append(message)

    def _chat_post_message(self, args: Args) -> Answer:
        channel = str(args.get("channel") or "")
        if not channel:
            raise _SlackError("channel_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise _SlackError("no_text")
        _check_blocks(args.get("blocks"), limit=50)
        if _is_user_id(channel):
            if channel == BOT_USER_ID:
                raise _SlackError("cannot_dm_bot")
            channel = dm_channel_for(channel)
        ts = self._ts.next()
        message: dict[str, Any] = {
            "type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "team": TEAM_ID, "ts": ts,
            "text": args.get("text") or "",
        }  # fmt: skip
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        self._store(channel, ts, message)
        return {"channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: Args) -> Answer:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        if not channel:
            raise _SlackError("channel_not_found")
        current = self.messages.get((channel, ts))
        if current is None:
            raise _SlackError("message_not_found")
        if current.get("bot_id") != BOT_ID:
            raise _SlackError("cant_update_message")
        if not ("text" in args or "blocks" in args or "attachments" in args):
            raise _SlackError("no_text")
        _check_blocks(args.get("blocks"), limit=50)
        message = dict(current)  # fields left out keep their previous value, as on Slack
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": BOT_USER_ID, "ts": self._ts.next()}
        self._store(channel, ts, message)
        return {"channel": channel, "ts": ts, "text": message.get("text", ""), "message": message}

    def _chat_delete(self, args: Args) -> Answer:
        channel, ts = str(args.get("channel") or ""), str(args.get("ts") or "")
        if self.messages.pop((channel, ts), None) is None:
            raise _SlackError("message_not_found")
        return {"channel": channel, "ts": ts}

    def _chat_post_ephemeral(self, args: Args) -> Answer:
        if not args.get("channel"):
            raise _SlackError("channel_not_found")
        if not args.get("user"):
            raise _SlackError("user_not_found")
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            raise _SlackError("no_text")
        _check_blocks(args.get("blocks"), limit=50)
        return {"message_ts": self._ts.next()}

    def _chat_get_permalink(self, args: Args) -> Answer:
        # Lenient: any channel/ts gets a permalink (messages posted by people are not modelled).
        channel, ts = str(args.get("channel") or ""), str(args.get("message_ts") or "")
        if not channel:
            raise _SlackError("channel_not_found")
        if not ts:
            raise _SlackError("message_not_found")
        link = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"channel": channel, "permalink": link}

    def _new_view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        if view_id is None:
            self._view_seq += 1
            view_id = f"V{self._view_seq:08d}"
        previous = self.views.get(view_id, {})
        self._view_seq += 1
        stored: dict[str, Any] = {
            "id": view_id, "team_id": TEAM_ID, "type": view.get("type"), "blocks": [],
            "private_metadata": "", "callback_id": "", "state": {"values": {}},
            "hash": f"{int(time.time())}.{hashlib.sha1(str(self._view_seq).encode()).hexdigest()[:8]}",
            "clear_on_close": False, "notify_on_close": False, "external_id": "",
            "previous_view_id": previous.get("previous_view_id"),
            "root_view_id": previous.get("root_view_id"),
            "app_id": APP_ID, "bot_id": BOT_ID,
        }  # fmt: skip
        stored.update({k: v for k, v in view.items() if k not in ("id", "hash", "state")})
        stored["root_view_id"] = stored["root_view_id"] or view_id
        self.views[view_id] = stored
        return stored

    def _take_trigger(self, args: Args) -> None:
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            raise _SlackError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if trigger_id in self.used_trigger_ids:
            raise _SlackError("exchanged_trigger_id")
        self.used_trigger_ids.add(str(trigger_id))

    def _views_open(self, args: Args) -> Answer:
        view = _check_view(args.get("view"), "modal")
        self._take_trigger(args)
        return {"view": self._new_view(view)}

    def _views_push(self, args: Args) -> Answer:
        return self._views_open(args)

    def _views_update(self, args: Args) -> Answer:
        view = _check_view(args.get("view"), None)
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (v["id"] for v in self.views.values() if v["external_id"] == args["external_id"]), ""
            )
            if not view_id:
                raise _SlackError("not_found")
        if not view_id:
            raise _SlackError("invalid_arguments", ["[ERROR] either view_id or external_id is required"])
        current = self.views.get(str(view_id))
        if current is None:
            raise _SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        return {"view": self._new_view(view, str(view_id))}

    def _views_publish(self, args: Args) -> Answer:
        user_id = str(args.get("user_id") or "")
        if not user_id:
            raise _SlackError("invalid_arguments", ["[ERROR] missing required field: user_id"])
        view = _check_view(args.get("view"), "home")
        current = self.home_views.get(user_id)
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise _SlackError("hash_conflict")
        stored = self._new_view(view, current["id"] if current else None)
        self.home_views[user_id] = stored
        return {"view": stored}

    def _conversations_open(self, args: Args) -> Answer:
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if args.get("channel"):
            return {"channel": {"id": str(args["channel"])}, "already_open": True}
        if not users:
            raise _SlackError("users_list_not_supplied")
        if BOT_USER_ID in users and len(users) == 1:
            raise _SlackError("cannot_dm_bot")
        for uid in users:
            if self.users.get(uid, {}).get("deleted"):
                raise _SlackError("user_disabled")
        if len(users) == 1:
            channel_id = dm_channel_for(users[0])
        else:
            channel_id = "G" + hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:9].upper()
        return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _user(self, uid: str) -> dict[str, Any]:
        seed = self.users.get(uid, {})
        tz_name = str(seed.get("tz", DEFAULT_TZ))
        now = datetime.now(UTC).astimezone(ZoneInfo(tz_name))
        offset = now.utcoffset()
        abbreviation = now.tzname() or ""
        name = str(seed.get("name", uid.lower()))
        real_name = str(seed.get("real_name", name.title()))
        profile: dict[str, Any] = {
            "real_name": real_name, "display_name": name, "team": TEAM_ID,
            "email": seed.get("email", f"{name}@{TEAM_DOMAIN}.test"),
        }  # fmt: skip
        profile.update(seed.get("profile", {}))
        user: dict[str, Any] = {
            "id": uid, "team_id": TEAM_ID, "name": name, "real_name": real_name,
            "deleted": bool(seed.get("deleted", False)),
            "is_bot": bool(seed.get("is_bot", uid == BOT_USER_ID)),
            "is_app_user": False, "is_admin": False, "is_owner": False, "is_restricted": False,
            "is_ultra_restricted": False, "updated": 1_700_000_000,
            "tz": tz_name, "tz_label": seed.get("tz_label", _TZ_LABELS.get(abbreviation, abbreviation)),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
        }  # fmt: skip
        user.update({k: v for k, v in seed.items() if k not in user and k not in ("email", "profile")})
        return user

    def _users_info(self, args: Args) -> Answer:
        uid = str(args.get("user") or "")
        if not uid:
            raise _SlackError("user_not_found")
        return {"user": self._user(uid)}

    def _users_lookup_by_email(self, args: Args) -> Answer:
        email = str(args.get("email") or "").strip().lower()
        for uid in self.users:
            user = self._user(uid)
            if str(user["profile"].get("email", "")).lower() == email and email:
                return {"user": user}
        raise _SlackError("users_not_found")


# ---------------------------------------------------------------------- light validation (like Slack's)

_TEXT_LIMITS = {"header": 150, "section": 3000}


def _check_blocks(blocks: Any, *, limit: int, error: str = "invalid_blocks") -> None:
    if blocks is None:
        return
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise _SlackError("invalid_blocks_format")
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:/blocks]")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"[json-pointer:/blocks/{i}"
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                problems.append(f"[ERROR] must be less than 256 characters {where}/block_id]")
            if block_id in seen:
                problems.append(f"[ERROR] duplicate block_id {where}/block_id]")
            seen.add(str(block_id))
        btype = block.get("type")
        if not btype:
            problems.append(f"[ERROR] missing required field: type {where}]")
        text = block.get("text")
        limit_text = _TEXT_LIMITS.get(str(btype))
        if limit_text is not None and isinstance(text, dict) and len(text.get("text", "")) > limit_text:
            problems.append(f"[ERROR] must be less than {limit_text + 1} characters {where}/text]")
        if btype == "section" and len(block.get("fields") or []) > 10:
            problems.append(f"[ERROR] no more than 10 items allowed {where}/fields]")
        elements = block.get("elements") or []
        if btype == "actions" and len(elements) > 25:
            problems.append(f"[ERROR] no more than 25 items allowed {where}/elements]")
        for element in [*elements, block.get("accessory"), block.get("element")]:
            if not isinstance(element, dict):
                continue
            if element.get("type") == "button":
                label = element.get("text", {}).get("text", "")
                if len(label) > 75:
                    problems.append(f"[ERROR] must be less than 76 characters {where} button text]")
                if len(str(element.get("value", ""))) > 2000:
                    problems.append(f"[ERROR] must be less than 2001 characters {where} button value]")
            if len(str(element.get("action_id", ""))) > 255:
                problems.append(f"[ERROR] must be less than 256 characters {where} action_id]")
    if problems:
        raise _SlackError(error, problems)


def _check_view(view: Any, want_type: str | None) -> dict[str, Any]:
    if not isinstance(view, dict):
        raise _SlackError("invalid_arguments", ["[ERROR] missing required field: view"])
    vtype = view.get("type")
    if want_type is not None and vtype != want_type:
        problem = f"[ERROR] view type must be {want_type} [json-pointer:/view/type]"
        raise _SlackError("invalid_arguments", [problem])
    if vtype not in ("modal", "home"):
        raise _SlackError("invalid_arguments", ["[ERROR] unsupported view type [json-pointer:/view/type]"])
    problems: list[str] = []
    if vtype == "modal":
        if not isinstance(view.get("title"), dict):
            problems.append("[ERROR] missing required field: title [json-pointer:/view/title]")
        for key in ("title", "submit", "close"):
            part = view.get(key)
            if isinstance(part, dict) and len(part.get("text", "")) > 24:
                problems.append(f"[ERROR] must be less than 25 characters [json-pointer:/view/{key}/text]")
        blocks = view.get("blocks") or []
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and not view.get("submit"):
            problems.append("[ERROR] must provide submit button when using input blocks [json-pointer:/view]")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id", ""))) > 255:
        problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    if problems:
        raise _SlackError("invalid_arguments", problems)
    _check_blocks(view.get("blocks"), limit=100, error="invalid_arguments")
    return view
