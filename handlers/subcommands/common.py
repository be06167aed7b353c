"""What subcommands share: reading a ticket reference, and ticket lines for lists."""

from __future__ import annotations

import re
from typing import Any

from bot.services.errors import NotFound
from handlers.deps import Deps, row_id

REFERENCE = re.compile(r"^(?:SUP-)?(\d{1,12})$", re.IGNORECASE)  # bounded: no 4,000-digit numbers


def parse_reference(text: str) -> int | None:
    """A ticket id from `SUP-42` or `42`; None for anything else. A reference beyond any ticket id is no
    ticket (told as such), rather than an overflow in the database."""
    match = REFERENCE.match(text.strip())
    if not match:
        return None
    found = row_id(match.group(1))
    if found is None:
        raise NotFound(f"There is no ticket SUP-{int(match.group(1))}.")
    return found


async def lines(deps: Deps, tickets: list[Any], empty: str) -> str:
    return "\n".join(await deps.home.lines(tickets)) or f"_{empty}_"
