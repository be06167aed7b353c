"""What a person is told when their request fails after it was acknowledged, and the guard that tells them.

Work done after `ack()` never raises to Bolt: slack_bolt 1.30 loses a listener's acknowledgement if it
raises within ~10 ms of acknowledging (asyncio_runner resets `ack.response`), and Slack then gets a 404
three seconds later. So the guard catches the failure, logs it, and tells the person here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.services.errors import ServiceError
from bot.slack.errors import SlackBusy
from handlers.deps import Deps, response_url_of, user_of, where

log = logging.getLogger("handlers.fallback")  # one logger name for every failed listener

SORRY = "Sorry, something went wrong on our side. Please try again in a moment."
SLACK_BUSY = "Slack is too busy to show that right now. Please try again in a few seconds."


def failure_text(error: BaseException) -> str:
    """A refusal says why; Slack's rate limit (a storm of forms opening) says so; anything else (a bug,
    the database down) is logged and apologised for."""
    if isinstance(error, ServiceError):
        return str(error)
    if isinstance(error, SlackBusy):
        log.warning("Slack busy: %s", error)
        return SLACK_BUSY
    log.error("listener failed: %s", error, exc_info=error)
    return SORRY


async def tell_failure(error: BaseException, body: dict[str, Any], deps: Deps | None) -> None:
    text = failure_text(error)
    user = user_of(body)
    if user and deps is not None:
        await deps.notifier.tell(user, where(body), text, response_url_of(body))


@asynccontextmanager
async def told_if_failed(deps: Deps, body: dict[str, Any]) -> AsyncIterator[None]:
    """Around work after `ack()`: a failure is told to the person who asked, not raised."""
    try:
        yield
    except Exception as exc:
        await tell_failure(exc, body, deps)
