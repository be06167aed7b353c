"""Running the bot: an HTTP server on PORT, plus a Socket Mode connection when SLACK_APP_TOKEN is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from bot.app import build
from bot.policy import Policy
from bot.settings import Settings
from bot.web import web_app

log = logging.getLogger(__name__)


async def serve(settings: Settings, policy: Policy) -> None:
    bot = build(settings, policy)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(web_app(bot))
    await runner.setup()  # runs start-up: migrations, database check, worker
    await web.TCPSite(runner, port=settings.port).start()
    log.info("Secondline listening on :%d (%r)", settings.port, settings)
    socket_mode = None
    if settings.app_token:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        # Socket Mode needs no public URL; /healthz and /metrics are still served on PORT.
        socket_mode = AsyncSocketModeHandler(bot.bolt, settings.app_token)
        await socket_mode.connect_async()
        log.info("connected to Slack over Socket Mode")
    await stop.wait()
    if socket_mode is not None:
        await socket_mode.close_async()
    await runner.cleanup()
