"""Customer satisfaction: ask a resolved ticket's reporter once, take the answer, tell the lead of a low one.

The question is asked inside the resolve transaction (`on_resolved`, an effect of `Transitions.resolve`), so a
resolved ticket and its question are saved together; showing it is a durable `AskCsat` job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.ids import Block
from bot.jobs.kinds import AskCsat, CsatLowScore, TellPerson
from bot.jobs.queue import JobQueue
from bot.permissions import EMAIL_ACTOR
from bot.policy import Policy
from bot.satisfaction import ANSWER_WINDOW, CHANGE_WINDOW, COMMENT_MAX, LOW_SCORE, SCORES
from bot.services.directory import Directory
from bot.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from bot.services.events import record
from bot.text import escape
from models import CsatSurvey, Job, Ticket

log = logging.getLogger(__name__)

EMAIL_SOURCE = "email"
ASK_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Answerer:
    """Who answers: a Slack user (their id, their organisation and the workspace the click came through),
    or, with `user_id` None, whoever holds the signed link of an e-mail ticket's question."""

    user_id: str | None = None
    team_id: str | None = None
    home_team: str | None = None

    @property
    def actor(self) -> str:
        return self.user_id or EMAIL_ACTOR


BY_MAIL = Answerer()


def place_of(ticket: Ticket) -> str:
    """Where the reporter follows the ticket, as bot/outbox/customer.py's table names it."""
    if ticket.source == EMAIL_SOURCE:
        return "email"
    return "thread" if ticket.source == "slack_connect" else "dm"


@dataclass
class Satisfaction:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    directory: Directory
    asks_by_mail: bool = True  # False without the mail side or PUBLIC_URL: e-mail tickets are not asked

    async def on_resolved(self, ticket: Ticket, now: datetime) -> None:
        """Ask once per ticket, unless the plan says no or the person was asked within the cooldown."""
        plan = self.policy.plans.get(ticket.plan)
        if plan is not None and not plan.csat:
            return
        place = place_of(ticket)
        if place == "email" and not self.asks_by_mail:
            return
        person = ticket.reporter_email if place == "email" else ticket.reporter_id
        if not person or await CsatSurvey.exists(ticket_id=ticket.id):
            return
        since = now - self.policy.csat.cooldown
        if await CsatSurvey.exists(person=person, asked_at__gt=since):
            log.info("%s: %s was asked within the cooldown; not asked again", ticket.ref, person)
            return
        await CsatSurvey.create(
            ticket_id=ticket.id, customer=ticket.customer, person=person, place=place, asked_at=now,
            team_id=ticket.reporter_team,  # a Slack Connect reporter answers from their own organisation
        )  # fmt: skip
        await record(ticket.id, now, None, "csat_asked", place=place)
        # A minute on, so the "resolved" news (queued after this, in the same transaction) comes first.
        await self.jobs.enqueue(AskCsat(ticket_id=ticket.id), due_at=now + ASK_AFTER)

    async def of_ticket(self, ticket_id: int) -> CsatSurvey | None:
        return await CsatSurvey.get_or_none(ticket_id=ticket_id)

    async def survey(self, ticket_id: int) -> CsatSurvey:
        survey = await CsatSurvey.get_or_none(ticket_id=ticket_id)
        if survey is None:
            raise NotFound(f"SUP-{ticket_id} has no satisfaction question.")
        return survey

    async def by_id(self, survey_id: int) -> CsatSurvey:
        survey = await CsatSurvey.get_or_none(id=survey_id)
        if survey is None:
            raise NotFound("That question does not exist.")
        return survey

    async def answer(self, ticket_id: int, who: Answerer, score: int) -> CsatSurvey:
        """Record (or change) the score; a low one tells the lead level, once per ticket."""
        if score not in SCORES:
            raise ServiceError("Choose a score from 1 to 5.")
        survey = await self.survey(ticket_id)
        now = self._open_for(survey, who)
        async with self.jobs.transaction():
            first = survey.answered_at is None
            survey.score = score
            survey.answered_at = survey.answered_at or now
            survey.changed_at = None if first else now
            low = score <= LOW_SCORE and survey.lead_told_at is None
            if low:
                survey.lead_told_at = now
            await survey.save()
            kind = "csat_answered" if first else "csat_changed"
            await record(ticket_id, now, who.actor, kind, score=score)
            if low:
                await self.jobs.enqueue(CsatLowScore(ticket_id=ticket_id))
        return survey

    async def comment(self, ticket_id: int, who: Answerer, text: str) -> CsatSurvey:
        """The optional comment, after a score; a comment on a low score reaches the lead too."""
        comment = text.strip()
        if len(comment) > COMMENT_MAX:
            raise InvalidInput({Block.CSAT_COMMENT: f"Keep it under {COMMENT_MAX} characters."})
        survey = await self.survey(ticket_id)
        now = self._open_for(survey, who)
        if survey.score is None:
            raise ServiceError("Choose a score first.")
        if not comment or comment == survey.comment:
            return survey
        async with self.jobs.transaction():
            survey.comment = comment
            survey.changed_at = now
            await survey.save()
            await record(ticket_id, now, who.actor, "csat_comment", score=survey.score, comment=comment)
            if survey.score <= LOW_SCORE:
                await self.jobs.enqueue(CsatLowScore(ticket_id=ticket_id, comment_only=True))
        return survey

    def _open_for(self, survey: CsatSurvey, who: Answerer) -> datetime:
        """Only the reporter answers, where they were asked, while the question is open; returns now."""
        if who.user_id is None:
            allowed = survey.place == "email"
        else:
            team = survey.team_id or who.home_team  # a workspace key user is of the workspace's own team
            allowed = survey.place != "email" and who.user_id == survey.person and bool(team)
            allowed = allowed and who.team_id == team
        if not allowed:
            raise NotAllowed(f"Only the person who raised SUP-{survey.ticket_id} can answer this question.")
        now = self.clock.now()
        if survey.answered_at is None and now - survey.asked_at > ANSWER_WINDOW:
            raise NotAllowed(f"This question closed {ANSWER_WINDOW.days} days after it was asked.")
        if survey.answered_at is not None and now - survey.answered_at > CHANGE_WINDOW:
            raise NotAllowed(f"An answer can be changed for {CHANGE_WINDOW.days} days; this one no longer.")
        return now

    async def tell_lead(self, job: CsatLowScore, _: Job) -> None:
        """Job handler: the lead level of the ticket's customer hears of a low score, a DM each."""
        survey = await CsatSurvey.get_or_none(ticket_id=job.ticket_id)
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        if survey is None or ticket is None or survey.score is None:
            return
        owner = f"<@{ticket.owner_id}>" if ticket.owner_id else "nobody"
        if job.comment_only:
            text = f"The reporter of {ticket.ref} ({ticket.customer}, owner {owner}) added a comment:"
        else:
            text = (
                f"{ticket.ref} ({ticket.customer}, owner {owner}) was rated *{survey.score} of 5* "
                f"({SCORES[survey.score]}) by its reporter."
            )
        if survey.comment:
            text += "\n>" + escape(survey.comment).replace("\n", "\n>")
        level = next(iter(self.policy.escalation.levels))
        people = await self.directory.recipients(level, self.clock.now(), ticket.customer)
        async with self.jobs.transaction():
            for person in people:
                await self.jobs.enqueue(TellPerson(ticket_id=ticket.id, to=person, text=text))
