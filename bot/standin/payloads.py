"""Requests as Slack sends them to an app, signed as Slack signs them, and the client that sends them.

One import for tests and benchmarks::

    from bot.standin.payloads import SlackClient, slash_command
    status, text = await slack.send(*slash_command("U0KEY1", "help"))

The builders live in :mod:`~bot.standin.interactions` (commands, clicks, modals, shortcuts),
:mod:`~bot.standin.events` (Events API) and :mod:`~bot.standin.values` (``state.values`` entries).
"""

from __future__ import annotations

from bot.standin.client import (
    FORM,
    JSON,
    Body,
    NotDelivered,
    ResponseUrlSource,
    SlackClient,
    retry_headers,
    sign,
)
from bot.standin.events import (
    app_home_opened,
    app_mention,
    channel_id_changed,
    channel_shared,
    channel_unshared,
    event_callback,
    member_joined_channel,
    message_event,
    reaction_added,
    shared_file,
    stub,
    url_verification,
)
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
    "NotDelivered",
    "ResponseUrlSource",
    "SlackClient",
    "app_home_opened",
    "app_mention",
    "block_actions",
    "channel_id_changed",
    "channel_shared",
    "channel_unshared",
    "checkboxes_value",
    "conversations_select_value",
    "datepicker_value",
    "encode",
    "event_callback",
    "full_view",
    "member_joined_channel",
    "message_action",
    "message_event",
    "multi_users_select_value",
    "new_event_id",
    "new_trigger_id",
    "new_ts",
    "radio_value",
    "reaction_added",
    "retry_headers",
    "select_value",
    "shared_file",
    "shortcut",
    "sign",
    "slash_command",
    "stub",
    "text_value",
    "timepicker_value",
    "url_verification",
    "users_select_value",
    "view_closed",
    "view_submission",
]
