"""Entries of a view's ``state.values`` as Slack sends them: ``{block_id: {action_id: <entry>}}``.

They arrive as the person typed or picked them: no entity encoding here.
"""

from __future__ import annotations

from typing import Any


def option(value: str | None, text: str | None = None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def text_value(value: str | None) -> dict[str, Any]:
    """A plain-text input; an empty optional input arrives as ``None``."""
    return {"type": "plain_text_input", "value": value}


def select_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    return {"type": "static_select", "selected_option": option(value, text)}


def radio_value(value: str | None, text: str | None = None) -> dict[str, Any]:
    return {"type": "radio_buttons", "selected_option": option(value, text)}


def checkboxes_value(values: list[str]) -> dict[str, Any]:
    return {"type": "checkboxes", "selected_options": [option(v) for v in values]}


def users_select_value(user_id: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user_id}


def multi_users_select_value(user_ids: list[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": list(user_ids)}


def conversations_select_value(channel_id: str | None) -> dict[str, Any]:
    return {"type": "conversations_select", "selected_conversation": channel_id}


def datepicker_value(date: str | None) -> dict[str, Any]:
    """``date``: ``YYYY-MM-DD``."""
    return {"type": "datepicker", "selected_date": date}


def timepicker_value(hhmm: str | None, timezone: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "timepicker", "selected_time": hhmm}
    if timezone is not None:
        entry["timezone"] = timezone
    return entry
