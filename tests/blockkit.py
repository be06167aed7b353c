"""Validate what the bot renders with slack_sdk's Block Kit models (block counts, text lengths, ids)."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS_MAX = 50
FALLBACK_TEXT_MAX = 4000


def assert_valid_message(message: dict[str, Any]) -> None:
    assert message["text"].strip(), "a message needs fallback text for notifications"
    assert len(message["text"]) <= FALLBACK_TEXT_MAX
    blocks = message["blocks"]
    assert 0 < len(blocks) <= MESSAGE_BLOCKS_MAX
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, f"slack_sdk does not know this block: {raw}"
        block.validate_json()
    _unique_block_ids(blocks)


def assert_valid_view(view: dict[str, Any]) -> None:
    parsed = View(**view)
    parsed.validate_json()  # 100 blocks, 24-character title, private_metadata ≤ 3000 …
    for raw in view["blocks"]:
        block = Block.parse(raw)
        assert block is not None
        block.validate_json()
    _unique_block_ids(view["blocks"])


def _unique_block_ids(blocks: list[dict[str, Any]]) -> None:
    ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(ids) == len(set(ids)), f"duplicate block ids: {ids}"
