"""The only code that calls Slack's Web API: paces each call, maps its answer to an outcome, counts it.

Every call first spends from its budgets (bot/slack/budgets.py). Inside a job a spent budget defers the job
to its turn (`Deferred`); outside one (a person waits on an answer) the call waits a moment, then goes.
Every answer becomes a dict (success), `SlackBusy` (429, 5xx, network, timeouts: retry later, honouring
Retry-After) or `SlackRefused` (an error retrying will not fix).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot import metrics
from bot.clock import Clock
from bot.jobs.outcomes import IN_JOB, Deferred
from bot.slack.budgets import Budgets, conversation_of, written_conversation
from bot.slack.errors import TRANSIENT, SlackBusy, SlackRefused

log = logging.getLogger(__name__)

# Read methods: slack_sdk must send them as GET query arguments, as Slack requires.
READ_METHODS = frozenset(
    {
        "users.info",
        "conversations.info",
        "users.lookupByEmail",
        "chat.getPermalink",
        "conversations.history",
        "conversations.replies",
    }
)
DIRECT_WAIT_MAX = 2.0  # seconds a direct call (someone waits on it) may wait for its budget
JOB_WAIT_MAX = 1.0  # seconds a job waits for its budget in place (cheaper than deferring it)
MAX_TURNS = 4096  # deferral turns remembered per budget name
IN_FLIGHT_POLL = 0.1  # seconds between looks at a conversation's turn while waiting for it in place
IN_FLIGHT_TURN = 1.0  # seconds between the turns of jobs deferred behind a conversation's unanswered call


@dataclass(frozen=True)
class Answer:
    data: dict[str, Any]
    headers: Mapping[str, str]


class SlackApi:
    def __init__(self, client: AsyncWebClient, clock: Clock, budgets: Budgets) -> None:
        self.client = client
        self.clock = clock
        self.budgets = budgets
        self._next_turn: dict[str, float] = {}  # per budget: the next turn to hand a deferred job (monotonic)

    async def call(self, method: str, *, urgent: bool = False, **args: Any) -> dict[str, Any]:
        return (await self.answer(method, urgent=urgent, **args)).data

    async def answer(self, method: str, *, urgent: bool = False, **args: Any) -> Answer:
        """Call a method; the answer's data and headers, or Deferred / SlackBusy / SlackRefused."""
        async with self._one_in_flight(method, args, urgent):
            return await self._answer(method, args, urgent)

    async def _answer(self, method: str, args: dict[str, Any], urgent: bool) -> Answer:
        await self._spend(method, args, urgent)
        try:
            if method in READ_METHODS:
                response = await self.client.api_call(method, http_verb="GET", params=args)
            else:
                response = await self.client.api_call(method, json=args)
        except SlackApiError as exc:
            refusal = self._refusal(method, exc)
            if isinstance(refusal, SlackBusy) and exc.response.status_code == 429 and refusal.after:
                await self._blocked(method, args, refusal.after)
            raise refusal from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            metrics.SLACK_CALLS.labels(method, "network").inc()
            raise SlackBusy(f"{method}: {type(exc).__name__}: {exc}") from exc
        metrics.SLACK_CALLS.labels(method, "ok").inc()
        data = dict(response.data) if isinstance(response.data, dict) else {}
        return Answer(data, dict(response.headers))

    async def upload(self, channel: str, filename: str, content: str | bytes, **args: Any) -> dict[str, Any]:
        """Share a file into a conversation with slack_sdk's files_upload_v2 (its three steps: an upload
        URL, the bytes, then completeUploadExternal), paced like a message into that conversation."""
        paced = {"channel_id": channel}
        try:
            async with self._one_in_flight("files.completeUploadExternal", paced, False):
                await self._spend("files.completeUploadExternal", paced, False)
                response = await self.client.files_upload_v2(
                    channel=channel, filename=filename, content=content, **args
                )
        except SlackApiError as exc:
            raise self._refusal("files.completeUploadExternal", exc) from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            metrics.SLACK_CALLS.labels("files.completeUploadExternal", "network").inc()
            raise SlackBusy(f"files_upload_v2: {type(exc).__name__}: {exc}") from exc
        metrics.SLACK_CALLS.labels("files.completeUploadExternal", "ok").inc()
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def respond(self, url: str, message: Mapping[str, Any]) -> None:
        """Answer through a request's response_url (works where the app is not a member; 5 uses, 30 min)."""
        webhook = AsyncWebhookClient(url, timeout=int(self.client.timeout), session=self.client.session)
        try:
            response = await webhook.send_dict(dict(message))
        except (aiohttp.ClientError, TimeoutError) as exc:
            metrics.SLACK_CALLS.labels("response_url", "network").inc()
            raise SlackBusy(f"response_url: {type(exc).__name__}: {exc}") from exc
        if response.status_code == 200:
            metrics.SLACK_CALLS.labels("response_url", "ok").inc()
            return
        outcome = (
            "429" if response.status_code == 429 else "5xx" if response.status_code >= 500 else "refused"
        )
        metrics.SLACK_CALLS.labels("response_url", outcome).inc()
        if outcome == "refused":
            raise SlackRefused("response_url", (response.body or f"http_{response.status_code}")[:48])
        raise SlackBusy(f"response_url: HTTP {response.status_code}")

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

    @asynccontextmanager
    async def _one_in_flight(self, method: str, args: Mapping[str, Any], urgent: bool) -> AsyncIterator[None]:
        """Hold the turn of the conversation a call writes to while the call is unanswered: one such call
        per conversation at a time, across replicas. While Slack does not answer, the calls behind it wait
        (a job is deferred) instead of piling up at Slack to be answered at once, over the conversation's
        limit, when it comes back. A page (urgent) neither waits for nor takes the turn: it is due now,
        and pages are few."""
        conversation = None if urgent else written_conversation(method, args)
        if conversation is None:
            yield
            return
        token = await self._take_turn(method, conversation)
        try:
            yield
        finally:  # answered, failed, timed out or cancelled: the next call's turn
            if token is not None:
                await self.budgets.in_flight.give_back(conversation, token)

    async def _take_turn(self, method: str, conversation: str) -> str | None:
        """The conversation's turn; a job waits a moment for it, then is deferred. Someone waiting on the
        answer waits a little longer, then the call goes without it (None)."""
        in_job = IN_JOB.get()
        patience = JOB_WAIT_MAX if in_job else DIRECT_WAIT_MAX
        waited = 0.0
        while (token := await self.budgets.in_flight.take(conversation)) is None:
            if waited >= patience:
                if in_job:
                    name = f"in_flight:{conversation}"
                    after = self._turn(name, IN_FLIGHT_TURN, IN_FLIGHT_TURN)
                    raise Deferred(f"a call to {conversation} is still unanswered", after)
                log.info("a call to %s is still unanswered; %s goes out anyway", conversation, method)
                return None
            await self.clock.sleep(IN_FLIGHT_POLL)
            waited += IN_FLIGHT_POLL
        return token

    async def _spend(self, method: str, args: Mapping[str, Any], urgent: bool) -> None:
        for name, pacer in self.budgets.for_call(method, args, urgent=urgent):
            wait = await pacer.reserve()
            if wait <= 0:
                continue
            if IN_JOB.get():
                if wait <= JOB_WAIT_MAX:
                    await self.clock.sleep(wait)
                    wait = await pacer.reserve()
                if wait > 0:
                    raise Deferred(f"{name} budget reached", self._turn(name, pacer.interval, wait))
                continue
            if wait <= DIRECT_WAIT_MAX:
                await self.clock.sleep(wait)
                await pacer.reserve()
            else:  # someone waits on this answer: send it; Slack may answer 429, which is handled
                log.info("%s budget spent; %s goes out anyway", name, method)

    def _turn(self, name: str, interval: float, wait: float) -> float:
        """Seconds until this deferred job's turn. Jobs turned away get successive turns, one interval
        apart, rather than all coming back at the first free slot and being turned away again."""
        now = self.clock.monotonic()
        turn = max(self._next_turn.get(name, now), now + wait)
        self._next_turn[name] = turn + interval
        if len(self._next_turn) > MAX_TURNS:  # forget turns that have passed
            self._next_turn = {k: v for k, v in self._next_turn.items() if v > now}
        return turn - now

    async def _blocked(self, method: str, args: Mapping[str, Any], seconds: float) -> None:
        """Slack said 429: hold back the budget it refused (the conversation's for a post)."""
        budgets = self.budgets.for_call(method, args)
        if conversation_of(method, args) is not None:
            budgets = budgets[-1:]
        for _, pacer in budgets:
            await pacer.blocked_for(seconds)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
