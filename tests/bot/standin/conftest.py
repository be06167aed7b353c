"""A small workspace for the stand-in's own tests, on the test's fake clock, and a real slack_sdk client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import FakeClock
from bot.standin import SlackStandIn


@pytest.fixture
async def standin(clock: FakeClock) -> AsyncIterator[SlackStandIn]:
    """#support (the bot, Kim, Sam), #general (everyone but the bot), a private #secret without the bot,
    an archived #old with the bot; Kim (U0KEY1), Sam (U0ENG1), Alex (U0ENG2), a deactivated U0GONE."""
    async with SlackStandIn(clock=clock.monotonic, wall=lambda: clock.now().timestamp()) as server:
        server.add_user("U0KEY1", name="kim", real_name="Kim K", tz="Europe/Berlin", email="kim@acme.test")
        server.add_user("U0ENG1", name="sam")
        server.add_user("U0ENG2", name="alex")
        server.add_user("U0GONE", deleted=True)
        server.add_channel("C0SUPPORT", "support", members=["U0KEY1", "U0ENG1"])
        server.add_channel("C0GENERAL", "general", members=["U0KEY1", "U0ENG1", "U0ENG2"], bot_member=False)
        server.add_channel("G0SECRET", "secret", members=["U0ENG1"], private=True, bot_member=False)
        server.add_channel("C0OLD", "old", members=["U0ENG1"], archived=True)
        yield server


@pytest.fixture
def client(standin: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token=standin.token, base_url=standin.base_url)
