"""Bolt listeners, one module per surface. Each listener is a top-level function that Bolt hands `deps`
(put into every request's context by the middleware below), so it can be called in a test with a fake ack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from handlers import actions, commands, connect, csat, engineering, events, fallback, shortcuts, storms, views
from handlers.deps import Deps
from handlers.failures import keep_first_answer


def register(app: AsyncApp, deps: Deps) -> None:
    async def provide_deps(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["deps"] = deps
        await next()

    app.use(keep_first_answer)  # a listener failing after its ack never holds the HTTP answer
    app.use(provide_deps)
    csat.register(app)  # the satisfaction question's buttons and comment modal
    for module in (
        commands,
        views,
        actions,
        storms,
        engineering,
        shortcuts,
        events,
        connect,
        fallback,
    ):  # fallback last: catches the rest
        module.register(app)
