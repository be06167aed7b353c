"""The last listeners: anything unknown is logged, the user gets a short apology, nothing changes.

Also the one error handler that turns service refusals into what the user sees.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_bolt.response import BoltResponse

from bot.blocks import APOLOGY
from handlers.deps import Deps, response_url_of, user_of, where
from handlers.failures import failure_text, tell_failure

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


async def closed(ack: AsyncAck) -> None:
    """A modal closed (Slack tells only when asked to, `notify_on_close`): nothing to do but answer."""
    await ack()


async def on_error(
    error: Exception,
    body: dict[str, Any],
    context: AsyncBoltContext | None = None,
    response: BoltResponse | None = None,
) -> BoltResponse | None:
    """Tell the person what went wrong. Before the acknowledgement (`response` is Bolt's, still unsent),
    answer 200 rather than Bolt's 500: a form stays open with what was typed and the reason under its
    first field, so nothing entered is lost. The body may be any shape a client sent: read it with care.
    (`deps` comes from the context: a global middleware may fail before it is put there.)"""
    body = body if isinstance(body, dict) else {}
    deps: Deps | None = context.get("deps") if context is not None else None
    if response is None:  # after the acknowledgement
        await tell_failure(error, body, deps)
        return None
    fields = _form_fields(body)
    if body.get("type") == "view_submission" and fields:
        answer = {"response_action": "errors", "errors": {fields[0]: failure_text(error, before_answer=True)}}
        return BoltResponse(status=200, body=json.dumps(answer), headers={"content-type": "application/json"})
    await tell_failure(error, body, deps, before_answer=True)
    return BoltResponse(status=200, body="")


def _form_fields(body: dict[str, Any]) -> list[str]:
    """The block ids of a submitted form's inputs, if the body holds a form."""
    view = body.get("view")
    state = view.get("state") if isinstance(view, dict) else None
    values = state.get("values") if isinstance(state, dict) else None
    return [block for block in values if isinstance(block, str)] if isinstance(values, dict) else []


def register(app: AsyncApp) -> None:
    app.action(ANYTHING)(unknown_action)
    app.view(ANYTHING)(unknown_view)
    app.shortcut(ANYTHING)(unknown_shortcut)
    app.view_closed(ANYTHING)(closed)
    app.error(on_error)
