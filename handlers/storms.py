"""Storms: Group as one incident on a storm message, and `/support incident SUP-12 SUP-13 …`."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.ids import Action
from bot.services.errors import NotFound
from handlers.clicks import Body, as_clicker
from handlers.deps import ROW_ID_MAX, Deps, row_id
from handlers.subcommands.common import parse_reference

USAGE = (
    "Write `/support incident SUP-12 SUP-13 …` to group tickets as one incident, or "
    "`/support incident SUP-50 SUP-14` to link SUP-14 to the incident SUP-50."
)


async def group_storm(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()

    async def work(user: str) -> None:
        board = row_id(str(action.get("value") or ""), ROW_ID_MAX)
        if board is None:
            raise NotFound("That button does not point at a storm any more.")
        await deps.incidents.group_storm(board, user)

    await as_clicker(deps, body, work)


async def incident(deps: Deps, user_id: str, args: list[str]) -> str:
    """`/support incident SUP-12 SUP-13 …`: a new incident holding these tickets."""
    if not args:
        return USAGE
    ids = []
    for word in args:
        found = parse_reference(word.strip(","))
        if found is None:
            return f"`{word}` is not a ticket reference. {USAGE}"
        ids.append(found)
    made = await deps.incidents.group(ids, user_id)
    held = await deps.incidents.children(made.id)
    return (
        f"{made.ref} now holds {held} tickets. Work it in its own message: claiming, putting "
        "on hold and resolving it does the same to each ticket, and each customer hears it."
    )


def register(app: AsyncApp) -> None:
    app.action(Action.GROUP_STORM)(group_storm)
