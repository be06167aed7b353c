"""App Home: each person's lists of tickets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.blocks.kit import header, section

MAX_SECTIONS = 45  # 100 blocks per Home view; leaves room for headers


def home_view(sections: Sequence[tuple[str, Sequence[str], str]]) -> dict[str, Any]:
    """One list per (heading, lines, what to say when empty); each line its own section block."""
    blocks: list[dict[str, Any]] = []
    for heading, lines, empty in sections:
        blocks.append(header(heading))
        blocks.extend(
            section(line) for line in (list(lines)[: MAX_SECTIONS // max(1, len(sections))] or [f"_{empty}_"])
        )
    if not blocks:
        blocks.append(
            section("Secondline raises second-line support tickets. Type `/support help` to start.")
        )
    return {"type": "home", "blocks": blocks}
