"""`python -m bot` as an operator runs it, for tests of what the operator sees: exit code, stderr, /healthz,
and how fast a signal stops it. Unlike tests/e2e/processes.py, a start may fail, and stderr is kept."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.standin.processes import free_port
from tests.conftest import BOT_TOKEN, ROOT, SIGNING_SECRET

START_TIMEOUT = 20.0  # seconds; a start takes about one on an idle machine


def bot_env(api_url: str, policy: Path, database_url: str, **overrides: str) -> dict[str, str]:
    """The environment of a bot on the stand-in at `api_url`; nothing of the test's own Slack settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "HTTP", "http", "LOG_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": api_url,
            "PORT": str(free_port()),
            "SUPPORT_CONFIG": str(policy),
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(overrides)
    return env


@dataclass
class Exited:
    returncode: int
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.stderr.strip().splitlines()

    def naming(self, text: str) -> list[str]:
        return [line for line in self.lines if text in line]


class Launch:
    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.env = env
        self.workdir = workdir
        self.port = int(env["PORT"])
        self.stderr_path = workdir / f"stderr-{self.port}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> Launch:
        with self.stderr_path.open("wb") as err:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                cwd=self.workdir,
                env=self.env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=err,
            )
        return self

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text()

    async def exited(self, timeout: float = START_TIMEOUT) -> Exited:  # noqa: ASYNC109
        """Wait for the process to end by itself."""
        assert self.process is not None
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            self.kill()
            raise AssertionError(f"still running after {timeout} s:\n{self.stderr}") from None
        return Exited(self.process.returncode or 0, self.stderr)

    async def healthz(self) -> tuple[int, dict[str, Any]] | None:
        """/healthz's status and answer, or None if nothing listens yet."""
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"http://127.0.0.1:{self.port}/healthz") as response,
            ):
                return response.status, json.loads(await response.text())
        except aiohttp.ClientConnectionError:
            return None

    async def healthy(self, timeout: float = START_TIMEOUT) -> dict[str, Any]:  # noqa: ASYNC109
        """Wait until /healthz answers 200; returns its answer."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = await self.healthz()
            if answer is not None and answer[0] == 200:
                return answer[1]
            if self.process.returncode is not None:
                raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.stderr}")
            await asyncio.sleep(0.05)
        self.kill()
        raise AssertionError(f"/healthz did not answer 200 within {timeout} s:\n{self.stderr}")

    async def stop(self, sig: signal.Signals = signal.SIGTERM, within: float = 5.0) -> Exited:
        """Send `sig`; the process must end within `within` seconds (else it is killed and this fails)."""
        assert self.process is not None
        self.process.send_signal(sig)
        return await self.exited(within)

    def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    async def close(self) -> None:
        """Clean-up: whatever state the test left it in, the process is gone afterwards."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
