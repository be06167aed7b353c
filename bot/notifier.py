"""The only outbound path to Slack: posts, redraws, thread notes and DMs, run as durable jobs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot import blocks
from bot.clock import Clock
from bot.config import Policy
from bot.jobs import Deferred, JobQueue, RetryLater
from bot.pacing import Pacer
from bot.services.escalation import DELIVER_PAGE, REDRAW_PAGE
from bot.services.sla import FIRST_RESPONSE, SlaService
from bot.services.tickets import NOTIFY_REPORTER, POST_TICKET, REDRAW_TICKET, THREAD_NOTE
from bot.worker import JobHandler
from models import Job, Page, Ticket, TicketEvent

log = logging.getLogger(__name__)

# Errors worth retrying: Slack is limiting or unwell, not refusing this request for good.
# A DM that can never arrive: the page goes to the support channel instead.
UNDELIVERABLE = {
    "cannot_dm_bot",
    "user_not_found",
    "account_inactive",
    "user_disabled",
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "messages_tab_disabled",
    "restricted_action",
}
TRANSIENT_ERRORS = {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}


class Notifier:
    def __init__(
        self,
        client: AsyncWebClient,
        policy: Policy,
        clock: Clock,
        sla: SlaService,
        jobs: JobQueue,
        update_pacer: Pacer,
        channel_pacer: Pacer,
    ) -> None:
        self.client = client
        self.policy = policy
        self.clock = clock
        self.sla = sla
        self.jobs = jobs
        self.update_pacer = update_pacer  # chat.update: Tier 3, about 50 a minute per workspace
        self.channel_pacer = channel_pacer  # posts into the support channel: about one a second
        self._next_turn: dict[str, float] = {}  # per budget: the next turn to hand a deferred job (monotonic)

    def job_handlers(self) -> dict[str, JobHandler]:
        return {
            POST_TICKET: self._post_ticket,
            REDRAW_TICKET: self._redraw_ticket,
            THREAD_NOTE: self._thread_note,
            NOTIFY_REPORTER: self._notify_reporter,
            DELIVER_PAGE: self._deliver_page,
            REDRAW_PAGE: self._redraw_page,
        }

    async def call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        """Call a write method (JSON body); passing failures become RetryLater, others SlackApiError."""
        return await self._guarded(method, self.client.api_call(method, json=kwargs))

    async def _guarded(self, method: str, request: Awaitable[AsyncSlackResponse]) -> dict[str, Any]:
        try:
            response = await request
        except SlackApiError as exc:
            status = exc.response.status_code
            error = str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""
            if status == 429 or status >= 500 or error in TRANSIENT_ERRORS:
                retry_after = _seconds(
                    exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after")
                )
                if status == 429 and method == "chat.update" and retry_after:
                    await self.update_pacer.blocked_for(retry_after)
                raise RetryLater(f"{method}: HTTP {status} {error}".strip(), retry_after) from exc
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

    async def tell(self, user: str, channel: str | None, text: str) -> None:
        """Answer one person privately: in the channel they clicked in, or by DM where there is none."""
        if channel:
            await self.ephemeral(channel, user, text)
            return
        try:
            await self.dm(user, {"text": text})
        except (RetryLater, SlackApiError) as exc:
            log.warning("could not tell %s: %s", user, exc)

    async def dm(self, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        # Posting to a user id delivers to the app's DM with that person.
        return await self.call("chat.postMessage", channel=user_id, unfurl_links=False, **message)

    async def render(self, ticket: Ticket) -> blocks.Message:
        now = self.clock.now()
        return blocks.ticket_message(ticket, self.policy, await self.sla.readings(ticket, now), now)

    async def _post_ticket(self, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None or ticket.message_ts is not None:
            return
        await self._take_turn(self.channel_pacer, "support channel")
        channel = self.policy.support_channel
        answer = await self.call(
            "chat.postMessage", channel=channel, unfurl_links=False, **await self.render(ticket)
        )
        await Ticket.filter(id=ticket.id).update(
            channel_id=answer.get("channel", channel), message_ts=answer["ts"]
        )
        latest = await Ticket.get(id=ticket.id)
        if (
            latest.version != ticket.version
        ):  # it changed while we were posting: redraw it, as a job of its own
            async with self.jobs.transaction():
                await self.jobs.enqueue(REDRAW_TICKET, ticket_id=ticket.id, dedupe_key=f"redraw:{ticket.id}")

    async def _take_turn(self, pacer: Pacer, what: str) -> None:
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

    async def _redraw_ticket(self, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None or ticket.message_ts is None:
            return  # the pending post will show the latest state
        await self._update(ticket)

    async def _update(self, ticket: Ticket) -> None:
        await self._take_turn(self.update_pacer, "chat.update")
        await self.call(
            "chat.update", channel=ticket.channel_id, ts=ticket.message_ts, **await self.render(ticket)
        )

    async def _thread_note(self, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None:
            return
        if ticket.message_ts is None:
            raise Deferred(f"{ticket.ref} is not posted yet; its thread note waits", 5)
        await self._take_turn(self.channel_pacer, "support channel")
        payload = job.payload
        if payload.get("kind") == "details":
            text = f"<@{payload['by']}> added details:\n{blocks.escape(payload['text'])}"
        else:
            text = str(payload["text"])
        await self.call(
            "chat.postMessage",
            channel=ticket.channel_id,
            thread_ts=ticket.message_ts,
            text=text,
            unfurl_links=False,
        )

    async def _notify_reporter(self, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if ticket is None:
            return
        event, by = job.payload.get("event"), job.payload.get("by", "")
        if event == "raised":
            message = await self._raised_dm(ticket)
        elif event == "claimed":
            message = blocks.claimed_dm(ticket, by)
        elif event == "waiting":
            message = blocks.waiting_dm(ticket, by)
        elif event == "resolved":
            message = blocks.resolved_dm(ticket, by)
        elif event == "reopened":
            message = blocks.simple_dm(ticket, f"<@{by}> reopened the ticket.")
        elif event == "priority":
            message = blocks.simple_dm(
                ticket, f"<@{by}> changed the priority from {job.payload['previous']} to {ticket.priority}."
            )
        elif event == "escalated":
            message = blocks.simple_dm(ticket, str(job.payload["text"]))
        else:
            log.error("unknown reporter notification %r for %s", event, ticket.ref)
            return
        await self.dm(ticket.reporter_id, message)

    async def _raised_dm(self, ticket: Ticket) -> blocks.Message:
        calendar = self.sla.calendar(ticket)
        clocks = await self.sla.clocks(ticket)
        due = clocks[FIRST_RESPONSE].due_at if FIRST_RESPONSE in clocks else None
        return blocks.raised_dm(
            ticket,
            due,
            await self.timezone_of(ticket.reporter_id, calendar.timezone),
            calendar,
            ticket.plan.capitalize(),
        )

    async def lookup_email(self, email: str) -> str | None:
        """A Slack user id for an e-mail in the policy file (needs the users:read.email scope)."""
        try:
            answer = await self._guarded("users.lookupByEmail", self.client.users_lookupByEmail(email=email))
        except SlackApiError as exc:
            log.warning("users.lookupByEmail failed for %s: %s", email, exc.response.get("error"))
            return None
        return str((answer.get("user") or {}).get("id") or "") or None

    async def permalink(self, ticket: Ticket) -> str | None:
        if not ticket.channel_id or not ticket.message_ts:
            return None
        try:
            answer = await self._guarded(
                "chat.getPermalink",
                self.client.chat_getPermalink(channel=ticket.channel_id, message_ts=ticket.message_ts),
            )
        except (RetryLater, SlackApiError) as exc:
            log.warning("no permalink for %s: %s", ticket.ref, exc)
            return None
        return str(answer.get("permalink") or "") or None

    async def _deliver_page(self, job: Job) -> None:
        page = await Page.get_or_none(id=job.payload["page"])
        if page is None or page.sent_at is not None:
            return
        ticket = await Ticket.get(id=page.ticket_id)
        link = await self.permalink(ticket)
        message = blocks.page_message(page, ticket, self.policy, self.clock.now(), link)
        try:
            answer = await self.dm(page.recipient, message)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error not in UNDELIVERABLE:
                raise
            # Nobody may go unpaged: post it in the support channel instead, naming the person.
            log.warning(
                "page %s to %s undeliverable (%s); posting in the support channel",
                page.id,
                page.recipient,
                error,
            )
            await self._take_turn(self.channel_pacer, "support channel")
            message = blocks.page_message(
                page, ticket, self.policy, self.clock.now(), link, fallback_for=page.recipient
            )
            answer = await self.call("chat.postMessage", channel=self.policy.support_channel, **message)
            await TicketEvent.create(
                ticket_id=ticket.id,
                at=self.clock.now(),
                kind="page_fell_back",
                detail={"recipient": page.recipient, "error": error},
            )
            page.fell_back = True
        page.sent_at = self.clock.now()
        page.channel_id = str(answer.get("channel") or page.recipient)
        page.message_ts = str(answer.get("ts") or "")
        await page.save(update_fields=["sent_at", "channel_id", "message_ts", "fell_back"])

    async def _redraw_page(self, job: Job) -> None:
        page = await Page.get_or_none(id=job.payload["page"])
        if page is None or page.message_ts is None:
            return
        ticket = await Ticket.get(id=page.ticket_id)
        message = blocks.page_message(
            page,
            ticket,
            self.policy,
            self.clock.now(),
            await self.permalink(ticket),
            fallback_for=page.recipient if page.fell_back else None,
        )
        await self._take_turn(self.update_pacer, "chat.update")
        await self.call("chat.update", channel=page.channel_id, ts=page.message_ts, **message)

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        await self.call("views.publish", user_id=user_id, view=view)

    async def timezone_of(self, user_id: str, default: str) -> str:
        """A person's timezone from their Slack profile; the calendar's own if Slack cannot say."""
        try:
            # A read method: slack_sdk sends it as GET query arguments, as Slack requires.
            answer = await self._guarded("users.info", self.client.users_info(user=user_id))
        except (RetryLater, SlackApiError) as exc:
            log.warning("users.info for %s failed (%s); using %s", user_id, exc, default)
            return default
        return str((answer.get("user") or {}).get("tz") or default)


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
