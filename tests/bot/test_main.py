"""`python -m bot`: refuses to start on bad settings with one clear line; serves /healthz when configured."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.policy import load_config
from bot.standin import SlackStandIn
from tests.conftest import BOT_TOKEN, EXAMPLE_POLICY, ROOT, SIGNING_SECRET


def run_bot(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT"),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "mysql://x"},
            "DATABASE_URL",
        ),
        (
            {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xoxb-2"},
            "SLACK_APP_TOKEN",
        ),
    ],
)
def test_missing_or_bad_settings_stop_the_start_with_one_line(env: dict[str, str], named: str) -> None:
    result = run_bot(env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr


def test_bad_policy_file_stops_the_start_naming_key_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "policy.yml"
    bad.write_text(EXAMPLE_POLICY.read_text().replace("engineers: [U0ENG1, U0ENG2]", "engineers: []"))
    result = run_bot({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SUPPORT_CONFIG": str(bad)})
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert "engineers" in line and "line " in line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_bot_serves_healthz_on_its_defaults(tmp_path: Path) -> None:
    port = free_port()
    async with SlackStandIn(token=BOT_TOKEN) as standin:
        standin.seed_from_policy(load_config(EXAMPLE_POLICY))
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("SLACK_")},
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": standin.base_url,
            "PORT": str(port),
        }
        env.pop("DATABASE_URL", None)
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            cwd=tmp_path,
            env={**env, "PYTHONPATH": str(ROOT), "SUPPORT_CONFIG": str(EXAMPLE_POLICY)},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            async with aiohttp.ClientSession() as session:
                for _ in range(100):
                    try:
                        async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                            assert response.status == 200
                            assert (await response.json())["ok"] is True
                            break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                else:
                    pytest.fail("the bot did not answer /healthz within 10 s")
            assert (tmp_path / "data" / "secondline.sqlite3").exists()  # the embedded default
        finally:
            process.terminate()
            output, _ = await process.communicate()
        assert process.returncode == 0, output.decode()
        assert BOT_TOKEN not in output.decode() and SIGNING_SECRET not in output.decode()
