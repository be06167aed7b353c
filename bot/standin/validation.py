"""Checks Slack makes on what an app sends (text length, Block Kit limits, views), with its error codes."""

from __future__ import annotations

from typing import Any

from bot.standin.errors import SlackError

MAX_TEXT = 40_000  # chat.postMessage truncates nothing: longer text is refused with msg_too_long
_TEXT_LIMITS = {"header": 150, "section": 3000}


def check_message(args: dict[str, Any], *, required: bool = True) -> None:
    """A message needs text, blocks or attachments; text over 40,000 characters is refused."""
    if required and not (args.get("text") or args.get("blocks") or args.get("attachments")):
        raise SlackError("no_text")
    if len(str(args.get("text") or "")) > MAX_TEXT:
        raise SlackError("msg_too_long")
    check_blocks(args.get("blocks"), limit=50)


def check_blocks(blocks: Any, *, limit: int, error: str = "invalid_blocks") -> None:
    if blocks is None:
        return
    if not isinstance(blocks, list) or not all(isinstance(b, dict) for b in blocks):
        raise SlackError("invalid_blocks_format")
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"[ERROR] no more than {limit} items allowed [json-pointer:/blocks]")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        where = f"[json-pointer:/blocks/{i}"
        block_id = block.get("block_id")
        if block_id is not None:
            if len(str(block_id)) > 255:
                problems.append(f"[ERROR] must be less than 256 characters {where}/block_id]")
            if block_id in seen:
                problems.append(f"[ERROR] duplicate block_id {where}/block_id]")
            seen.add(str(block_id))
        btype = block.get("type")
        if not btype:
            problems.append(f"[ERROR] missing required field: type {where}]")
        text = block.get("text")
        limit_text = _TEXT_LIMITS.get(str(btype))
        if limit_text is not None and isinstance(text, dict) and len(text.get("text", "")) > limit_text:
            problems.append(f"[ERROR] must be less than {limit_text + 1} characters {where}/text]")
        if btype == "section" and len(block.get("fields") or []) > 10:
            problems.append(f"[ERROR] no more than 10 items allowed {where}/fields]")
        elements = block.get("elements") or []
        if btype == "actions" and len(elements) > 25:
            problems.append(f"[ERROR] no more than 25 items allowed {where}/elements]")
        ids = [e.get("action_id") for e in elements if isinstance(e, dict) and e.get("action_id")]
        if len(ids) != len(set(ids)):  # Slack: unique among the action_ids of the containing block
            problems.append(f"[ERROR] action_id must be unique within a block {where}/elements]")
        for element in [*elements, block.get("accessory"), block.get("element")]:
            if isinstance(element, dict):
                problems.extend(_element_problems(element, where))
    if problems:
        raise SlackError(error, problems)


def _element_problems(element: dict[str, Any], where: str) -> list[str]:
    problems: list[str] = []
    if element.get("type") == "button":
        if len(element.get("text", {}).get("text", "")) > 75:
            problems.append(f"[ERROR] must be less than 76 characters {where} button text]")
        if len(str(element.get("value", ""))) > 2000:
            problems.append(f"[ERROR] must be less than 2001 characters {where} button value]")
    if len(str(element.get("action_id", ""))) > 255:
        problems.append(f"[ERROR] must be less than 256 characters {where} action_id]")
    return problems


def check_view(view: Any, want_type: str | None) -> dict[str, Any]:
    if not isinstance(view, dict):
        raise SlackError("invalid_arguments", ["[ERROR] missing required field: view"])
    vtype = view.get("type")
    if want_type is not None and vtype != want_type:
        problem = f"[ERROR] view type must be {want_type} [json-pointer:/view/type]"
        raise SlackError("invalid_arguments", [problem])
    if vtype not in ("modal", "home"):
        raise SlackError("invalid_arguments", ["[ERROR] unsupported view type [json-pointer:/view/type]"])
    problems: list[str] = []
    if vtype == "modal":
        if not isinstance(view.get("title"), dict):
            problems.append("[ERROR] missing required field: title [json-pointer:/view/title]")
        for key in ("title", "submit", "close"):
            part = view.get(key)
            if isinstance(part, dict) and len(part.get("text", "")) > 24:
                problems.append(f"[ERROR] must be less than 25 characters [json-pointer:/view/{key}/text]")
        blocks = view.get("blocks") or []
        if any(isinstance(b, dict) and b.get("type") == "input" for b in blocks) and not view.get("submit"):
            problems.append("[ERROR] must provide submit button when using input blocks [json-pointer:/view]")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append("[ERROR] must be less than 3001 characters [json-pointer:/view/private_metadata]")
    if len(str(view.get("callback_id", ""))) > 255:
        problems.append("[ERROR] must be less than 256 characters [json-pointer:/view/callback_id]")
    if problems:
        raise SlackError("invalid_arguments", problems)
    check_blocks(view.get("blocks"), limit=100, error="invalid_arguments")
    return view
