"""What subcommands share: reading a ticket reference, and ticket lines for lists."""

from __future__ import annotations

import re
from typing import Any

from handlers.deps import Deps

REFERENCE = re.compile(r"^(?:SUP-)?(\d{1,12})$", re.IGNORECASE)  # bounded: no 4,000-digit numbers


def parse_reference(text: str) -> int | None:
    match = REFERENCE.match(text.strip())
    return int(match.group(1)) if match else None


async def lines(deps: Deps, tickets: list[Any], empty: str) -> str:
    return "\n".join(await deps.home.lines(tickets)) or f"_{empty}_"
