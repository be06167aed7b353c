"""The HTTP side: /slack/events into Bolt (behind one guard: never a 5xx for what a client sent), /healthz
and /metrics, and start-up and shutdown of the process's database, HTTP session, Redis, Slack check and
worker (aiohttp's cleanup_ctx)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from tortoise.functions import Count

from bot import csat_web, db, metrics
from bot.app import Secondline
from bot.engineering import web as engineering_web
from bot.logs import redact
from bot.mail import actions_web
from bot.mail import web as mail_web
from bot.mail.wiring import start_mail
from bot.satisfaction import LinkSigner
from bot.slack.errors import BROKEN_INSTALL, DESTINATION_GONE
from bot.startup import StartupProblem
from bot.wellformed import SlackBody, read_slack_body
from models import Ticket, TicketStatus

log = logging.getLogger(__name__)

# Failed deliveries an operator's fix makes work: retried when the Slack check passes again.
FIXABLE = DESTINATION_GONE | BROKEN_INSTALL
DATABASE_START_SECONDS = 60.0  # migrations included; a database that never answers is a start-up problem
STARTUP_CHECK_SECONDS = 5.0  # Slack not answering by then is "unreachable": start, and check again later
REPLICA_BEAT_SECONDS = 20.0  # well inside REPLICA_SEEN_SECONDS (bot/slack/budgets.py)
# Shown to the person by Slack when a request could not be taken (a command's or a click's answer).
UNTAKEN = "Sorry, Secondline could not take that request. Nothing was changed."


def web_app(bot: Secondline) -> web.Application:
    app = web.Application()
    verifier = SignatureVerifier(bot.settings.signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = raw.decode("utf-8")  # Slack's only encoding; its signature is over these bytes
        except UnicodeDecodeError:
            return _not_slack(request, len(raw), "the body is not UTF-8")
        if not _signed(verifier, body, request.headers):
            metrics.REQUESTS.labels("bad_signature").inc()
            return web.json_response({"error": "invalid request"}, status=401)
        read = read_slack_body(body, request.content_type, request.charset)
        if isinstance(read, str):
            return _not_slack(request, len(raw), read)
        started = bot.clock.monotonic()
        answer = await _answered(bot, request, body, read)
        metrics.ACK_SECONDS.labels(read.surface).observe(bot.clock.monotonic() - started)
        return answer

    async def healthz(request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(db.ping(), timeout=2)
        except Exception as exc:  # any failure means "not healthy"; say which
            reason = redact(f"{type(exc).__name__}: {exc}")
            return web.json_response({"ok": False, "database": reason}, status=503)
        answer: dict[str, Any] = {"ok": True}
        degraded = bot.startup.health.degraded() + (bot.mail.degraded() if bot.mail else [])
        degraded += [
            f"{count} {kind} job(s) failed: {code}" for kind, code, count in await bot.worker.queue.failures()
        ]
        if degraded:
            answer["degraded"] = degraded
        if bot.socket_mode is not None:
            answer["socket_mode"] = "connected" if await _socket_connected(bot) else "connecting"
        return web.json_response(answer)

    async def metrics_page(request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(_read_gauges(bot), timeout=2)
        except Exception as exc:  # the counters still answer; the gauges keep their last reading
            log.warning("metrics: could not read the open tickets and jobs (%s)", exc)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    if bot.mail is not None and bot.mail.config.webhook_token is not None:
        mail_web.add_routes(
            app,
            bot.mail.intake,
            bot.mail.config.webhook_token,
            bot.mail.config.mailgun_signing_key,
            bot.deps.deliveries,
            bot.clock,
        )
    if bot.mail is not None and bot.mail.actions is not None and bot.mail.links is not None:
        actions_web.add_routes(app, bot.mail.actions, bot.mail.links.signer)
    csat_web.add_routes(app, bot.deps.satisfaction, LinkSigner(bot.settings.signing_secret))
    engineering_web.add_routes(app, bot.deps.engineering, bot.settings)
    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics_page)
    app.cleanup_ctx.append(lambda _app: lifecycle(bot))
    return app


def _not_slack(request: web.Request, size: int, problem: str) -> web.Response:
    """400 to what is not a Slack request at all (it is signed, but nothing Slack would send)."""
    metrics.REQUESTS.labels("malformed").inc()
    log.warning("malformed Slack request refused (%s, %d bytes): %s", request.content_type, size, problem)
    return web.Response(status=400, text=UNTAKEN)


async def _answered(bot: Secondline, request: web.Request, body: str, read: SlackBody) -> web.Response:
    """Bolt's answer; the one guard at the boundary for what a client sends that Bolt or a listener cannot
    take before answering (a shape Bolt crashes on, a value the database refuses): a short apology with
    200 (Slack shows it to the person), one WARNING line, nothing changed (services write in one
    transaction). A failure after the answer is the listener's (handlers/failures.py)."""
    try:
        answer = await bot.bolt.async_dispatch(_bolt_request(request, body, read))
        if answer.status == 404:  # no listener took it (Bolt has said so in one WARNING line)
            metrics.REQUESTS.labels("unhandled").inc()
            return web.Response(status=200, text=UNTAKEN)
        if answer.status < 500:
            metrics.REQUESTS.labels("ok").inc()
            return await to_aiohttp_response(answer)
        failure = f"Bolt answered {answer.status}"
    except Exception as exc:  # the boundary: whatever failed, the client gets an answer, not a 500
        failure = f"{type(exc).__name__}: {redact(str(exc))[:200]}"
    metrics.REQUESTS.labels("failed").inc()
    log.warning(
        "Slack request not taken (%s, %d bytes, %s): %s",
        request.content_type,
        len(body),
        read.surface,
        failure,
    )
    return web.Response(status=200, text=UNTAKEN)


