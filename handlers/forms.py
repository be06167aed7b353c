"""What every form about a ticket shares: opening it for those allowed, reading what was submitted, and
running the submission's service call before ack (a refusal goes back onto the form)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck

from bot.permissions import Do
from bot.services.errors import InvalidInput, NotFound, ServiceError
from handlers.clicks import Body, as_clicker, ticket_id_of
from handlers.deps import Deps, actor_team, row_id, user_of
from handlers.failures import told_if_failed
from models import Ticket


async def open_form(
    deps: Deps, body: Body, action: dict[str, Any], permission: Do, render: Callable[[Ticket], dict[str, Any]]
) -> None:
    """Open a form about the button's ticket, refused before the form shows if not allowed."""

    async def work(user: str) -> None:
        ticket = await deps.queries.get(ticket_id_of(action))
        deps.roles.require(permission, user, ticket)
        await deps.notifier.open_modal(str(body.get("trigger_id") or ""), render(ticket))

    await as_clicker(deps, body, work)


async def submit(
    ack: AsyncAck, body: dict[str, Any], deps: Deps, work: Callable[[], Awaitable[object]], error_block: str
) -> None:
    """Run a modal's service call before ack, so a refusal is shown on the form and nothing changes."""
    try:
        deps.connect.require_actor(user_of(body) or "", actor_team(body))
        await work()
    except InvalidInput as exc:
        await ack(response_action="errors", errors=exc.errors)
        return
    except ServiceError as exc:
        await ack(response_action="errors", errors={error_block: str(exc)})
        return
    await ack()
    team = actor_team(body)
    if team is not None and not deps.connect.is_vendor_team(team):
        return  # App Home is not for people of another organisation (Slack Connect)
    async with told_if_failed(deps, body):
        await deps.home.refresh_later(user_of(body) or "")  # their App Home shows the change


def values(view: dict[str, Any]) -> dict[str, Any]:
    """The submitted inputs; anything but a mapping (a forged payload) reads as nothing entered."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    return values if isinstance(values, dict) else {}


def ticket_id(view: dict[str, Any]) -> int:
    metadata = str(view.get("private_metadata") or "")
    found = row_id(metadata)
    if found is None:
        raise NotFound("This form no longer points at a ticket.")
    return found


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def state(values: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    entry = values.get(block)
    state = entry.get(action) if isinstance(entry, dict) else None
    return state if isinstance(state, dict) else {}


def text(values: dict[str, Any], block: str, action: str) -> str | None:
    value = state(values, block, action).get("value")
    return value if isinstance(value, str) else None


def checked(values: dict[str, Any], block: str, action: str) -> list[str]:
    options = state(values, block, action).get("selected_options")
    if not isinstance(options, list):
        return []
    return [str(o.get("value")) for o in options if isinstance(o, dict) and isinstance(o.get("value"), str)]


def string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def selected(values: dict[str, Any], block: str, action: str) -> str | None:
    option = state(values, block, action).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None
