"""`POST /hooks/github`, `/hooks/jira` and `/hooks/linear`: issue trackers' webhooks, each route served only
when its secret is set.

A wrong signature or secret is 401 and changes nothing; a body we cannot read is 400; a verified delivery
about an issue no ticket links is 200 and ignored; a redelivery is 200 and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.engineering import hooks
from bot.engineering.hooks import IssueNews, Malformed
from bot.engineering.urls import Recogniser
from bot.services.engineering import Engineering
from bot.services.errors import ServiceError
from bot.settings import Settings

log = logging.getLogger(__name__)


def add_routes(app: web.Application, engineering: Engineering | None, settings: Settings) -> None:
    if engineering is None:
        return
    recognise = engineering.recognise
    if settings.github_webhook_secret:
        app.router.add_post("/hooks/github", _github(engineering, settings.github_webhook_secret, recognise))
    if settings.jira_webhook_secret:
        app.router.add_post("/hooks/jira", _jira(engineering, settings.jira_webhook_secret))
    if settings.linear_webhook_secret:
        app.router.add_post("/hooks/linear", _linear(engineering, settings.linear_webhook_secret, recognise))


Handler = Callable[[web.Request], Awaitable[web.Response]]


async def _answer(engineering: Engineering, read: Callable[[], IssueNews]) -> web.Response:
    try:
        news = read()
    except Malformed as exc:
        log.warning("engineering webhook refused: %s", exc)
        return web.json_response({"error": str(exc)}, status=400)
    try:
        outcome = await engineering.receive(news)
    except ServiceError as exc:  # a ticket changed under us: nothing was kept, so the tracker's retry works
        log.info("%s delivery %s deferred: %s", news.provider, news.delivery_id, exc)
        return web.json_response({"error": "busy, retry"}, status=503, headers={"Retry-After": "5"})
    return web.json_response({"ok": True, "outcome": outcome})


def _unauthorised(provider: str) -> web.Response:
    log.warning("%s webhook with a wrong signature or secret refused", provider)
    return web.json_response({"error": "invalid signature"}, status=401)


def _github(engineering: Engineering, secret: str, recognise: Recogniser) -> Handler:
    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        if not hooks.github_signed(secret, body, request.headers):
            return _unauthorised("GitHub")
        return await _answer(engineering, lambda: hooks.github(body, request.headers, recognise))

    return receive


def _jira(engineering: Engineering, secret: str) -> Handler:
    async def receive(request: web.Request) -> web.Response:
        body = await request.read()  # Jira Cloud cannot sign: the secret is in the URL, ?secret=…
        if not hooks.secret_matches(secret, request.query.get("secret")):
            return _unauthorised("Jira")
        return await _answer(engineering, lambda: hooks.jira(body, request.headers))

    return receive


def _linear(engineering: Engineering, secret: str, recognise: Recogniser) -> Handler:
    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        if not hooks.linear_signed(secret, body, request.headers):
            return _unauthorised("Linear")
        return await _answer(engineering, lambda: hooks.linear(body, request.headers, recognise))

    return receive
