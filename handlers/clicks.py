"""What every button's listener shares: which ticket or page the button names, and running the click's
work after ack, a refusal told privately to the clicker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.services.errors import NotFound
from handlers.deps import ROW_ID_MAX, Deps, actor_team, row_id, user_of
from handlers.failures import told_if_failed

Body = dict[str, Any]


def ticket_id_of(action: dict[str, Any]) -> int:
    value = str(action.get("value") or (action.get("selected_option") or {}).get("value") or "")
    head = value.split(":", 1)[0]
    found = row_id(head)
    if found is None:
        if head.isdigit() and len(head) <= 12:
            raise NotFound(f"There is no ticket SUP-{int(head)}.")
        raise NotFound("That button does not point at a ticket any more.")
    return found


def page_id_of(action: dict[str, Any]) -> int:
    found = row_id(str(action.get("value") or ""), ROW_ID_MAX)
    if found is None:
        raise NotFound("That button does not point at a page any more.")
    return found


async def as_clicker(deps: Deps, body: Body, work: Callable[[str], Awaitable[object]]) -> None:
    """Run a click's work after ack; a refusal is told to the clicker privately, and their Home refreshed.

    Everything that can fail (even reading the button's value) runs in here, never raising to app.error
    (see handlers/failures.py).
    """
    user = user_of(body) or ""
    team = actor_team(body)
    async with told_if_failed(deps, body):
        deps.connect.require_actor(user, team)  # a click naming someone of another organisation: refused
        await work(user)
        if team is None or deps.connect.is_vendor_team(team):  # App Home is not for Slack Connect guests
            await deps.home.refresh_later(user)  # their App Home shows the change
