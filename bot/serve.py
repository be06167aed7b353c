"""Running the bot: an HTTP server on PORT, plus a Socket Mode connection when SLACK_APP_TOKEN is set.

Start-up problems (database, port, Slack's answer about the token or channel) surface as StartupProblem,
one line for the operator. SIGTERM and SIGINT stop the process promptly, even while Slack is unreachable.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import signal
from collections.abc import Coroutine
from typing import Any

from aiohttp import web

from bot.app import Secondline, build
from bot.policy import Policy
from bot.settings import Settings
from bot.startup import StartupProblem
from bot.web import web_app

log = logging.getLogger(__name__)

CLOSE_TIMEOUT = 3.0  # seconds to close the Socket Mode connection before giving up on it


async def serve(settings: Settings, policy: Policy) -> None:
    bot = build(settings, policy)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(web_app(bot), access_log=None)
    try:
        # Start-up (migrations, database check, Slack check, worker) stops at once on SIGTERM or SIGINT.
        if not await _unless_stopped(runner.setup(), stop):
            log.info("stopped during start-up")
            return
        try:
            await web.TCPSite(runner, port=settings.port).start()
        except OSError as exc:
            reason = "already in use by another program" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise StartupProblem(f"PORT {settings.port}: cannot listen ({reason})") from exc
        log.info("Secondline listening on :%d (%r)", settings.port, settings)
        connecting = _socket_mode(bot, settings) if settings.app_token else None
        await stop.wait()
        log.info("stopping")
        if connecting is not None:
            await _close_socket_mode(bot, connecting)
    finally:
        await runner.cleanup()


async def _unless_stopped(work: Coroutine[Any, Any, None], stop: asyncio.Event) -> bool:
    """Run `work` unless `stop` is set first (then cancel it); True when it finished."""
    task = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    stopping.cancel()
    if task.done():
        task.result()  # a start-up problem is raised here
        return True
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
    return False


def _socket_mode(bot: Secondline, settings: Settings) -> asyncio.Task[None]:
    """Connect out to Slack in the background: connect_async() can wait a long time when Slack is
    unreachable, and must not keep a stopping process alive."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    bot.socket_mode = AsyncSocketModeHandler(bot.bolt, settings.app_token)

    async def connect() -> None:
        await bot.socket_mode.connect_async()
        log.info("connected to Slack over Socket Mode")

    return asyncio.create_task(connect(), name="secondline-socket-mode")


async def _close_socket_mode(bot: Secondline, connecting: asyncio.Task[None]) -> None:
    connecting.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await connecting
    with contextlib.suppress(Exception):
        await asyncio.wait_for(bot.socket_mode.close_async(), CLOSE_TIMEOUT)
