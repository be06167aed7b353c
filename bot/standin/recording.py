"""What the stand-in was asked: every Web API call as slack_sdk sent it, and waiting for calls to come."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.standin.errors import SlackError


@dataclass
class Call:
    """One request to ``/api/<method>`` the stand-in answered."""

    method: str
    args: dict[str, Any]
    headers: Mapping[str, str]
    at: float  # the stand-in's clock when the request arrived
    failed: bool = False  # answered with an error (injected or not)
    status: int = 200
    error: str | None = None
    http_method: str = "POST"
    encoding: str = "json"  # "json", "form" or "query"
    response: dict[str, Any] | None = None
    rate_limited: bool = False  # a 429 from the enforced limits (not an injected one)

    def __repr__(self) -> str:
        outcome = f"failed {self.status} {self.error}" if self.failed else "ok"
        return f"Call({self.method!r}, {self.args!r}, {outcome})"


class Recorder:
    """The recorded calls, and waiting on them (re-checked whenever anything is recorded)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._changed: asyncio.Event | None = None
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener()`` after every recorded call, response-URL answer or upload, as it happens (a
        playground shows them live); returns the function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._notify()

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
        self._changed = asyncio.Event()
        for listener in list(self._listeners):
            listener()

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
        """Wait until ``predicate()`` holds, re-checking after every recorded call or response."""
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


# Arguments Slack accepts as a JSON string in form/query encoding, and the error a bad one gets.
_JSON_ARGS = {"blocks": "invalid_blocks_format", "attachments": "invalid_attachments",
              "view": "invalid_arguments", "metadata": "invalid_metadata", "unfurls": "invalid_unfurls",
              "files": "invalid_arguments"}  # fmt: skip


async def parse_args(request: web.Request) -> tuple[dict[str, Any], str]:
    """A method's arguments however slack_sdk sent them (JSON, form, query), JSON strings decoded.

    Returns the arguments and the encoding; raises SlackError for a body Slack would refuse.
    """
    args: dict[str, Any] = dict(request.query)
    encoding = "query"
    if request.method == "POST" and request.can_read_body:
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except json.JSONDecodeError:
                raise SlackError("invalid_json") from None
            if not isinstance(body, dict):
                raise SlackError("invalid_json")
            args.update(body)
            encoding = "json"
        else:
            form = await request.post()
            if form:
                args.update({k: v for k, v in form.items() if isinstance(v, str)})
                encoding = "form"
    for key in _JSON_ARGS.keys() & args.keys():
        value = args[key]
        if isinstance(value, str) and value.startswith(("[", "{")):
            try:
                args[key] = json.loads(value)
            except json.JSONDecodeError:
                raise SlackError(_JSON_ARGS[key]) from None
    return args, encoding
