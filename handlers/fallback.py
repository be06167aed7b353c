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
from handlers.deps import Deps, response_url_of, user_of, where

log = logging.getLogger(__name__)
ANYTHING = re.compile(".*")


async def _apologise(deps: Deps, body: dict[str, Any]) -> None:
    user = user_of(body)
    if user:
        await deps.notifier.tell(user, where(body), APOLOGY, response_url_of(body))


async def unknown_action(ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], deps: Deps) -> None:
    await ack()
    log.warning("unknown action %r from %s", action.get("action_id"), user_of(body))
    await _apologise(deps, body)


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


async def unknown_shortcut(ack: AsyncAck, body: dict[str, Any], deps: Deps) -> None:
    await ack()
    log.warning("unknown shortcut %r", body.get("callback_id"))
    await _apologise(deps, body)


async def on_error(error: Exception, body: dict[str, Any], deps: Deps | None = None) -> None:
    body = body if isinstance(body, dict) else {}
    if isinstance(error, ServiceError):
        text = str(error)
    else:
        log.error("listener failed: %s", error, exc_info=error)
        text = "Sorry, something went wrong on our side. Please try again in a moment."
    user = user_of(body)
    if user and deps is not None:
        await deps.notifier.tell(user, where(body), text, response_url_of(body))


def register(app: AsyncApp) -> None:
    app.action(ANYTHING)(unknown_action)
    app.view(ANYTHING)(unknown_view)
    app.shortcut(ANYTHING)(unknown_shortcut)
    app.error(on_error)
