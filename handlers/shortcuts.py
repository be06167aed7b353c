"""The message shortcut "Raise a support ticket": the raise modal, pre-filled from the message."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import blocks
from bot.ids import Callback
from bot.slack.errors import SlackBusy, SlackRefused
from bot.text import unescape
from handlers.deps import Deps, response_url_of, user_of


async def raise_from_message(ack: AsyncAck, shortcut: dict[str, Any], deps: Deps) -> None:
    await ack()
    user_id = user_of(shortcut) or ""
    channel = (shortcut.get("channel") or {}).get("id")
    customers = deps.policy.customers_of(user_id)
    if not customers:
        text = blocks.not_key_user_text(deps.policy, None)
        await deps.notifier.tell(user_id, channel, text, response_url_of(shortcut))
        return
    # The trigger id lives 3 s: open the modal first, then add the permalink with views.update.
    message = shortcut.get("message") or {}
    description = unescape(str(message.get("text") or ""))  # Slack sends it entity-encoded
    opened = await deps.notifier.open_modal(
        str(shortcut.get("trigger_id") or ""),
        blocks.raise_modal(deps.policy, customers, description=description),
    )
    link = await deps.notifier.permalink(str(channel), str(message.get("ts")))
    if link is None or not opened.get("id"):
        return  # the modal already holds the text; the link is a nicety
    description = f"{description}\n\nFrom: {link}".strip()
    try:
        await deps.notifier.update_modal(
            str(opened["id"]),
            blocks.raise_modal(deps.policy, customers, description=description),
            opened.get("hash"),
        )
    except (SlackBusy, SlackRefused):
        return  # the person may have typed meanwhile (hash_conflict): their modal stays as it is


def register(app: AsyncApp) -> None:
    app.shortcut(Callback.RAISE_SHORTCUT)(raise_from_message)
