"""The last listeners: anything unknown is logged, the user gets a short apology, nothing changes.

Also the one error handler that turns service refusals into what the user sees.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.blocks import APOLOGY
from bot.services.errors import ServiceError
from handlers.deps import Deps, where

log = logging.getLogger(__name__)
ANYTHING = re.compile(".*")


def _user(body: dict[str, Any]) -> str | None:
    user = (body.get("user") or {}).get("id") or body.get("user_id")
    return str(user) if user else None


def register(app: AsyncApp, deps: Deps) -> None:
    async def apologise(body: dict[str, Any]) -> None:
        user = _user(body)
        if user:
            await deps.notifier.tell(user, where(body), APOLOGY)

    @app.action(ANYTHING)
    async def unknown_action(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        log.warning("unknown action %r from %s", action.get("action_id"), _user(body))
        await apologise(body)

    @app.view(ANYTHING)
    async def unknown_view(ack: AsyncAck, view: dict[str, Any]) -> None:
        log.warning("unknown view callback %r", view.get("callback_id"))
        await ack(
            response_action="update",
            view={
                "type": "modal",
                "title": {"type": "plain_text", "text": "Secondline"},
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": APOLOGY}}],
            },
        )

    @app.shortcut(ANYTHING)
    async def unknown_shortcut(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        log.warning("unknown shortcut %r", body.get("callback_id"))
        await apologise(body)

    @app.error
    async def on_error(error: Exception, body: dict[str, Any]) -> None:
        body = body if isinstance(body, dict) else {}
        if isinstance(error, ServiceError):
            text = str(error)
        else:
            log.error("listener failed: %s", error, exc_info=error)
            text = "Sorry, something went wrong on our side. Please try again in a moment."
        user = _user(body)
        if user:
            await deps.notifier.tell(user, where(body), text)
