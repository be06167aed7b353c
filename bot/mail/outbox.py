"""Queueing mail: each message is built whole, its Message-ID stored with its ticket (so replies find the
ticket), and handed to the job queue as a `SendMail` (bot/mail/smtp.py sends it)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid

from bot.clock import Clock
from bot.jobs.kinds import SendMail
from bot.jobs.queue import JobQueue
from bot.mail.config import MailConfig
from models import InboundMail, OutboundMail, Ticket

REFERENCES_KEPT = 10  # the thread's root and the latest messages are enough for every mail client
_PREFIXES = re.compile(r"^\s*((re|aw|sv|fwd?|wg|tr)\s*:\s*|\[SUP-\d+\]\s*)+", re.I)


def bare_subject(subject: str) -> str:
    """Their subject without "Re:", "Fwd:" and our tag, so ours reads `[SUP-42] <their subject>`."""
    return _PREFIXES.sub("", subject).strip()


@dataclass(frozen=True)
class Thread:
    subject: str
    to: list[str]
    cc: list[str]
    in_reply_to: str | None
    references: list[str]


@dataclass
class Mailer:
    config: MailConfig
    clock: Clock
    jobs: JobQueue

    @property
    def domain(self) -> str:
        return self.config.address.rpartition("@")[2]

    def new_id(self, key: str | None = None) -> str:
        """A Message-ID (without angle brackets); from `key` when a retried job must not send twice."""
        if key is not None:
            return f"secondline.{key}@{self.domain}"
        return make_msgid(idstring="secondline", domain=self.domain).strip("<>")

    async def queue(
        self,
        *,
        kind: str,
        to: Sequence[str],
        subject: str,
        text: str,
        ticket: Ticket | None = None,
        cc: Sequence[str] = (),
        in_reply_to: str | None = None,
        references: Sequence[str] = (),
        auto_submitted: str = "auto-replied",
        message_id: str | None = None,
        from_name: str | None = None,
    ) -> str | None:
        """Store and queue one message; None when this Message-ID was queued already (a retried job)."""
        own = self.config.address
        recipients = [a for a in dict.fromkeys(to) if a and a != own]
        copies = [a for a in dict.fromkeys(cc) if a and a != own and a not in recipients]
        if not recipients:
            return None  # never to our own address
        message_id = message_id or self.new_id()
        async with self.jobs.transaction():
            if await OutboundMail.exists(message_id=message_id):
                return None
            await OutboundMail.create(
                message_id=message_id,
                ticket_id=ticket.id if ticket else None,
                to=[*recipients, *copies],
                subject=subject[:300],
                kind=kind,
                body=text,
                created_at=self.clock.now(),
            )
            await self.jobs.enqueue(
                SendMail(
                    ticket_id=ticket.id if ticket else None,
                    message_id=message_id,
                    to=recipients,
                    cc=copies,
                    subject=subject,
                    text=text,
                    in_reply_to=in_reply_to,
                    references=list(references),
                    auto_submitted=auto_submitted,
                    from_name=from_name,
                )
            )
        return message_id

    async def thread(self, ticket: Ticket) -> Thread:
        """Who follows an e-mail ticket (its reporter and the first mail's Cc's) and its threading headers."""
        received = await InboundMail.filter(ticket_id=ticket.id).order_by("received_at", "id")
        sent = await OutboundMail.filter(ticket_id=ticket.id).order_by("created_at", "id")
        first = received[0] if received else None
        subject = bare_subject(first.subject if first else "") or ticket.title
        chain = sorted(
            [(m.received_at, m.id, m.message_id) for m in received]
            + [(m.created_at, m.id, m.message_id) for m in sent]
        )
        ids = [message_id for _, _, message_id in chain]
        references = ids[:1] + ids[1:][-(REFERENCES_KEPT - 1) :] if ids else []
        return Thread(
            subject=f"[{ticket.ref}] {subject}",
            to=[ticket.reporter_email] if ticket.reporter_email else [],
            cc=list(first.cc) if first else [],
            in_reply_to=received[-1].message_id if received else None,
            references=references,
        )
