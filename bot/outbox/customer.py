"""Telling the customer: every customer-facing notice (raised, claimed, waiting with the engineer's question,
resumed, resolved, reopened, an engineer's reply, …) goes to the *place* where the ticket's reporter
follows it, through one table: a new place is a new row and a new sender, never a fork of the ticket's
logic (docs/ARCHITECTURE.md).

- `dm`: a DM to the key user who raised it, in the vendor's workspace (bot/outbox/reporter.py);
- `thread`: the customer's own (Slack Connect) channel, in the thread of the message it was raised from,
  where the bot's card is the ticket's customer view, updated in place;
- `email` (bot/mail/place.py, once e-mail tickets exist).

Only customer-visible content goes through a place: never internal notes, time, pages or callback numbers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from bot.blocks.customer_view import customer_card, customer_note, fix_shipped_note
from bot.clock import Clock
from bot.jobs.kinds import NotifyReporter
from bot.notifier import Notifier
from bot.outbox.reporter import ReporterNews
from bot.policy import Policy
from bot.services.connect import Connect
from bot.slack.api import SlackApi
from bot.slack.errors import SlackRefused
from bot.slack.once import PostOnce
from models import Job, Ticket

log = logging.getLogger(__name__)

# Slack's answer to a DM for someone of another organisation who shares no channel with the bot (or
# whose share just ended): not a failure of the ticket; the customer's channel is told instead.
NOT_DMABLE = frozenset({"invalid_user_combination"})
CARD_GONE = frozenset({"message_not_found", "cant_update_message"})


class Place(Protocol):
    async def deliver(self, ticket: Ticket, news: NotifyReporter, job: Job) -> None: ...


def place_of(ticket: Ticket) -> str:
    """Where the ticket's reporter follows it."""
    if ticket.source == "slack_connect":
        return "thread"
    if ticket.source == "email":
        return "email"  # bot/mail/place.py's EmailPlace, a row of the table once e-mail tickets exist
    return "dm"


@dataclass
class ThreadPlace:
    """The customer's thread: the card updated in place, and a short note mentioning the reporter."""

    api: SlackApi
    once: PostOnce
    notifier: Notifier
    connect: Connect
    policy: Policy
    clock: Clock

    async def deliver(self, ticket: Ticket, news: NotifyReporter, job: Job) -> None:
        channel = ticket.customer_channel or next(iter(self.policy.customers[ticket.customer].channels), None)
        if channel is None:
            log.warning(
                "%s: %s has no channel to tell; notice %r dropped", ticket.ref, ticket.customer, news.event
            )
            return
        confirm = await self.connect.confirm_by(ticket)
        card = customer_card(ticket, await self.connect.due(ticket), self.clock.now(), confirm)
        thread, card_ts = ticket.customer_thread_ts, ticket.customer_card_ts
        if card_ts and ticket.customer_channel:
            try:
                await self.api.call("chat.update", channel=channel, ts=card_ts, **card)
            except SlackRefused as exc:
                if exc.error not in CARD_GONE:
                    raise
                log.info("%s: its card in %s is gone (%s); posting it again", ticket.ref, channel, exc.error)
                card_ts = None
        if not card_ts:
            where = {"thread_ts": thread} if thread else {}
            answer = await self.once.post(job, f"card:{ticket.id}", channel, {**card, **where})
            card_ts = str(answer.get("ts") or "")
            thread = thread or card_ts
            await Ticket.filter(id=ticket.id).update(
                customer_channel=channel, customer_card_ts=card_ts, customer_thread_ts=thread
            )
        if news.event == "fix_shipped":  # with its own Still fails: the card may be far up the thread
            shipped = {
                "thread_ts": thread,
                "unfurl_links": False,
                **fix_shipped_note(ticket, news.text, confirm),
            }
            await self.once.post(job, f"news:{job.id}", channel, shipped)
            return
        name = await self.notifier.name_of(news.by) if news.event == "reply" and news.by else None
        note = customer_note(ticket, news.event, news.by, news.text, name)
        if note is not None:
            message = {"thread_ts": thread, "text": note, "unfurl_links": False}
            await self.once.post(job, f"news:{job.id}", channel, message)


@dataclass
class DmPlace:
    """Today's behaviour: a DM to the key user (notices for one person coalesced). A DM Slack refuses
    because the person is of another organisation and shares no channel with the bot goes to the
    customer's channel instead."""

    news: ReporterNews
    thread: ThreadPlace

    async def deliver(self, ticket: Ticket, news: NotifyReporter, job: Job) -> None:
        try:
            await self.news.notify(news, job)
        except SlackRefused as exc:
            if exc.error not in NOT_DMABLE:
                raise
            if not (ticket.customer_channel or self.thread.policy.customers[ticket.customer].channels):
                log.info(
                    "%s: no DM to %s (%s); %r dropped", ticket.ref, ticket.reporter_id, exc.error, news.event
                )
                return
            log.info("%s: no DM to %s (%s); telling them in their channel", ticket.ref, ticket.reporter_id,
                     exc.error)  # fmt: skip
            await self.thread.deliver(ticket, news, job)


@dataclass
class CustomerNews:
    """The NotifyReporter job's handler: the ticket's place, looked up in the table, delivers it."""

    places: dict[str, Place]  # the PLACES table, built in bot/app.py (it holds the transports)

    async def notify(self, news: NotifyReporter, job: Job) -> None:
        ticket = await Ticket.get_or_none(id=news.ticket_id)
        if ticket is None:
            log.error("notice %r for SUP-%s: no such ticket; dropped", news.event, news.ticket_id)
            return
        place = self.places.get(place_of(ticket))
        if place is None:  # a ticket from a door this process cannot answer through: said once, not retried
            log.error(
                "%s: no place %r to tell its reporter (%r); dropped", ticket.ref, place_of(ticket), news.event
            )
            return
        await place.deliver(ticket, news, job)
