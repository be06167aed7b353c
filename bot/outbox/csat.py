"""Shows the satisfaction question where the reporter follows the ticket: a DM, or a mail of signed links."""

from __future__ import annotations

from dataclasses import dataclass

from bot.blocks.csat import question_message
from bot.jobs.kinds import AskCsat
from bot.jobs.outcomes import Permanent
from bot.mail.outbox import Mailer
from bot.satisfaction import SCORES, LinkSigner, mail_question
from bot.slack.once import PostOnce
from models import CsatSurvey, Job, Ticket


@dataclass(frozen=True)
class CsatLinks:
    """The answer links of a mailed question: `<public url>/csat/<token>?score=N`."""

    public_url: str
    signer: LinkSigner

    def answer(self, survey_id: int, score: int | None = None) -> str:
        link = f"{self.public_url.rstrip('/')}/csat/{self.signer.token(survey_id)}"
        return link if score is None else f"{link}?score={score}"


@dataclass
class CsatOutbox:
    once: PostOnce
    mailer: Mailer | None = None
    links: CsatLinks | None = None

    async def ask(self, job: AskCsat, row: Job) -> None:
        survey = await CsatSurvey.get_or_none(ticket_id=job.ticket_id)
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if survey is None or ticket is None:
            return
        if survey.place != "email":
            # A Block Kit message that reads the same in a DM or a shared channel's thread.
            question = {"unfurl_links": False, **question_message(ticket)}
            where = survey.person
            if survey.place == "thread" and ticket.customer_channel and ticket.customer_thread_ts:
                where = ticket.customer_channel  # the customer's own thread: they follow the ticket there
                question["thread_ts"] = ticket.customer_thread_ts
            await self.once.post(row, f"csat:{row.id}", where, question)
            return
        if self.mailer is None or self.links is None:
            raise Permanent(
                "csat_no_mail", "an e-mail ticket's question needs the email: block and PUBLIC_URL"
            )
        thread = await self.mailer.thread(ticket)
        links = {score: self.links.answer(survey.id, score) for score in SCORES}
        await self.mailer.queue(
            kind="csat",
            to=[survey.person],  # only the reporter: the link answers for them
            subject=thread.subject,
            text=mail_question(ticket.ref, ticket.title, links),
            ticket=ticket,
            in_reply_to=thread.in_reply_to,
            references=thread.references,
            auto_submitted="auto-generated",
            message_id=self.mailer.new_id(f"{row.id}.csat"),  # a retried job sends nothing twice
        )
