"""Buttons and menus on ticket messages and on the key user's DMs."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.ids import Action
from bot.permissions import Do
from bot.services.errors import NotFound
from handlers.deps import Deps, where


def ticket_id_of(action: dict[str, Any]) -> int:
    value = str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")
    head = value.split(":", 1)[0]
    if not head.isdigit():
        raise NotFound("That button does not point at a ticket any more.")
    return int(head)


def register(app: AsyncApp, deps: Deps) -> None:
    tickets = deps.tickets

    @app.action(Action.CLAIM)
    async def claim(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user_id = body["user"]["id"]
        result = await tickets.claim(ticket_id_of(action), user_id)
        if not result.won:
            await deps.notifier.tell(user_id, where(body), blocks.already_claimed_text(result.ticket))

    @app.action(Action.RELEASE)
    async def release(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await tickets.release(ticket_id_of(action), body["user"]["id"])

    @app.action(Action.SET_PRIORITY)
    async def set_priority(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = str((action.get("selected_option") or {}).get("value") or "")
        await tickets.change_priority(ticket_id_of(action), body["user"]["id"], value.partition(":")[2])

    @app.action(Action.WAIT)
    async def wait(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await tickets.wait_on_customer(ticket_id_of(action), body["user"]["id"])

    @app.action(Action.RESUME)
    async def resume(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await tickets.resume(ticket_id_of(action), body["user"]["id"])

    @app.action(Action.REOPEN)
    async def reopen(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await tickets.reopen(ticket_id_of(action), body["user"]["id"])

    async def open_modal(
        action_kind: Do,
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        render: Any,
    ) -> None:
        await ack()
        ticket = await tickets.get(ticket_id_of(action))
        tickets.require(action_kind, body["user"]["id"], ticket)  # refuse before showing a form
        await client.views_open(trigger_id=body["trigger_id"], view=render(ticket))

    @app.action(Action.RESOLVE)
    async def resolve(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await open_modal(Do.RESOLVE, ack, body, action, client, blocks.resolve_modal)

    @app.action(Action.REASSIGN)
    async def reassign(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await open_modal(Do.REASSIGN, ack, body, action, client, blocks.reassign_modal)

    @app.action(Action.ADD_DETAILS)
    async def add_details(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await open_modal(Do.ADD_DETAILS, ack, body, action, client, blocks.details_modal)
