"""The stand-in's HTTP side: Slack's Web API on ``http://127.0.0.1:<port>/api/``, upload and response URLs.

Every request is parsed the way slack_sdk sends it (JSON for ``chat.*``/``views.*``, query or form
arguments otherwise), checked like Slack checks it (token, scopes, rate limits, then the method's own
rules), answered, and recorded as a :class:`Call`. Point ``AsyncWebClient(base_url=standin.base_url)``
at it, or use :meth:`SlackStandIn.web_client`. No pytest dependency: benchmarks and a playground use it.

slack_sdk honours ``HTTP(S)_PROXY`` (not ``NO_PROXY``): unset them when talking to the stand-in.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any

from aiohttp import web
from multidict import CIMultiDict

from bot.standin.chat import Chat
from bot.standin.controls import Controls
from bot.standin.directory import Directory
from bot.standin.errors import SlackError
from bot.standin.failures import Failure
from bot.standin.files import Files
from bot.standin.ids import DEFAULT_TOKEN
from bot.standin.inspection import Inspection
from bot.standin.limits import POSTING_METHODS, Limits, RateLimiter
from bot.standin.recording import Call, parse_args
from bot.standin.responses import ResponseUrls
from bot.standin.views import Views
from bot.standin.workspace import METHOD_SCOPES, Workspace

_PLAIN_STATUS_TEXT = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


class SlackStandIn(Inspection, Controls):
    """A Slack workspace's Web API, strict the way Slack is.

    ``clock``: a zero-argument callable returning seconds (default ``time.monotonic``); rate limits,
    response-URL expiry and ``Call.at`` use it, so a test's fake clock puts them on simulated time.
    ``wall``: epoch seconds, which message timestamps follow as Slack's do (a test's fake clock's
    ``now().timestamp()``; ``None``: a fixed sequence from ``1700000000.000100``).
    ``enforce_limits=False`` switches rate limits off; ``limits`` changes them; ``scopes`` replaces the
    granted scopes (default :data:`bot.standin.workspace.DEFAULT_SCOPES`).
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        clock: Callable[[], float] = time.monotonic,
        enforce_limits: bool = True,
        limits: Limits | None = None,
        scopes: Iterable[str] | None = None,
        wall: Callable[[], float] | None = time.time,
    ) -> None:
        workspace = Workspace(scopes)
        chat = Chat(workspace, wall)
        files = Files(workspace, chat, lambda: self.root_url + "upload/")
        response_urls = ResponseUrls(clock, chat, lambda: self.root_url + "response/")
        views = Views(workspace)
        Inspection.__init__(self, workspace, chat, views, files, response_urls)
        Controls.__init__(self, latency)
        self.token = token
        self.host = host
        self.clock = clock
        self.port: int | None = None
        self.enforce_limits = enforce_limits
        self.limiter = RateLimiter(clock, limits)
        self.rate_limited = 0  # calls answered 429 by the enforced limits
        self._runner: web.AppRunner | None = None
        self._handlers = {
            **Directory(workspace).handlers(),
            **chat.handlers(),
            **views.handlers(),
            **files.handlers(),
        }

    # ------------------------------------------------------------------ lifecycle

    @property
    def root_url(self) -> str:
        if self.port is None:
            raise RuntimeError("SlackStandIn is not started")
        return f"http://{self.host}:{self.port}/"

    @property
    def base_url(self) -> str:
        return self.root_url + "api/"

    async def start(self) -> SlackStandIn:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{url_id}", self._handle_response)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        self.release()  # held requests finish rather than keep the shutdown waiting
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

    def reset(self) -> None:
        """Forget calls, failures, messages, views, files, responses, rate-limit use; keep the workspace."""
        Inspection.reset(self)
        self.reset_controls()
        self.limiter.reset()
        self.rate_limited = 0

    @property
    def scopes(self) -> set[str]:
        """The token's scopes; assign a new set to grant or withdraw some."""
        return self.workspace.scopes

    @scopes.setter
    def scopes(self, value: Iterable[str]) -> None:
        self.workspace.scopes = set(value)

    @property
    def rate_limited_share(self) -> float:
        """429s from the enforced limits as a share of all recorded calls (0.0 with none)."""
        return self.rate_limited / len(self.calls) if self.calls else 0.0

    # ------------------------------------------------------------------ HTTP

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        arrived = self.clock()
        method = request.match_info["method"]
        try:
            args, encoding = await parse_args(request)
            parse_error: SlackError | None = None
        except SlackError as exc:
            args, encoding, parse_error = {}, "invalid", exc
        await self._hold()
        call = Call(method, args, CIMultiDict(request.headers), arrived, http_method=request.method,
                    encoding=encoding)  # fmt: skip
        response = self._answer(call, request.headers.get("Authorization", ""), parse_error)
        self._record(call)
        return response

    def _answer(self, call: Call, auth: str, parse_error: SlackError | None) -> web.Response:
        """In Slack's order: token, injected failures, request, scope, rate limits, the method itself."""
        if not auth.startswith("Bearer ") or auth == "Bearer ":
            return self._error(call, SlackError("not_authed"), {})  # Slack's answer when no token is sent
        if auth != f"Bearer {self.token}":
            return self._error(call, SlackError("invalid_auth"), {})
        headers = {"X-OAuth-Scopes": ",".join(sorted(self.workspace.scopes))}
        if call.method in METHOD_SCOPES:
            headers["X-Accepted-OAuth-Scopes"] = METHOD_SCOPES[call.method]
        if self.token_state is not None:
            return self._error(call, SlackError(self.token_state), {})
        if (failure := self._failures.take(call.method, call.args)) is not None:
            return self._injected(call, failure, headers)
        if parse_error is not None:
            return self._error(call, parse_error, headers)
        handler = self._handlers.get(call.method)
        if handler is None:
            return self._error(call, SlackError("unknown_method"), headers)
        try:
            if call.method in METHOD_SCOPES:
                self.workspace.need(METHOD_SCOPES[call.method])
            if self.enforce_limits and (wait := self._admit(call)) is not None:
                call.rate_limited = True
                self.rate_limited += 1
                return self._injected(call, Failure(call.method, 429, 1, wait, None), headers)
            body = {"ok": True, **handler(call.args)}
        except SlackError as exc:
            return self._error(call, exc, headers)
        call.response = body
        return web.json_response(body, headers=headers)

    def _admit(self, call: Call) -> int | None:
        targets: list[str] = []
        if call.method in POSTING_METHODS:
            args = call.args
            targets = [str(args.get("channel") or args.get("channel_id") or "")]
            targets += [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
            targets = [self.workspace.conversation_key(t) for t in targets if t]
        return self.limiter.admit(call.method, targets)

    def _error(self, call: Call, error: SlackError, headers: dict[str, str]) -> web.Response:
        body = error.answer()
        call.failed, call.error, call.response = True, error.error, body
        return web.json_response(body, headers=headers)

    def _injected(self, call: Call, failure: Failure, headers: dict[str, str]) -> web.Response:
        call.failed, call.status = True, failure.status
        if failure.status == 429:
            call.error = failure.error or "ratelimited"
            call.response = {"ok": False, "error": call.error}
            headers = {**headers, "Retry-After": str(failure.retry_after)}
            return web.json_response(call.response, status=429, headers=headers)
        if failure.status == 200:
            call.error = failure.error
            call.response = {"ok": False, "error": failure.error}
            return web.json_response(call.response, headers=headers)
        call.error = failure.error or f"http_{failure.status}"
        text = _PLAIN_STATUS_TEXT.get(failure.status, "Error")
        return web.Response(status=failure.status, text=text, content_type="text/plain")

    async def _handle_upload(self, request: web.Request) -> web.Response:
        content = await request.read()
        await self._hold()
        status, text = self._files.receive(request.match_info["file_id"], content)
        self._notify()
        return web.Response(status=status, text=text, content_type="text/plain")

    async def _handle_response(self, request: web.Request) -> web.Response:
        raw = await request.read()
        await self._hold()
        try:
            body: Any = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            body = None
        status, answer = self._response_urls.post(request.match_info["url_id"], body)
        self._notify()
        return web.json_response(answer, status=status)
