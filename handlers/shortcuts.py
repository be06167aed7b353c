"""The message shortcut "Raise a support ticket": the raise modal, pre-filled from the message."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.ids import Callback
from handlers.deps import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    @app.shortcut(Callback.RAISE_SHORTCUT)
    async def raise_from_message(ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user_id = shortcut["user"]["id"]
        channel = (shortcut.get("channel") or {}).get("id")
        customers = deps.policy.customers_of(user_id)
        if not customers:
            await deps.notifier.ephemeral(
                channel or user_id, user_id, blocks.not_key_user_text(deps.policy, None)
            )
            return
        # The trigger id lives 3 s: open the modal first, then add the permalink with views.update.
        message = shortcut.get("message") or {}
        description = str(message.get("text") or "")
        opened = await client.views_open(
            trigger_id=shortcut["trigger_id"],
            view=blocks.raise_modal(deps.policy, customers, description=description),
        )
        try:
            link = await client.chat_getPermalink(channel=str(channel), message_ts=str(message.get("ts")))
        except SlackApiError:
            return  # the modal already holds the text; the link is a nicety
        description = f"{description}\n\nFrom: {link['permalink']}".strip()
        view = opened["view"]
        await client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=blocks.raise_modal(deps.policy, customers, description=description),
        )
