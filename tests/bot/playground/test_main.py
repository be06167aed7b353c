"""`python -m bot playground` as a person runs it: it prints the URL, serves the page, uses nothing of the
environment's Slack, database or proxy settings, and stops on Ctrl-C; a bad option is one line, exit 2."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

from tests.conftest import EXAMPLE_POLICY, ROOT


def environment(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "REDIS_"))}
    return {**clean, "PYTHONPATH": str(ROOT), **extra}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_it_prints_the_url_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "playground", "--policy", str(EXAMPLE_POLICY), "--port", str(port),
        cwd=tmp_path,
        env=environment(
            DATABASE_URL="postgres://someone@db.invalid/prod",  # not the playground's business
            HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",  # would swallow its calls
        ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=60)).decode()
        assert line.startswith(f"Secondline playground: http://127.0.0.1:{port}/"), line
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/") as page:
                assert page.status == 200 and "Secondline playground" in await page.text()
            async with http.get(f"http://127.0.0.1:{port}/api/timeline") as timeline:
                calls = (await timeline.json())["entries"]
        assert [(c["method"], c["ok"]) for c in calls[:2]] == [
            ("auth.test", True),
            ("conversations.info", True),
        ]
        assert (tmp_path / "data" / "playground" / "secondline.sqlite3").exists()
        process.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_a_missing_policy_or_a_busy_port_is_one_line_and_exit_2(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "playground", *args],
            cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    missing = run("--policy", "nowhere.yml")
    assert missing.returncode == 2 and missing.stderr.startswith("error: nowhere.yml: cannot read")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = run("--policy", str(EXAMPLE_POLICY), "--port", str(port))
    assert taken.returncode == 2
    assert f"error: --port {port}: cannot listen (already in use by another program)" in taken.stderr
