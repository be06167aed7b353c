"""Buttons on ticket messages."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import blocks
from bot.ids import Action
from bot.services.errors import NotFound
from handlers.deps import Deps


def ticket_id_of(action: dict[str, Any]) -> int:
    value = str(action.get("value", ""))
    if not value.isdigit():
        raise NotFound("That button does not point at a ticket any more.")
    return int(value)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.action(Action.CLAIM)
    async def claim(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user_id = body["user"]["id"]
        result = await deps.tickets.claim(ticket_id_of(action), user_id)
        if not result.won:
            channel = (body.get("channel") or {}).get("id") or user_id
            await deps.notifier.ephemeral(channel, user_id, blocks.already_claimed_text(result.ticket))
