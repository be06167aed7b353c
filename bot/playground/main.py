"""`python -m bot playground`: start the playground and serve its page until Ctrl-C.

It never reads Slack tokens, DATABASE_URL or REDIS_URL: the bot gets a made-up token, the stand-in's URL
and a SQLite database under ./data/playground/ that each start (and Reset) begins anew.
"""

from __future__ import annotations

import argparse
import asyncio
import errno
import os
import signal
import sys
from pathlib import Path

from aiohttp import web

from bot import logs
from bot.policy import ConfigError, Policy, load_config
from bot.settings import SettingsError, data_sources

DATA_DIR = Path("data/playground")
HOST = "127.0.0.1"  # the page drives the bot as anyone in the policy: never served beyond this machine
# slack_sdk honours HTTP(S)_PROXY (not NO_PROXY), which would send the bot's calls to the local stand-in
# through a proxy; a Slack client id and secret would switch Bolt to OAuth. Neither belongs here.
MISLEADING = (
    "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
)  # fmt: skip


class PlaygroundProblem(Exception):
    """The playground cannot start; the message is the one line to print."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    play = sub.add_parser("playground", help="try the bot without Slack: a local playground in the browser")
    play.add_argument("--policy", help="a policy file (default: SUPPORT_CONFIG, else the example policy)")
    play.add_argument("--port", type=int, default=3000, help="where the page is served (default 3000)")


def run(args: argparse.Namespace) -> int:
    try:
        path = Path(args.policy) if args.policy else data_sources()[1]
        policy = load_config(path)
        if not 0 < args.port < 65536:
            raise PlaygroundProblem(f"--port must be a TCP port number, not {args.port}")
    except (ConfigError, SettingsError, PlaygroundProblem) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    logs.configure("INFO", "text")
    for name in MISLEADING:
        os.environ.pop(name, None)
    try:
        asyncio.run(serve(policy, path, args.port))
    except PlaygroundProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


async def serve(policy: Policy, path: Path, port: int) -> None:
    from bot.playground.session import PlaygroundSession  # the server stack, once the checks passed
    from bot.playground.web import playground_app

    session = PlaygroundSession(policy, path, DATA_DIR)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(playground_app(session), access_log=None)
    await session.start()
    try:
        await runner.setup()
        try:
            await web.TCPSite(runner, HOST, port).start()
        except OSError as exc:
            reason = "already in use by another program" if exc.errno == errno.EADDRINUSE else exc.strerror
            raise PlaygroundProblem(f"--port {port}: cannot listen ({reason})") from exc
        print(f"Secondline playground: http://{HOST}:{port}/  (policy {path}; Ctrl-C stops it)", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()
        await session.stop()
