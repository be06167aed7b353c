"""Block Kit building bricks shared by the renderers."""

from __future__ import annotations

from typing import Any

Message = dict[str, Any]  # {"text": notification fallback, "blocks": [...]}

SECTION_MAX = 3000
FALLBACK_MAX = 3000


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def truncate(text: str, limit: int) -> str:
    """Cut to `limit` characters, marking the cut, never splitting an escape like `&amp;`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def section(
    text: str, block_id: str | None = None, accessory: dict[str, Any] | None = None
) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "section", "text": mrkdwn(truncate(text, SECTION_MAX))}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(truncate(text, SECTION_MAX))]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(truncate(text, 150))}


def option(text: str, value: str, description: str | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"text": plain(truncate(text, 75)), "value": value}
    if description:
        built["description"] = plain(truncate(description, 75))
    return built


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"type": "button", "action_id": action_id, "text": plain(text), "value": value}
    if style:
        built["style"] = style
    return built


def actions(block_id: str, *elements: dict[str, Any]) -> dict[str, Any]:
    return {"type": "actions", "block_id": block_id, "elements": list(elements)}


def message(text: str, blocks: list[dict[str, Any]]) -> Message:
    return {"text": truncate(text, FALLBACK_MAX), "blocks": blocks}


def text_input(
    block_id: str,
    action_id: str,
    label: str,
    *,
    initial: str = "",
    max_length: int = 3000,
    multiline: bool = True,
    optional: bool = False,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "optional": optional,
        "element": element,
    }


def modal(
    callback_id: str, title: str, submit: str | None, blocks: list[dict[str, Any]], private_metadata: str = ""
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "close": plain("Cancel"),
        "blocks": blocks,
        "private_metadata": private_metadata,
    }
    if submit:
        view["submit"] = plain(submit)
    return view
