"""Pure Block Kit renderers: already-loaded data in, Slack message and view dicts out."""

from bot.blocks.dms import claimed_dm, local_time, raised_dm, resolved_dm, simple_dm, waiting_dm
from bot.blocks.home_view import home_view
from bot.blocks.kit import Message
from bot.blocks.modals import (
    details_modal,
    escalate_modal,
    log_time_modal,
    reassign_modal,
    reclassify_modal,
    resolve_modal,
)
from bot.blocks.pages import page_message
from bot.blocks.raise_form import EVERY_KEY_USER, choose_customer_modal, raise_modal
from bot.blocks.texts import APOLOGY, not_key_user_text
from bot.blocks.tickets import (
    already_claimed_text,
    category_text,
    clock_line,
    ticket_actions,
    ticket_line,
    ticket_message,
)
from bot.text import escape, person, slack_date

__all__ = [
    "APOLOGY",
    "EVERY_KEY_USER",
    "Message",
    "already_claimed_text",
    "category_text",
    "choose_customer_modal",
    "claimed_dm",
    "clock_line",
    "details_modal",
    "escalate_modal",
    "escape",
    "home_view",
    "local_time",
    "log_time_modal",
    "not_key_user_text",
    "page_message",
    "person",
    "raise_modal",
    "raised_dm",
    "reassign_modal",
    "reclassify_modal",
    "resolve_modal",
    "resolved_dm",
    "simple_dm",
    "slack_date",
    "ticket_actions",
    "ticket_line",
    "ticket_message",
    "waiting_dm",
]
