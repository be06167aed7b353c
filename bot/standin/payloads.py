"""Requests as Slack sends them to an app, signed as Slack signs them, and the client that sends them.

One import for tests and benchmarks::

    from bot.standin.payloads import SlackClient, slash_command
    status, text = await slack.send(*slash_command("U0KEY1", "help"))

The builders live in :mod:`~bot.standin.interactions` (commands, clicks, modals, shortcuts),
:mod:`~bot.standin.events` (Events API) and :mod:`~bot.standin.values` (``state.values`` entries).
"""

from __future__ import annotations

from bot.standin.client import FORM, JSON, Body, ResponseUrlSource, SlackClient, retry_headers, sign
from bot.standin.events import app_home_opened, event_callback, message_event, shared_file, url_verification
from bot.standin.ids import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    VERIFICATION_TOKEN,
    new_event_id,
    new_trigger_id,
    new_ts,
)
from bot.standin.interactions import (
    block_actions,
    encode,
    full_view,
    message_action,
    shortcut,
    slash_command,
    view_closed,
    view_submission,
)
from bot.standin.values import (
    checkboxes_value,
    conversations_select_value,
    datepicker_value,
    multi_users_select_value,
    radio_value,
    select_value,
    text_value,
    timepicker_value,
    users_select_value,
)

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "FORM",
    "JSON",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "VERIFICATION_TOKEN",
    "Body",
    "ResponseUrlSource",
    "SlackClient",
    "app_home_opened",
    "block_actions",
    "checkboxes_value",
    "conversations_select_value",
    "datepicker_value",
    "encode",
    "event_callback",
    "full_view",
    "message_action",
    "message_event",
    "multi_users_select_value",
    "new_event_id",
    "new_trigger_id",
    "new_ts",
    "radio_value",
    "retry_headers",
    "select_value",
    "shared_file",
    "shortcut",
    "sign",
    "slash_command",
    "text_value",
    "timepicker_value",
    "url_verification",
    "users_select_value",
    "view_closed",
    "view_submission",
]
