"""The HTTP side: /slack/events into Bolt, /healthz and /metrics, and start-up and shutdown of the process's
database, HTTP session, Redis and worker (aiohttp's cleanup_ctx)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_sdk.signature import SignatureVerifier

from bot import db, metrics
from bot.app import Secondline
from bot.blocks import APOLOGY

log = logging.getLogger(__name__)


def web_app(bot: Secondline) -> web.Application:
    app = web.Application()
    verifier = SignatureVerifier(bot.settings.signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid_request(body, dict(request.headers)):
            metrics.REQUESTS.labels("bad_signature").inc()
            return web.json_response({"error": "invalid request"}, status=401)
        if not _well_formed(body, request.content_type):
            metrics.REQUESTS.labels("malformed").inc()
            log.warning("malformed Slack request (%s, %d bytes) ignored", request.content_type, len(body))
            # Slack shows a slash command's or action's plain-text answer to the user.
            return web.Response(status=200, text=APOLOGY)
        metrics.REQUESTS.labels("ok").inc()
        return await to_aiohttp_response(await bot.bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(db.ping(), timeout=2)
        except Exception as exc:  # any failure means "not healthy"; say which
            return web.json_response({"ok": False, "database": f"{type(exc).__name__}: {exc}"}, status=503)
        return web.json_response({"ok": True})

    async def metrics_page(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    app.cleanup_ctx.append(lambda _app: lifecycle(bot))
    return app


@contextlib.asynccontextmanager
async def _lifecycle(bot: Secondline) -> AsyncIterator[None]:
    await db.start_database(bot.settings.database_url)
    # One HTTP session for every Web API call: connections (and TLS) are reused instead of opened per call.
    bot.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=bot.client.timeout))
    await bot.deps.directory.resolve_all()
    await bot.housekeeping.schedule()
    if bot.redis is not None:
        try:
            await bot.redis.ping()
        except (RedisError, OSError) as exc:  # Redis is optional: run on, coordinating through the database
            log.warning("Redis is not reachable (%s); pacing locally until it is", exc)
    task = asyncio.create_task(bot.worker.run_forever(), name="secondline-worker") if bot.run_worker else None
    try:
        yield
    finally:
        bot.worker.stop()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await db.stop_database()
        if bot.client.session is not None:
            await bot.client.session.close()
        if bot.redis is not None:
            await bot.redis.aclose()


async def lifecycle(bot: Secondline) -> AsyncIterator[None]:
    async with _lifecycle(bot):
        yield


def _well_formed(body: str, content_type: str) -> bool:
    """Bolt assumes well-formed bodies; refuse the rest before it sees them."""
    if content_type == "application/json":
        try:
            return isinstance(json.loads(body), dict)
        except json.JSONDecodeError:
            return False
    form = parse_qs(body)
    if "payload" in form:
        try:
            payload = json.loads(form["payload"][0])
        except json.JSONDecodeError:
            return False
        return (
            isinstance(payload, dict)
            and isinstance(payload.get("type"), str)
            and isinstance(payload.get("user", {}), dict)
        )
    return "command" in form or "ssl_check" in form
