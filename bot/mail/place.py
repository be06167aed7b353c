"""The reporter follows an e-mail ticket in their mailbox: each `NotifyReporter` event (raised, claimed,
waiting with the engineer's question, resumed, resolved with its note, reopened, an engineer's reply, fix
pending, fix shipped, resolved itself, still fails) becomes one mail to the reporter and the first mail's
Cc's, threaded under their original message. The acknowledgement offers the best published answers, the
fix-shipped notice a way to say it still fails, each with a signed link (bot/mail/links.py).

`EmailPlace` is the `email` row of the table of places built in bot/app.py (bot/outbox/customer.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.blocks.dms import local_time
from bot.durations import business_duration
from bot.jobs.kinds import NotifyReporter
from bot.mail import texts
from bot.mail.links import MailLinks
from bot.mail.outbox import Mailer
from bot.policy import Policy
from bot.services import answers
from bot.services.engineering import confirm_deadline
from bot.services.sla import FIRST_RESPONSE, SlaService
from models import Job, Ticket, TicketEvent

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
    links: MailLinks | None = None  # signed This solved it / It still fails links (PUBLIC_URL set)

    async def deliver(self, ticket: Ticket, news: NotifyReporter, job: Job) -> None:
        if news.event == "raised":
            clocks = await self.sla.clocks(ticket)
            due = clocks[FIRST_RESPONSE].due_at if FIRST_RESPONSE in clocks else None
            calendar = self.sla.calendar(ticket)  # the plan calendar's timezone: we know no other for them
            text: str | None = texts.acknowledgement(
                ticket, self.policy.plan_label(ticket.plan), due, calendar.timezone
            ) + await self._answers(ticket)
            auto = "auto-replied"
        elif news.event == "fix_shipped":
            text = await self._fix_shipped(ticket, news.text)
            auto = "auto-generated"
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

    async def _answers(self, ticket: Ticket) -> str:
        """The best published answers for the request, each with its signed This solved it: the ticket is
        raised already (its clock runs), so a mailed request waits for nothing; "" when none matches."""
        plan = self.policy.plans.get(ticket.plan)
        found = await answers.search(
            f"{ticket.title} {ticket.description}", plan.language if plan else "english"
        )
        if not found:
            return ""
        links = [self.links.solved(ticket.id, f.id) if self.links else None for f in found]
        return "\n" + texts.answers_offer(found, links)

    async def _fix_shipped(self, ticket: Ticket, release: str | None) -> str:
        within = self.policy.engineering.confirm_within
        deadline = await confirm_deadline(self.sla, ticket)
        by = local_time(deadline, self.sla.calendar(ticket).timezone) if deadline else None
        shipped = await TicketEvent.filter(ticket_id=ticket.id, kind="fix_shipped").order_by("-id").first()
        link = self.links.still_fails(ticket.id, shipped.id) if self.links and shipped else None
        return texts.fix_shipped(ticket, release, business_duration(within), by, link)
