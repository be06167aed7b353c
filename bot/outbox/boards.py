"""Shared by the queue and storm messages: load what they list, and draw them only when something changed."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime

from bot.blocks import Message
from models import SlaClock

FIRST_RESPONSE = "first_response"


async def first_response_due(ticket_ids: Iterable[int]) -> dict[int, datetime | None]:
    """Each ticket's first-response due time (None once met or without that target), in one query."""
    ids = list(ticket_ids)
    if not ids:
        return {}
    clocks = await SlaClock.filter(
        ticket_id__in=ids, name=FIRST_RESPONSE, stopped_at__isnull=True
    ).values_list("ticket_id", "due_at")
    return {int(ticket_id): due_at for ticket_id, due_at in clocks}


def fingerprint(message: Message) -> str:
    return hashlib.sha256(json.dumps(message, sort_keys=True).encode()).hexdigest()
