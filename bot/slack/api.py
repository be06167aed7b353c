"""The only code that calls Slack's Web API: maps its answers to outcomes, counts them, paces them.

Every answer becomes a dict (success), `SlackBusy` (429, 5xx, network, timeouts: retry later, honouring
Retry-After) or `SlackRefused` (an error retrying will not fix). Job handlers let those propagate; the
worker retries or fails the job accordingly.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import metrics
from bot.clock import Clock
from bot.jobs.outcomes import Deferred
from bot.pacing import Pacer
from bot.slack.errors import TRANSIENT, SlackBusy, SlackRefused

log = logging.getLogger(__name__)

# Read methods: slack_sdk must send them as GET query arguments, as Slack requires.
READ_METHODS = frozenset({"users.info", "conversations.info", "users.lookupByEmail", "chat.getPermalink"})


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]
    headers: Mapping[str, str]


class SlackApi:
    def __init__(
        self, client: AsyncWebClient, clock: Clock, update_pacer: Pacer, channel_pacer: Pacer
    ) -> None:
        self.client = client
        self.clock = clock
        self.update_pacer = update_pacer  # chat.update: Tier 3, about 50 a minute per workspace
        self.channel_pacer = channel_pacer  # posts into the support channel: about one a second
        self._next_turn: dict[str, float] = {}  # per budget: the next turn to hand a deferred job (monotonic)

    async def call(self, method: str, **args: Any) -> dict[str, Any]:
        return (await self.answer(method, **args)).data

    async def answer(self, method: str, **args: Any) -> Answer:
        """Call a method; the answer's data and headers, or SlackBusy / SlackRefused."""
        try:
            if method in READ_METHODS:
                response = await self.client.api_call(method, http_verb="GET", params=args)
            else:
                response = await self.client.api_call(method, json=args)
        except SlackApiError as exc:
            raise self._refusal(method, exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            metrics.SLACK_CALLS.labels(method, "network").inc()
            raise SlackBusy(f"{method}: {type(exc).__name__}: {exc}") from exc
        metrics.SLACK_CALLS.labels(method, "ok").inc()
        data = dict(response.data) if isinstance(response.data, dict) else {}
        return Answer(data, dict(response.headers))

    def _refusal(self, method: str, exc: SlackApiError) -> SlackBusy | SlackRefused:
        status = exc.response.status_code
        data = exc.response.data if isinstance(exc.response.data, dict) else {}
        error = str(data.get("error") or "")
        if status == 429 or status >= 500 or error in TRANSIENT:
            outcome = "429" if status == 429 else "5xx" if status >= 500 else error
            metrics.SLACK_CALLS.labels(method, outcome).inc()
            headers = exc.response.headers or {}
            retry_after = _seconds(headers.get("Retry-After") or headers.get("retry-after"))
            return SlackBusy(f"{method}: HTTP {status} {error}".strip(), retry_after)
        metrics.SLACK_CALLS.labels(method, error or f"http_{status}").inc()
        needed = data.get("needed")
        return SlackRefused(method, error or f"http_{status}", str(needed) if needed else None)

    async def take_turn(self, pacer: Pacer, what: str) -> None:
        """Wait for a slot in a Slack rate budget by coming back later, never by holding the worker.

        Jobs turned away get successive turns, one pacer interval apart, rather than all coming back
        at the first free slot and being turned away again (each retry costs a lease and a rewrite).
        """
        wait = await pacer.reserve()
        if wait <= 0:
            return
        now = self.clock.monotonic()
        turn = max(self._next_turn.get(what, now), now + wait)
        self._next_turn[what] = turn + pacer.interval
        raise Deferred(f"{what} budget reached", turn - now)

    async def post_in_channel(self, channel: str, **message: Any) -> dict[str, Any]:
        """A paced post into a shared channel (from a job: may raise Deferred)."""
        await self.take_turn(self.channel_pacer, "support channel")
        return await self.call("chat.postMessage", channel=channel, unfurl_links=False, **message)

    async def update_message(self, channel: str, ts: str, **message: Any) -> dict[str, Any]:
        """A paced chat.update (from a job: may raise Deferred); a 429 holds back every replica."""
        await self.take_turn(self.update_pacer, "chat.update")
        try:
            return await self.call("chat.update", channel=channel, ts=ts, **message)
        except SlackBusy as exc:
            if exc.after:
                await self.update_pacer.blocked_for(exc.after)
            raise


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
