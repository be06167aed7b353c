"""Events API: App Home and people's messages. Every event is handled once, whatever Slack redelivers."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.services.errors import ServiceError
from bot.text import unescape
from handlers.connect import message_in_customer_channel
from handlers.deps import Deps

log = logging.getLogger(__name__)


async def first_delivery(deps: Deps, body: dict[str, Any]) -> bool:
    """False for a redelivered event (same event_id). Checked in the listener, after Bolt's automatic ack:
    a middleware that stopped the chain would make Bolt answer 404 and Slack deliver yet again."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and not await deps.deliveries.first_time(event_id):
        log.info("event %s was already handled; redelivery ignored", event_id)
        return False
    return True


async def home_opened(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    if event.get("tab", "home") != "home" or not await first_delivery(deps, body):
        return
    await deps.home.publish(str(event["user"]))


async def customer_message(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    """The customer's next message resumes a ticket that waits on them.

    In a ticket's thread (support channel, e.g. Slack Connect) it already is where engineers read; in a
    DM to the bot it is added to the thread of the reporter's ticket that waits on them.
    """
    if not _is_person_message(event) or not await first_delivery(deps, body):
        return
    if await deps.connect.knows(str(event.get("channel") or "")) is not None:
        await message_in_customer_channel(body, event, deps)  # a customer's own (Slack Connect) channel
        return
    user, text = str(event["user"]), unescape(str(event.get("text") or ""))  # Slack sends it encoded
    files = [(str(f.get("name") or f.get("title") or "file"), str(f["permalink"])) for f in _files(event)]
    try:
        if event.get("channel_type") == "im":
            await deps.replies.reply_from_dm(user, text, files)
        elif event.get("thread_ts"):
            await deps.replies.reply_in_thread(str(event.get("channel")), str(event["thread_ts"]), user)
    except ServiceError as exc:
        await deps.notifier.tell(user, None, str(exc))


# A person's message with a file, or a thread reply also sent to the channel, is still their answer.
PERSON_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def _is_person_message(event: dict[str, Any]) -> bool:
    """A message a person wrote: not an edit, deletion, join, bot post or our own message."""
    return event.get("subtype") in PERSON_SUBTYPES and not event.get("bot_id") and bool(event.get("user"))


def _files(event: dict[str, Any]) -> list[dict[str, Any]]:
    files = event.get("files")
    return [f for f in files if isinstance(f, dict) and f.get("permalink")] if isinstance(files, list) else []


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)
    app.event("message")(customer_message)
