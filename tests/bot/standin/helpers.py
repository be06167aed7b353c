"""Helpers for the stand-in's tests: Slack's refusals as slack_sdk reports them, a Bolt app to talk to."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError


async def slack_error(call: Awaitable[Any]) -> SlackApiError:
    """The SlackApiError a call raises (failing the test if it succeeds)."""
    try:
        await call
    except SlackApiError as exc:
        return exc
    raise AssertionError("the call succeeded; Slack would have refused it")


async def error_of(call: Awaitable[Any]) -> str:
    return str((await slack_error(call)).response["error"])


@contextlib.asynccontextmanager
async def serve_bolt(app: AsyncApp) -> AsyncIterator[str]:
    """A Bolt app on 127.0.0.1 behind aiohttp, as the bot serves it; yields its /slack/events URL."""

    async def endpoint(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

    web_app = web.Application()
    web_app.router.add_post("/slack/events", endpoint)
    runner = web.AppRunner(web_app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    finally:
        await runner.cleanup()


async def eventually(predicate: Callable[[], bool], timeout: float = 5.0, what: str = "") -> None:  # noqa: ASYNC109
    """Poll for something outside the stand-in (e.g. a listener ran), which it cannot signal."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or 'condition'}")
        await asyncio.sleep(0.01)
