"""A playground for tests: the session (real bot, stand-in, its own SQLite under a temporary folder) with its
page and JSON API served over real HTTP on 127.0.0.1, and helpers that use the API as the page does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from bot.playground.session import PlaygroundSession
from bot.playground.web import playground_app
from bot.policy import Policy, load_config
from bot.standin import dm_channel_for
from tests.conftest import DEFAULT_NOW, EXAMPLE_POLICY
from tests.e2e.journey import raise_values

State = dict[str, Any]


@dataclass
class Playground:
    session: PlaygroundSession
    client: TestClient

    @property
    def url(self) -> str:
        return str(self.client.make_url("/"))

    async def post(self, name: str, **body: Any) -> dict[str, Any]:
        response = await self.client.post(f"/api/{name}", json=body)
        answer: dict[str, Any] = await response.json()
        assert response.status == 200, answer
        return answer

    async def state(self, persona: str) -> State:
        response = await self.client.get("/api/state", params={"persona": persona})
        answer: State = await response.json()
        assert response.status == 200, answer
        return answer

    async def until(
        self,
        persona: str,
        predicate: Callable[[State], Any],
        what: str,
        timeout: float = 10,  # noqa: ASYNC109
    ) -> State:
        """The persona's state once `predicate` holds, as the page would show it (polled)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            state = await self.state(persona)
            if predicate(state):
                return state
            if loop.time() > deadline:
                raise AssertionError(f"timed out waiting for {what}; {persona} sees {state}")
            await asyncio.sleep(0.05)

    async def open_form(self, persona: str = "U0KEY1", channel: str | None = None) -> State:
        """`/support` typed by `persona` in `channel` (by default their DM with the bot)."""
        await self.post(
            "command", persona=persona, text="/support", channel=channel or dm_channel_for(persona)
        )
        return await self.until(persona, lambda s: s["modal"], "the raise form")

    async def raise_ticket(self, persona: str = "U0KEY1", **fields: Any) -> dict[str, Any]:
        """Fill and submit the raise form; returns the ticket's message in the support channel."""
        state = await self.open_form(persona)
        view_id = state["modal"]["view"]["id"]
        answer = await self.post("submit", persona=persona, view_id=view_id, values=raise_values(**fields))
        assert answer["outcome"] == "closed", answer
        title = fields.get("title", "Checkout fails")
        state = await self.until(STAFF, lambda s: ticket(s, title), f"the ticket {title!r} in the channel")
        return ticket(state, title)  # type: ignore[return-value]


STAFF = "U0ENG1"  # an engineer: in the support channel, where tickets are posted
SUPPORT = "C0SUPPORT"


def items(state: State, channel: str = SUPPORT) -> list[dict[str, Any]]:
    """What the persona sees in `channel` (a channel they are in, or their DM); [] if not theirs."""
    if channel == state["dm"]["id"]:
        return list(state["dm"]["items"])
    found = [c for c in state["conversations"] if c["id"] == channel]
    return list(found[0]["items"]) if found else []


def ticket(state: State, title: str) -> dict[str, Any] | None:
    """The support channel's message about the ticket titled `title` (as escaped in the message)."""
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    found = [i for i in items(state) if i["bot"] and escaped in str(i.get("text"))]
    return found[-1] if found else None


def button(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    """A button of a message, as the page reports a click on it."""
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return {**element, "block_id": block.get("block_id")}
    raise AssertionError(f"no {action_id} button in {message}")


async def start_playground(
    data_dir: Path, start: datetime = DEFAULT_NOW, policy: Policy | None = None
) -> AsyncIterator[Playground]:
    """A playground starting at `start` (by default a Tuesday, 10:00 US Central), its time then running, on
    the example policy unless given another."""
    policy = policy or load_config(EXAMPLE_POLICY)
    session = PlaygroundSession(policy, EXAMPLE_POLICY, data_dir, start=start)
    await session.start()
    client = TestClient(TestServer(playground_app(session), host="127.0.0.1"))
    await client.start_server()
    try:
        yield Playground(session, client)
    finally:
        await client.close()
        await session.stop()
