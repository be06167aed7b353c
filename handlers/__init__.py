"""Bolt listeners, one module per surface. Each listener is a top-level function that Bolt hands `deps`
(put into every request's context by the middleware below), so it can be called in a test with a fake ack."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from slack_bolt.async_app import AsyncApp, AsyncBoltContext

from handlers import actions, commands, engineering, events, fallback, shortcuts, views
from handlers.deps import Deps


def register(app: AsyncApp, deps: Deps) -> None:
    async def provide_deps(context: AsyncBoltContext, next: Callable[[], Awaitable[None]]) -> None:
        context["deps"] = deps
        await next()

    app.use(provide_deps)
    for module in (
        commands,
        views,
        actions,
        engineering,
        shortcuts,
        events,
        fallback,
    ):  # fallback last: catches the rest
        module.register(app)
