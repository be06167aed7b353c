"""Real bot processes (`python -m bot`) against the stand-in, for the end-to-end tests and the benchmarks.

Lives beside the stand-in rather than in tests/, so a benchmark runs from the plain install (no test extra).
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

import bot
from bot.standin.server import SlackStandIn

# The checkout whose code a child process must run (it may differ from the installed one).
ROOT = Path(bot.__file__).resolve().parent.parent

# Environment variables that would mislead a Slack client talking to a local stand-in: slack_sdk honours
# HTTP(S)_PROXY but not NO_PROXY, and Bolt switches to OAuth when a client id and secret are set.
MISLEADING = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "http_proxy",
    "https_proxy",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """One `python -m bot` on the stand-in, with its log in `workdir`; start waits for /healthz."""

    def __init__(
        self,
        standin: SlackStandIn,
        workdir: Path,
        policy: Path,
        database_url: str,
        redis_url: str | None = None,
        *,
        signing_secret: str,
    ) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HTTP", "http"))}
        self.env.update(
            {
                "SLACK_BOT_TOKEN": standin.token,
                "SLACK_SIGNING_SECRET": signing_secret,
                "SLACK_API_URL": standin.base_url,
                "PORT": str(self.port),
                "SUPPORT_CONFIG": str(policy),
                "DATABASE_URL": database_url,
                "PYTHONPATH": str(ROOT),
                "LOG_LEVEL": "INFO",
            }
        )
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.process: asyncio.subprocess.Process | None = None
        self.log = workdir / f"bot-{self.port}.log"

    @property
    def events_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", cwd=self.workdir, env=self.env, stdout=out, stderr=out
            )
        async with aiohttp.ClientSession() as session:
            for _ in range(200):
                try:
                    async with session.get(f"http://127.0.0.1:{self.port}/healthz") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                if self.process.returncode is not None:
                    break
                await asyncio.sleep(0.05)
        raise AssertionError(f"the bot did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """kill -9: no clean-up, no goodbye."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
