"""A received message, from storing it to what it does.

`store` keeps the bytes and queues a `ReadMail` job in one transaction, before anything acts on it (a
crash after that only reads it again; the unique Message-ID makes a second delivery harmless). `read`
(the job) routes it: a key user's new request becomes a ticket, a reply goes to its ticket, anyone else
gets one courteous answer a day, and robots get nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from tortoise.exceptions import IntegrityError

from bot.clock import Clock
from bot.jobs.kinds import MailFiles, ReadMail, ThreadNote
from bot.jobs.queue import JobQueue
from bot.mail import texts
from bot.mail.config import MailConfig
from bot.mail.loops import automatic
from bot.mail.outbox import Mailer
from bot.mail.parse import MalformedMail, ParsedMail, parse
from bot.mail.place import EMAIL_SOURCE
from bot.mail.thanks import only_thanks
from bot.permissions import EMAIL_ACTOR
from bot.policy import Policy
from bot.services.engineering import Engineering
from bot.services.errors import ServiceError
from bot.services.events import record
from bot.services.intake import Intake
from bot.services.resolutions import REOPEN_WINDOW
from bot.services.transitions import Transitions
from bot.text import escape
from models import InboundMail, Job, MailCourtesy, OutboundMail, Ticket, TicketStatus

log = logging.getLogger(__name__)

MAX_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENTS = 20
COURTESY_EVERY = timedelta(days=1)
_TAG = re.compile(r"\[SUP-(\d{1,9})\]", re.I)


class Duplicate(Exception):
    """This message (its Message-ID, or its mailbox UID) is stored already."""

    def __init__(self, message_id: str) -> None:
        super().__init__(message_id)
        self.message_id = message_id


@dataclass
class MailIntake:
    policy: Policy
    config: MailConfig
    clock: Clock
    jobs: JobQueue
    intake: Intake
    transitions: Transitions
    mailer: Mailer
    engineering: Engineering | None = None  # a reply to a shipped fix says it still fails (bot/app.py)

    # --- storing ---

    async def store(
        self,
        raw: bytes,
        via: str,
        *,
        mailbox: str | None = None,
        uidvalidity: int | None = None,
        uid: int | None = None,
    ) -> InboundMail:
        """Keep a message and queue its reading. Raises MalformedMail (not a message) or Duplicate."""
        parsed = parse(raw)
        try:
            async with self.jobs.transaction():
                mail = await InboundMail.create(
                    message_id=parsed.message_id,
                    via=via,
                    mailbox=mailbox,
                    uidvalidity=uidvalidity,
                    uid=uid,
                    content=raw,
                    sender=parsed.sender[:254],
                    subject=parsed.subject[:300],
                    cc=parsed.cc,
                    received_at=self.clock.now(),
                )
                await self.jobs.enqueue(ReadMail(mail=mail.id))
        except IntegrityError as exc:
            raise Duplicate(parsed.message_id) from exc
        log.info("mail %s from %s stored (%s)", parsed.message_id, parsed.sender, via)
        return mail

    # --- reading (the ReadMail job) ---

    async def read(self, job: ReadMail, attempt: Job) -> None:
        mail = await InboundMail.get_or_none(id=job.mail)
        if mail is None or mail.state != "new":
            return
        try:
            parsed = parse(bytes(mail.content))
        except MalformedMail as exc:
            await self._done(mail, f"ignored: {exc}")
            return
        outcome, _ = await self._route(mail, parsed)
        log.info("mail %s from %s: %s", parsed.message_id, parsed.sender, outcome)

    async def _route(self, mail: InboundMail, parsed: ParsedMail) -> tuple[str, Ticket | None]:
        sender = parsed.sender
        if sender == self.config.address:
            return await self._done(mail, "ignored: from our own address"), None
        robot = automatic(parsed.message, sender)
        if robot is not None:
            return await self._done(mail, f"ignored: {robot}"), None
        customer = self.policy.customer_of_address(sender)
        colleague_of = customer or self.policy.customer_by_domain(sender)
        if parsed.size > MAX_BYTES or len(parsed.attachments) > MAX_ATTACHMENTS:
            text = texts.too_big(MAX_BYTES // (1024 * 1024), MAX_ATTACHMENTS)
            return await self._courtesy(mail, parsed, "too_big", text), None
        ticket = await self._ticket_of(parsed, colleague_of)
        if ticket is not None and ticket.customer not in self.policy.customers:
            ticket = None  # a customer no longer in the policy: as if the ticket were unknown
        if ticket is not None and self._mail_included(ticket.customer):
            return await self._reply(mail, parsed, ticket)
        if customer is None and ticket is None:
            if colleague_of is not None:
                spec = self.policy.customers[colleague_of]
                key_users = spec.email.key_users if spec.email else []
                text = texts.not_a_key_user(spec.name, list(key_users))
                return await self._courtesy(mail, parsed, "not_key_user", text), None
            return await self._courtesy(mail, parsed, "unknown", texts.unknown_sender()), None
        customer = customer or (ticket.customer if ticket is not None else None)
        assert customer is not None
        if not self._mail_included(customer):
            spec = self.policy.customers[customer]
            plan = self.policy.plans[spec.plan]
            text = texts.plan_without_email(spec.name, self.policy.plan_label(spec.plan), list(plan.includes))
            return await self._courtesy(mail, parsed, "plan_without_email", text), None
        return await self._new_ticket(mail, parsed, customer)

    def _mail_included(self, customer: str) -> bool:
        spec = self.policy.customers.get(customer)
        return spec is not None and "email" in self.policy.plans[spec.plan].includes

    async def _ticket_of(self, parsed: ParsedMail, customer: str | None) -> Ticket | None:
        """The ticket a reply belongs to: by the Message-IDs it answers, then by `support+SUP-42@`, then
        by `[SUP-42]` in the subject; the last two only for tickets of the sender's own customer."""
        ids = parsed.thread_ids()
        if ids:
            sent = await OutboundMail.filter(message_id__in=ids, ticket_id__not_isnull=True).first()
            if sent is not None:
                return await Ticket.get_or_none(id=sent.ticket_id)
            received = await InboundMail.filter(message_id__in=ids, ticket_id__not_isnull=True).first()
            if received is not None:
                return await Ticket.get_or_none(id=received.ticket_id)
        if customer is None:
            return None
        local, _, domain = self.config.address.partition("@")
        plus = re.compile(rf"^{re.escape(local)}\+sup-(\d{{1,9}})@{re.escape(domain)}$", re.I)
        refs = [m[1] for m in map(plus.match, parsed.to) if m] + _TAG.findall(parsed.subject)
        for ref in refs:
            ticket = await Ticket.get_or_none(id=int(ref), customer=customer)
            if ticket is not None:
                return ticket
        return None

    def _may_write_to(self, sender: str, ticket: Ticket) -> bool:
        """A reply counts from the reporter, the ticket's Cc's, or anyone of the ticket's customer."""
        return (
            sender == ticket.reporter_email
            or self.policy.customer_of_address(sender) == ticket.customer
            or self.policy.customer_by_domain(sender) == ticket.customer
        )

    async def _reply(
        self, mail: InboundMail, parsed: ParsedMail, ticket: Ticket
    ) -> tuple[str, Ticket | None]:
        if not self._may_write_to(parsed.sender, ticket):
            return await self._courtesy(mail, parsed, "unknown", texts.unknown_sender()), None
        now = self.clock.now()
        if ticket.status == TicketStatus.RESOLVED:
            late = ticket.resolved_at is not None and now - ticket.resolved_at > REOPEN_WINDOW
            customer = self.policy.customer_of_address(parsed.sender)
            if late and customer == ticket.customer:
                return await self._new_ticket(mail, parsed, ticket.customer, follows=ticket)
            if late:
                return await self._done(mail, f"ignored: reply to {ticket.ref}, resolved long ago"), None
        async with self.jobs.transaction():
            if not await self._claim(mail, f"reply to {ticket.ref}", ticket):
                return "already read", ticket
            await record(ticket.id, now, EMAIL_ACTOR, "mail_reply", sender=parsed.sender, mail=mail.id)
            files = f" ({len(parsed.attachments)} attachment(s) follow)" if parsed.attachments else ""
            await self.jobs.enqueue(
                ThreadNote(
                    ticket_id=ticket.id,
                    text=f":envelope: {escape(parsed.sender)} wrote by e-mail{files}:",
                    quote=parsed.text or "(no text)",
                )
            )
            if parsed.attachments:
                await self.jobs.enqueue(MailFiles(ticket_id=ticket.id, mail=mail.id))
        if ticket.status == TicketStatus.FIX_SHIPPED:  # their word on the shipped fix
            return await self._on_shipped_fix(ticket, parsed)
        try:
            if ticket.status != TicketStatus.RESOLVED:  # their message wants an answer: next response
                await self.transitions.customer_wrote(ticket, EMAIL_ACTOR, "email")
            if ticket.status == TicketStatus.RESOLVED:
                await self.transitions.reopen(ticket.id, EMAIL_ACTOR)
            elif ticket.status == TicketStatus.WAITING:
                await self.transitions.resume(ticket.id, EMAIL_ACTOR, reason="replied by e-mail")
        except ServiceError as exc:  # moved on meanwhile (an engineer resumed it): the note is what matters
            log.info("mail reply to %s: %s", ticket.ref, exc)
        return f"reply to {ticket.ref}", ticket

    async def _on_shipped_fix(self, ticket: Ticket, parsed: ParsedMail) -> tuple[str, Ticket | None]:
        """A reply while a shipped fix waits for their word: one that only says thank you is noted (the
        window runs on, and the ticket resolves itself); anything else (words of their own, a file) says it
        still fails, and reopens it with its history."""
        names = f"{parsed.sender_name} {self.policy.customers[ticket.customer].name}"
        if not parsed.attachments and only_thanks(parsed.text, names):
            return f"reply to {ticket.ref}: thanks, noted", ticket
        if self.engineering is None:
            return f"reply to {ticket.ref}", ticket
        try:
            await self.engineering.still_fails(ticket.id, EMAIL_ACTOR)
        except ServiceError as exc:  # moved on meanwhile (resolved itself a moment ago): the note stays
            log.info("mail reply to %s: %s", ticket.ref, exc)
            return f"reply to {ticket.ref}", ticket
        return f"reply to {ticket.ref}: still fails, reopened", ticket

    async def _new_ticket(
        self, mail: InboundMail, parsed: ParsedMail, customer: str, follows: Ticket | None = None
    ) -> tuple[str, Ticket | None]:
        text = parsed.text
        if follows is not None:
            text = f"{texts.new_after_window(follows)}\n\n{text}"
        refusal = await self.intake.deposit_refusal(customer)
        if refusal is not None:  # a prepaid deposit below its minimum: no ticket, and whom to ask
            return await self._courtesy(mail, parsed, "deposit", f"{refusal} Nothing was raised."), None
        draft = self.intake.email_draft(customer, parsed.subject, text)
        async with self.jobs.transaction():
            if await InboundMail.filter(id=mail.id, state="new").update(state="done") == 0:
                return "already read", None
            ticket = await self.intake.save(draft, source=EMAIL_SOURCE, reporter_email=parsed.sender)
            await InboundMail.filter(id=mail.id).update(outcome=f"ticket {ticket.ref}", ticket_id=ticket.id)
            if parsed.attachments:
                await self.jobs.enqueue(MailFiles(ticket_id=ticket.id, mail=mail.id))
        return f"new ticket {ticket.ref}", ticket

    async def _courtesy(self, mail: InboundMail, parsed: ParsedMail, kind: str, text: str) -> str:
        """An answer that raises no ticket: at most one a day per address."""
        now = self.clock.now()
        async with self.jobs.transaction():
            if not await self._claim(mail, f"answered: {kind}"):
                return "already read"
            answered = await MailCourtesy.filter(
                address=parsed.sender, answered_at__lte=now - COURTESY_EVERY
            ).update(answered_at=now)
            if not answered:
                try:
                    async with self.jobs.transaction():  # a savepoint: PostgreSQL goes on after a clash
                        await MailCourtesy.create(address=parsed.sender, answered_at=now)
                except IntegrityError:  # answered within the day: say nothing
                    await InboundMail.filter(id=mail.id).update(outcome=f"not answered ({kind}): once a day")
                    return f"{kind}, not answered (once a day)"
            await self.mailer.queue(
                kind=kind,
                to=[parsed.sender],
                subject=f"Re: {parsed.subject}" if parsed.subject else "Your message to support",
                text=text,
                in_reply_to=parsed.message_id,
                references=[*parsed.references[-8:], parsed.message_id],
            )
        return f"answered: {kind}"

    async def _claim(self, mail: InboundMail, outcome: str, ticket: Ticket | None = None) -> bool:
        """Mark the message read (inside the caller's transaction); False if another run did already."""
        return bool(
            await InboundMail.filter(id=mail.id, state="new").update(
                state="done", outcome=outcome[:200], ticket_id=ticket.id if ticket else None
            )
        )

    async def _done(self, mail: InboundMail, outcome: str) -> str:
        await self._claim(mail, outcome)
        return outcome
