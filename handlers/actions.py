"""Buttons and menus on ticket messages and on the key user's DMs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.ids import Action
from bot.permissions import Do
from bot.services.errors import NotFound, ServiceError
from handlers.deps import Deps, where
from models import Ticket

Listener = Callable[..., Awaitable[None]]


def ticket_id_of(action: dict[str, Any]) -> int:
    value = str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")
    head = value.split(":", 1)[0]
    if not head.isdigit():
        raise NotFound("That button does not point at a ticket any more.")
    return int(head)


async def refusals_told(deps: Deps, body: dict[str, Any], work: Awaitable[object]) -> None:
    """Run a click's work after ack; a refusal is told to the clicker privately.

    Caught here rather than left to app.error: Bolt loses a listener's ack if it raises within ~10 ms of
    acknowledging (slack_bolt 1.30, asyncio_runner resets ack.response), and would then answer with the
    fallback listener too. Unexpected errors still go to app.error.
    """
    try:
        await work
    except ServiceError as exc:
        await deps.notifier.tell(body["user"]["id"], where(body), str(exc))
        return
    await deps.tickets.refresh_home_of(body["user"]["id"])  # their App Home shows the change


def register(app: AsyncApp, deps: Deps) -> None:
    tickets = deps.tickets

    @app.action(Action.CLAIM)
    async def claim(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await refusals_told(deps, body, claim_ticket(body["user"]["id"], ticket_id_of(action), where(body)))

    async def claim_ticket(user_id: str, ticket_id: int, channel: str | None) -> None:
        result = await tickets.claim(ticket_id, user_id)
        if not result.won:
            await deps.notifier.tell(user_id, channel, blocks.already_claimed_text(result.ticket))

    def ticket_button(work: Callable[[int, str], Awaitable[object]]) -> Listener:
        """A button that does one thing to its ticket as the clicker."""

        async def on_click(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
            await ack()
            await refusals_told(deps, body, work(ticket_id_of(action), body["user"]["id"]))

        return on_click

    buttons: dict[Action, Callable[[int, str], Awaitable[object]]] = {
        Action.RELEASE: tickets.release,
        Action.WAIT: tickets.wait_on_customer,
        Action.RESUME: tickets.resume,
        Action.REOPEN: tickets.reopen,
    }
    for action_id, work in buttons.items():
        app.action(action_id)(ticket_button(work))

    @app.action(Action.SET_PRIORITY)
    async def set_priority(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = str((action.get("selected_option") or {}).get("value") or "")
        await refusals_told(
            deps,
            body,
            tickets.change_priority(ticket_id_of(action), body["user"]["id"], value.partition(":")[2]),
        )

    def form_opener(permission: Do, render: Callable[[Ticket], dict[str, Any]]) -> Listener:
        """A button that opens a form about its ticket, refused before the form shows if not allowed."""

        async def open_form(
            ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], client: AsyncWebClient
        ) -> None:
            await ack()
            await refusals_told(deps, body, show_form(permission, body, action, client, render))

        return open_form

    async def show_form(
        permission: Do,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        render: Callable[[Ticket], dict[str, Any]],
    ) -> None:
        ticket = await tickets.get(ticket_id_of(action))
        tickets.require(permission, body["user"]["id"], ticket)
        await client.views_open(trigger_id=body["trigger_id"], view=render(ticket))

    forms = {
        Action.RESOLVE: (Do.RESOLVE, blocks.resolve_modal),
        Action.REASSIGN: (Do.REASSIGN, blocks.reassign_modal),
        Action.ADD_DETAILS: (Do.ADD_DETAILS, blocks.details_modal),
        Action.ESCALATE: (Do.ESCALATE, blocks.escalate_modal),
    }
    for action_id, (permission, render) in forms.items():
        app.action(action_id)(form_opener(permission, render))

    @app.action(Action.ACKNOWLEDGE)
    async def acknowledge_page(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await refusals_told(deps, body, deps.escalation.acknowledge(page_id_of(action), body["user"]["id"]))

    @app.action(Action.TAKE)
    async def take_ticket(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        await refusals_told(deps, body, deps.escalation.take(page_id_of(action), body["user"]["id"]))


def page_id_of(action: dict[str, Any]) -> int:
    value = str(action.get("value") or "")
    if not value.isdigit():
        raise NotFound("That button does not point at a page any more.")
    return int(value)