async def _read_gauges(bot: Secondline) -> None:
    rows = (
        await Ticket.filter(status__in=[TicketStatus.OPEN, TicketStatus.WAITING])
        .annotate(count=Count("id"))
        .group_by("priority", "status", "plan")
        .values("priority", "status", "plan", "count")
    )
    metrics.OPEN_TICKETS.clear()
    for row in rows:
        metrics.OPEN_TICKETS.labels(row["priority"], str(row["status"]), row["plan"]).set(row["count"])
    pending, waited, failed = await bot.worker.queue.gauges()
    metrics.JOBS_PENDING.set(pending)
    metrics.OLDEST_OVERDUE_SECONDS.set(waited)
    metrics.JOBS_FAILED_NOW.set(failed)


def _bolt_request(request: web.Request, body: str, read: SlackBody) -> AsyncBoltRequest:
    """Bolt's request with the body as `bot/wellformed.py` read it, not read again by Bolt (which would
    parse it a second time and take a command mentioning "payload" for an interaction). Bolt's own
    signature check still runs on the raw body."""
    headers: Any = request.headers  # as slack_bolt's aiohttp adapter passes them
    bolt_request = AsyncBoltRequest(body="", query=request.query_string, headers=headers)
    bolt_request.raw_body = body
    bolt_request.body = read.fields
    bolt_request.context = build_async_context(AsyncBoltContext({}), read.fields)
    return bolt_request


def _signed(verifier: SignatureVerifier, body: str, headers: Any) -> bool:
    """Slack's signature check; a timestamp that is not a number is a bad signature, not a crash."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    return verifier.is_valid_request(body, dict(headers))


async def _socket_connected(bot: Secondline) -> bool:
    client = getattr(bot.socket_mode, "client", None)
    try:
        return bool(client is not None and await client.is_connected())
    except Exception:  # a health check must answer, whatever the socket is doing
        return False


@contextlib.asynccontextmanager
async def _lifecycle(bot: Secondline) -> AsyncIterator[None]:
    try:
        await asyncio.wait_for(db.start_database(bot.settings.database_url), DATABASE_START_SECONDS)
    except Exception as exc:
        raise StartupProblem(
            f"DATABASE_URL {redact(bot.settings.database_url)}: cannot open the database "
            f"({type(exc).__name__}: {redact(str(exc))})"
        ) from exc
    # One HTTP session for every Web API call: connections (and TLS) are reused instead of opened per call.
    bot.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=bot.client.timeout))
    tasks: list[asyncio.Task[None]] = []
    try:
        if await bot.startup.run_within(STARTUP_CHECK_SECONDS):  # StartupProblem: a definite misconfiguration
            await bot.worker.queue.requeue_failed(FIXABLE)
        tasks += await start_mail(bot.mail, bot.clock, read_mailbox=bot.run_worker)
        await bot.deps.directory.resolve_all()
        await bot.housekeeping.schedule()
        await bot.digests.schedule_all()
        if bot.redis is not None:
            try:
                await bot.redis.ping()
            except (RedisError, OSError) as exc:  # optional: run on, coordinating through the database
                log.warning("Redis is not reachable (%s); pacing locally until it is", exc)
        if bot.redis is not None:
            tasks.append(asyncio.create_task(_count_replicas(bot), name="secondline-replicas"))
        if bot.run_worker:
            tasks.append(asyncio.create_task(bot.worker.run_forever(), name="secondline-worker"))
            tasks.append(
                asyncio.create_task(
                    bot.startup.keep_checking(_any_failed(bot), _retry_failed(bot)),
                    name="secondline-slack-check",
                )
            )
        yield
    finally:
        bot.worker.stop()
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await db.stop_database()
        await bot.client.session.close()
        if bot.redis is not None:
            await bot.redis.aclose()


async def _count_replicas(bot: Secondline) -> None:
    """Every 20 s: this replica is alive, and how many are (each paces to its share if Redis goes away)."""
    budgets = bot.deps.notifier.api.budgets
    while True:
        await budgets.count_replicas()
        await asyncio.sleep(REPLICA_BEAT_SECONDS)


def _any_failed(bot: Secondline) -> Any:
    async def any_failed() -> bool:
        return bool(await bot.worker.queue.failures())

    return any_failed


def _retry_failed(bot: Secondline) -> Any:
    async def retry() -> None:
        await bot.worker.queue.requeue_failed(FIXABLE)

    return retry


async def lifecycle(bot: Secondline) -> AsyncIterator[None]:
    async with _lifecycle(bot):
        yield
