"""What a person is told when their request fails, and the two guards that make sure they are answered.

Work done after `ack()` never holds the HTTP answer: slack_bolt 1.30 (listener/asyncio_runner.py) sets
`ack.response = None` again when a listener raises after acknowledging; the HTTP answer, which Bolt polls
for every 10 ms, is then held until its 3 s ack timeout and lost (Slack gives up at 3 s). `FirstAnswerAck`
keeps the first answer whatever happens after it, and `told_if_failed` tells the person what failed.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.services.errors import ServiceError
from bot.slack.errors import SlackBusy
from handlers.deps import Deps, response_url_of, user_of, where

log = logging.getLogger("handlers.fallback")  # one logger name for every failed listener

SORRY = "Sorry, something went wrong on our side. Please try again in a moment."
SLACK_BUSY = "Slack is too busy to show that right now. Please try again in a few seconds."


class FirstAnswerAck(AsyncAck):
    """An `ack` whose answer, once given, stays given (Bolt resets it to None when a listener raises
    after acknowledging; see the module's docstring)."""

    _answer: BoltResponse | None = None

    @property
    def response(self) -> BoltResponse | None:
        return self._answer

    @response.setter
    def response(self, value: BoltResponse | None) -> None:
        if value is not None:
            self._answer = value


async def keep_first_answer(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
    """Global middleware: every request's `ack` is a FirstAnswerAck (for HTTP and Socket Mode alike)."""
    context["ack"] = FirstAnswerAck()
    await next()


def failure_text(error: BaseException, *, before_answer: bool = False) -> str:
    """A refusal says why; Slack's rate limit (a storm of forms opening) says so; anything else (a bug,
    the database down, a value the database refuses) is logged once and apologised for: at WARNING when
    it happened before the request was answered (what a client sent can cause that), else at ERROR."""
    if isinstance(error, ServiceError):
        return str(error)
    if isinstance(error, SlackBusy):
        log.warning("Slack busy: %s", error)
        return SLACK_BUSY
    if before_answer:
        log.warning("request failed before its answer: %s: %s", type(error).__name__, error, exc_info=error)
    else:
        log.error("listener failed: %s", error, exc_info=error)
    return SORRY


async def tell_failure(
    error: BaseException, body: dict[str, Any], deps: Deps | None, *, before_answer: bool = False
) -> None:
    text = failure_text(error, before_answer=before_answer)
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
