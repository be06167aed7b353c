"""Buttons and menus on ticket messages, on the key user's DMs and on escalation pages."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import blocks
from bot.blocks.conversation import wait_modal
from bot.ids import Action
from bot.permissions import Do
from bot.services.timesheet import billing_today
from handlers.clicks import Body, as_clicker, page_id_of, ticket_id_of
from handlers.deps import Deps, response_url_of, where
from handlers.forms import open_form
from models import Ticket

log = logging.getLogger(__name__)


async def claim(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()

    async def work(user: str) -> None:
        result = await deps.transitions.claim(ticket_id_of(action), user)
        if not result.won:
            await deps.notifier.tell(
                user, where(body), blocks.already_claimed_text(result.ticket), response_url_of(body)
            )

    await as_clicker(deps, body, work)


async def release(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await as_clicker(deps, body, lambda user: deps.transitions.release(ticket_id_of(action), user))


async def wait_on_customer(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    """Waiting on the customer asks what is needed first: the question reaches the customer."""
    await ack()
    await open_form(deps, body, action, Do.WAIT, wait_modal)


async def resume(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await as_clicker(deps, body, lambda user: deps.transitions.resume(ticket_id_of(action), user))


async def reopen(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await as_clicker(deps, body, lambda user: deps.transitions.reopen(ticket_id_of(action), user))


async def set_priority(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    value = str((action.get("selected_option") or {}).get("value") or "")
    await as_clicker(
        deps,
        body,
        lambda user: deps.transitions.change_priority(ticket_id_of(action), user, value.partition(":")[2]),
    )


async def open_resolve_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await open_form(deps, body, action, Do.RESOLVE, blocks.resolve_modal)


async def open_reassign_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await open_form(deps, body, action, Do.REASSIGN, blocks.reassign_modal)


async def open_details_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await open_form(deps, body, action, Do.ADD_DETAILS, blocks.details_modal)


async def open_escalate_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await open_form(deps, body, action, Do.ESCALATE, blocks.escalate_modal)


async def open_reclassify_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await open_form(deps, body, action, Do.RECLASSIFY, lambda t: blocks.reclassify_modal(t, deps.policy))


async def open_log_time_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()

    def render(ticket: Ticket) -> dict[str, Any]:
        return blocks.log_time_modal(ticket, billing_today(deps.policy, ticket.customer, deps.clock.now()))

    await open_form(deps, body, action, Do.LOG_TIME, render)


async def acknowledge_page(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await as_clicker(deps, body, lambda user: deps.pages.acknowledge(page_id_of(action), user))


async def take_ticket(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    await as_clicker(deps, body, lambda user: deps.pages.take(page_id_of(action), user))


def register(app: AsyncApp) -> None:
    app.action(Action.CLAIM)(claim)
    app.action(Action.RELEASE)(release)
    app.action(Action.WAIT)(wait_on_customer)
    app.action(Action.RESUME)(resume)
    app.action(Action.REOPEN)(reopen)
    app.action(Action.SET_PRIORITY)(set_priority)
    app.action(Action.RESOLVE)(open_resolve_form)
    app.action(Action.REASSIGN)(open_reassign_form)
    app.action(Action.ADD_DETAILS)(open_details_form)
    app.action(Action.ESCALATE)(open_escalate_form)
    app.action(Action.RECLASSIFY)(open_reclassify_form)
    app.action(Action.LOG_TIME)(open_log_time_form)
    app.action(Action.ACKNOWLEDGE)(acknowledge_page)
    app.action(Action.TAKE)(take_ticket)
