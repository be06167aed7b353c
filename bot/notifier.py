"""The only outbound path to Slack: posts, redraws and DMs, run as durable jobs or best-effort replies."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.clock import Clock
from bot.config import Policy
from bot.jobs import RetryLater
from bot.services.tickets import NOTIFY_REPORTER, POST_TICKET, REDRAW_TICKET
from bot.worker import JobHandler
from models import Job, Ticket

log = logging.getLogger(__name__)

# Errors worth retrying: Slack is limiting or unwell, not refusing this request for good.
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class Notifier:
    def __init__(self, client: AsyncWebClient, policy: Policy, clock: Clock) -> None:
        self.client = client
        self.policy = policy
        self.clock = clock

    def job_handlers(self) -> dict[str, JobHandler]:
        return {
            POST_TICKET: self._post_ticket,
            REDRAW_TICKET: self._redraw_ticket,
            NOTIFY_REPORTER: self._notify_reporter,
        }

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """Call a Web API method; passing failures become RetryLater, others SlackApiError."""
        try:
            response = await self.client.api_call(method, json=kwargs)
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""
            if status == 429 or status >= 500 or error in TRANSIENT_ERRORS:
                retry_after = exc.response.headers.get("Retry-After") or exc.response.headers.get(
                    "retry-after"
                )
                raise RetryLater(f"{method}: HTTP {status} {error}".strip(), _seconds(retry_after)) from exc
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"{method}: {type(exc).__name__}: {exc}") from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def ephemeral(self, channel: str, user: str, text: str) -> None:
        """A private reply in a channel; best effort, since a lost one only costs the clicker a hint."""
        try:
            await self.call("chat.postEphemeral", channel=channel, user=user, text=text)
        except (RetryLater, SlackApiError) as exc:
            log.warning("could not send an ephemeral message to %s: %s", user, exc)

    async def _post_ticket(self, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None or ticket.message_ts is not None:
            return
        message = blocks.ticket_message(ticket, self.policy, self.clock.now())
        channel = self.policy.support_channel
        answer = await self.call("chat.postMessage", channel=channel, unfurl_links=False, **message)
        await Ticket.filter(id=ticket.id).update(
            channel_id=answer.get("channel", channel), message_ts=answer["ts"]
        )
        latest = await Ticket.get(id=ticket.id)
        if latest.version != ticket.version:  # it changed while we were posting: show the latest state
            await self._update(latest)

    async def _redraw_ticket(self, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None or ticket.message_ts is None:
            return  # the pending post will show the latest state
        await self._update(ticket)

    async def _update(self, ticket: Ticket) -> None:
        message = blocks.ticket_message(ticket, self.policy, self.clock.now())
        await self.call("chat.update", channel=ticket.channel_id, ts=ticket.message_ts, **message)

    async def _notify_reporter(self, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None:
            return
        event = job.payload.get("event")
        if event == "raised":
            message = blocks.raised_dm(ticket, self.clock.now())
        elif event == "claimed":
            message = blocks.claimed_dm(ticket, job.payload["by"])
        else:
            log.error("unknown reporter notification %r for %s", event, ticket.ref)
            return
        await self.dm(ticket.reporter_id, message)

    async def dm(self, user_id: str, message: dict[str, Any]) -> None:
        # Posting to a user id delivers to the app's DM with that person.
        await self.call("chat.postMessage", channel=user_id, unfurl_links=False, **message)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
