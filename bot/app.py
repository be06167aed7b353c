"""The composition root: builds the Bolt app, the aiohttp server and the background worker."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest
from redis.asyncio import Redis
from redis.exceptions import RedisError
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncApp
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from bot import db
from bot.blocks import APOLOGY
from bot.clock import Clock, SystemClock
from bot.config import Policy
from bot.home import HomeBuilder
from bot.jobs import JobQueue
from bot.notifier import Notifier
from bot.pacing import LocalPacer, Pacer, RedisPacer
from bot.services.deliveries import Deliveries
from bot.services.directory import Directory
from bot.services.escalation import LADDER_STEP, EscalationService
from bot.services.sla import SLA_THRESHOLD, SlaService
from bot.services.tickets import HOUSEKEEPING, HOUSEKEEPING_EVERY, REFRESH_HOME, TicketService
from bot.settings import Settings
from bot.worker import Worker
from handlers import actions, commands, events, fallback, shortcuts, views
from handlers.deps import Deps
from models import Job

log = logging.getLogger(__name__)

REQUESTS = Counter("secondline_slack_requests_total", "Requests received on /slack/events", ["outcome"])


@dataclass
class Secondline:
    """Everything one bot process runs; tests reach into it (fake clock, worker)."""

    settings: Settings
    policy: Policy
    clock: Clock
    bolt: AsyncApp
    client: AsyncWebClient
    deps: Deps
    worker: Worker
    redis: Redis | None
    run_worker: bool = True


CHAT_UPDATE_PER_MINUTE = 40  # Slack's Tier 3 is about 50; the rest is room for anything unpaced
CHANNEL_POSTS_PER_MINUTE = 50  # Slack takes about one message a second into one channel


def make_pacer(redis: Redis | None, clock: Clock, per_minute: int, key: str) -> Pacer:
    """Shared by every replica through Redis when there is one; per process otherwise."""
    return RedisPacer(redis, clock, per_minute, key) if redis is not None else LocalPacer(clock, per_minute)


def build(
    settings: Settings, policy: Policy, clock: Clock | None = None, *, run_worker: bool = True
) -> Secondline:
    clock = clock or SystemClock()
    client = AsyncWebClient(token=settings.bot_token, base_url=settings.slack_api_url, timeout=10)
    bolt = AsyncApp(
        client=client,
        signing_secret=settings.signing_secret,
        # Unknown requests are answered by our fallback listeners, not Bolt's bare 404.
        raise_error_for_unhandled_request=False,
    )
    queue = JobQueue(clock)
    redis = (
        Redis.from_url(settings.redis_url, socket_timeout=2, socket_connect_timeout=2)
        if settings.redis_url
        else None
    )
    update_pacer = make_pacer(redis, clock, CHAT_UPDATE_PER_MINUTE, "secondline:pace:chat.update")
    channel_pacer = make_pacer(redis, clock, CHANNEL_POSTS_PER_MINUTE, "secondline:pace:support-channel")
    sla = SlaService(policy, clock, queue)
    notifier = Notifier(client, policy, clock, sla, queue, update_pacer, channel_pacer)
    directory = Directory(policy, notifier.lookup_email)
    tickets = TicketService(policy, clock, queue, sla, directory.is_escalation)
    escalation = EscalationService(policy, clock, queue, sla, tickets, directory)
    home = HomeBuilder(policy, clock, tickets, sla, escalation)
    deps = Deps(
        policy=policy,
        clock=clock,
        tickets=tickets,
        sla=sla,
        notifier=notifier,
        deliveries=Deliveries(clock),
        directory=directory,
        escalation=escalation,
        home=home,
    )
    for module in (commands, views, actions, shortcuts, events, fallback):  # fallback last: catches the rest
        module.register(bolt, deps)

    async def housekeeping(job: Job) -> None:
        forgotten = await deps.deliveries.forget_old()
        log.info("housekeeping: forgot %d old Slack event ids", forgotten)
        await tickets.schedule_housekeeping(clock.now() + HOUSEKEEPING_EVERY)

    async def refresh_home(job: Job) -> None:
        user = str(job.payload["user"])
        await notifier.publish_home(user, await home.view_for(user))

    worker = Worker(
        queue,
        clock,
        {
            **notifier.job_handlers(),
            SLA_THRESHOLD: sla.handle_threshold,
            LADDER_STEP: escalation.fire_step,
            REFRESH_HOME: refresh_home,
            HOUSEKEEPING: housekeeping,
        },
    )
    return Secondline(settings, policy, clock, bolt, client, deps, worker, redis, run_worker)


def web_app(bot: Secondline) -> web.Application:
    app = web.Application()
    verifier = SignatureVerifier(bot.settings.signing_secret)

    async def slack_events(request: web.Request) -> web.Response:
        body = await request.text()
        if not verifier.is_valid_request(body, dict(request.headers)):
            REQUESTS.labels("bad_signature").inc()
            return web.json_response({"error": "invalid request"}, status=401)
        if not _well_formed(body, request.content_type):
            REQUESTS.labels("malformed").inc()
            log.warning("malformed Slack request (%s, %d bytes) ignored", request.content_type, len(body))
            # Slack shows a slash command's or action's plain-text answer to the user.
            return web.Response(status=200, text=APOLOGY)
        REQUESTS.labels("ok").inc()
        return await to_aiohttp_response(await bot.bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(request: web.Request) -> web.Response:
        try:
            await asyncio.wait_for(db.ping(), timeout=2)
        except Exception as exc:  # any failure means "not healthy"; say which
            return web.json_response({"ok": False, "database": f"{type(exc).__name__}: {exc}"}, status=503)
        return web.json_response({"ok": True})

    async def metrics(request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_post("/slack/events", slack_events)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    app.cleanup_ctx.append(lambda _app: lifecycle(bot))
    return app


@contextlib.asynccontextmanager
async def _lifecycle(bot: Secondline) -> AsyncIterator[None]:
    await db.start_database(bot.settings.database_url)
    # One HTTP session for every Web API call: connections (and TLS) are reused instead of opened per call.
    bot.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=bot.client.timeout))
    await bot.deps.directory.resolve_all()
    await bot.deps.tickets.schedule_housekeeping()
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
