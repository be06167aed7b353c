"""What the bot shows in customers' own (Slack Connect) channels besides the ticket's notices: the card that
offers a ticket, the how-to; and what the customer's thread says, copied into the ticket's internal thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot import blocks
from bot.blocks.customer_view import how_to, intake_card, intake_closed
from bot.jobs.kinds import CloseIntakeCard, CopyCustomerMessage, PostHowTo, PostIntakeCard
from bot.jobs.outcomes import Deferred
from bot.notifier import Notifier
from bot.policy import Policy
from bot.services.connect import Connect
from bot.slack.api import SlackApi
from bot.slack.errors import SlackBusy, SlackRefused
from bot.slack.once import PostOnce
from models import Job, Ticket

log = logging.getLogger(__name__)

NOT_POSTED_RETRY = 5.0  # seconds: a copy waits this long for its ticket's internal post
MAX_FILES = 10


@dataclass
class ConnectOutbox:
    api: SlackApi
    once: PostOnce
    notifier: Notifier
    policy: Policy
    connect: Connect

    async def post_card(self, card: PostIntakeCard, job: Job) -> None:
        message = {**intake_card(card.message_ts, card.user), "thread_ts": card.message_ts}
        await self.once.post(job, f"card:{card.channel}:{card.message_ts}", card.channel, message)

    async def close_card(self, closed: CloseIntakeCard, job: Job) -> None:
        shown = intake_closed(closed.user, self.policy.intake_reaction)
        await self.api.call("chat.update", channel=closed.channel, ts=closed.card_ts, **shown)

    async def how_to(self, wanted: PostHowTo, job: Job) -> None:
        customer = await self.connect.knows(wanted.channel)
        if customer is None:
            return
        spec = self.policy.customers[customer]
        shown = how_to(spec.name, self.policy.intake_reaction, spec.intake)
        if wanted.user:  # a greeting only the newcomer sees
            await self.api.call("chat.postEphemeral", channel=wanted.channel, user=wanted.user, **shown)
            return
        where = {"thread_ts": wanted.thread_ts} if wanted.thread_ts else {}
        await self.once.post(job, f"howto:{job.id}", wanted.channel, {**shown, **where})

    async def copy(self, copied: CopyCustomerMessage, job: Job) -> None:
        """Into the ticket's internal thread: who wrote (name and organisation), their words, their files."""
        ticket = await Ticket.get_or_none(id=copied.ticket_id)
        if ticket is None:
            return
        if ticket.channel_id is None or ticket.message_ts is None:
            raise Deferred(f"{ticket.ref} is not posted yet; the customer's message waits", NOT_POSTED_RETRY)
        name = blocks.escape(await self.notifier.name_of(copied.user) or copied.user)
        if copied.from_staff:
            head = f":outbox_tray: <@{copied.user}> wrote in the customer's thread (sent to the customer):"
        else:
            org = blocks.escape(self._organisation(ticket.customer, copied.team))
            head = f":speech_balloon: *{name}* ({org}) wrote in their channel:"
        lines = [head]
        if copied.text.strip():
            lines.append(">" + blocks.escape(copied.text.strip()).replace("\n", "\n>"))
        for file_id in copied.files[:MAX_FILES]:
            lines.append(await self._file_line(file_id))
        message = {"thread_ts": ticket.message_ts, "text": "\n".join(lines), "unfurl_links": False}
        await self.once.post(job, f"copy:{job.id}", ticket.channel_id, message)

    def _organisation(self, customer: str, team: str) -> str:
        spec = self.policy.customers.get(customer)
        if spec is None:
            return team or "customer"
        return spec.name if not team or team in spec.teams else f"{spec.name}, organisation {team}"

    async def _file_line(self, file_id: str) -> str:
        """A customer's file arrives as a stub: files.info (files:read) gives its name and link."""
        try:
            answer = await self.api.call("files.info", file=file_id)
        except SlackRefused as exc:
            log.warning("files.info %s: %s", file_id, exc.error)
            return f":paperclip: a file Slack would not show us ({exc.error})"
        except SlackBusy:
            raise
        file = answer.get("file") or {}
        name = blocks.escape(str(file.get("name") or file.get("title") or "file"))
        link = file.get("permalink")
        return f":paperclip: <{link}|{name}>" if link else f":paperclip: {name}"
