"""Real bot processes (`python -m bot`) for crash and multi-replica tests."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.standin import SlackStandIn
from tests.conftest import BOT_TOKEN, ROOT, SIGNING_SECRET

# 24x7, with SLA targets and ladder offsets of seconds, so a test can watch a whole ladder run.
FAST_POLICY = """
support_channel: C0SUPPORT
calendars:
  always: {timezone: UTC, hours: 24x7}
plans:
  enterprise:
    calendar: always
    first_response: {P1: 4s, P2: 4s, P3: 4s, P4: 4s}
escalation:
  levels:
    lead: [U0LEAD]
    manager: [U0MGR]
    executive: [U0EXEC1, U0EXEC2]
  ladder:
    P1:
      - {page: lead, after: first_response, unless: claimed}
      - {page: manager, after: 6s, unless: resolved}
      - {page: executive, after: 8s, unless: resolved}
    default:
      - {page: lead, after: first_response, unless: claimed}
engineers: [U0ENG1]
customers:
  acme: {name: Acme Corp, plan: enterprise, key_users: [U0KEY1]}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    def __init__(
        self,
        standin: SlackStandIn,
        workdir: Path,
        policy: Path,
        database_url: str,
        redis_url: str | None = None,
    ) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HTTP", "http"))}
        self.env.update(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
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
