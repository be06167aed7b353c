"""The reporter follows an e-mail ticket in their mailbox: each `NotifyReporter` event (raised, claimed,
waiting with the engineer's question, resumed, resolved with its note, reopened, an engineer's reply) becomes
one mail to the reporter and the first mail's Cc's, threaded under their original message.

`EmailPlace` is the `email` row of the table of places built in bot/app.py (bot/outbox/customer.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.jobs.kinds import NotifyReporter
from bot.mail import texts
from bot.mail.outbox import Mailer
from bot.policy import Policy
from bot.services.sla import FIRST_RESPONSE, SlaService
from models import Job, Ticket

EMAIL_SOURCE = "email"


NameOf = Callable[[str], Awaitable[str | None]]


async def _nobody(_: str) -> str | None:
    return None


@dataclass
class EmailPlace:
    policy: Policy
    sla: SlaService
    mailer: Mailer
    name_of: NameOf = _nobody  # an engineer's name, for the From of their reply to the customer

    async def deliver(self, ticket: Ticket, news: NotifyReporter, job: Job) -> None:
        if news.event == "raised":
            clocks = await self.sla.clocks(ticket)
            due = clocks[FIRST_RESPONSE].due_at if FIRST_RESPONSE in clocks else None
            calendar = self.sla.calendar(ticket)  # the plan calendar's timezone: we know no other for them
            text: str | None = texts.acknowledgement(
                ticket, self.policy.plan_label(ticket.plan), due, calendar.timezone
            )
            auto = "auto-replied"
        else:
            text = texts.status(ticket, news.event, news.text)
            auto = "auto-generated"
        if text is None:
            return
        thread = await self.mailer.thread(ticket)
        from_name = None
        if news.event == "reply" and news.by:
            name = await self.name_of(news.by)
            from_name = f"{name} ({self.mailer.config.settings.display_name})" if name else None
        await self.mailer.queue(
            kind=news.event,
            to=thread.to,
            cc=thread.cc,
            subject=thread.subject,
            text=text,
            ticket=ticket,
            in_reply_to=thread.in_reply_to,
            references=thread.references,
            auto_submitted=auto,
            message_id=self.mailer.new_id(f"{job.id}.{news.event}"),  # a retried job sends nothing twice
            from_name=from_name,
        )
