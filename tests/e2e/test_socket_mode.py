"""Socket Mode with Slack unreachable: the bot serves /healthz saying it is connecting, and SIGTERM or SIGINT
stop it promptly (a deploy must never wait on Slack)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest

from bot.policy import load_config
from bot.standin import SlackStandIn
from tests.conftest import BOT_TOKEN, EXAMPLE_POLICY, seed_workspace
from tests.e2e.launch import Launch, bot_env

APP_TOKEN = "xapp-1-A0TEST-1-0123456789abcdef"
CONNECTING = {"ok": True, "socket_mode": "connecting"}


@pytest.fixture
async def dark_after_the_check() -> AsyncIterator[Callable[[], Any]]:
    """Stand-ins that answer the start-up check, then go dark: apps.connections.open is never answered."""
    async with AsyncExitStack() as stack:

        async def make() -> SlackStandIn:
            standin = await stack.enter_async_context(SlackStandIn(token=BOT_TOKEN))
            seed_workspace(standin, load_config(EXAMPLE_POLICY))

            last = "C0SOYLENT"  # the check's last channel: the example's Slack Connect customer's

            def go_dark(args: dict[str, object]) -> bool:
                # Called while the check's last conversations.info is answered: every later request is
                # held, deterministically, whenever the bot sends it.
                if args.get("channel") == last:
                    standin.stall_until_released()
                return False

            standin.fail_for("conversations.info", go_dark, error="unused")
            return standin

        yield make


async def connecting_bot(standin: SlackStandIn, workdir: Path) -> Launch:
    bot = Launch(workdir, bot_env(standin.base_url, EXAMPLE_POLICY, f"sqlite://{workdir}/{id(standin)}.db"))
    bot.env["SLACK_APP_TOKEN"] = APP_TOKEN
    return await bot.start()


async def test_sigterm_and_sigint_stop_a_bot_that_cannot_reach_slack_over_socket_mode_within_5_s(
    dark_after_the_check: Callable[[], Any], tmp_path: Path
) -> None:
    signals = (signal.SIGTERM, signal.SIGINT)
    standins = [await dark_after_the_check() for _ in signals]
    bots = [await connecting_bot(standin, tmp_path) for standin in standins]
    try:
        for bot, standin in zip(bots, standins, strict=True):
            assert await bot.healthy() == CONNECTING  # the start-up check passed: nothing degraded
            for _ in range(200):  # apps.connections.open is on its way, and held
                if standin.waiting:
                    break
                await asyncio.sleep(0.025)
            assert standin.waiting == 1
            assert await bot.healthz() == (200, CONNECTING)
        exits = await asyncio.gather(
            *(bot.stop(sig, within=5) for bot, sig in zip(bots, signals, strict=True))
        )
    finally:
        for bot in bots:
            await bot.close()
    for sig, exited in zip(signals, exits, strict=True):
        assert exited.returncode == 0, (sig, exited.stderr)
        assert "Traceback" not in exited.stderr, exited.stderr
