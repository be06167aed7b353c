"""Where a submitted raise form came from, when it was opened from a card in a customer's own channel."""

from __future__ import annotations

import json
from typing import Any

from bot.services.intake import Origin
from handlers.deps import Deps, actor_team, user_of


async def origin_of(view: dict[str, Any], body: dict[str, Any], deps: Deps) -> Origin | None:
    """Where a submitted raise form came from, if a customer's channel; checked again on the submitter:
    a key user of that channel's customer, from their own organisation. Raises NotAllowed."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return None
    found = metadata.get("origin") if isinstance(metadata, dict) else None
    if not isinstance(found, dict) or not isinstance(found.get("channel"), str):
        return None
    team = actor_team(body)
    origin = Origin(
        found["channel"],
        _text_or_none(found.get("thread_ts")),
        _text_or_none(found.get("card_ts")),
        _text_or_none(found.get("link")),
        team,
    )
    await deps.connect.check_origin(origin, user_of(body) or "", team)
    return origin


def _text_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
