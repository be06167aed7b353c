"""What a reporter's signed mail link does (bot/mail/links.py): **This solved it** resolves their e-mail
ticket as answered by that published answer (a deflected request), **It still fails** reopens a ticket
whose shipped fix they were asked about. Both act as `customer by e-mail` (`EMAIL_ACTOR`), through the
same transitions as Slack's buttons; a link whose moment has passed (used already, the ticket moved on, a
later fix shipped) changes nothing and says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.mail.links import Act, LinkAction
from bot.permissions import EMAIL_ACTOR
from bot.services.engineering import LOOP_EVENTS, Engineering
from bot.services.errors import NotFound, ServiceError
from bot.services.transitions import Transitions
from models import Answer, Ticket, TicketEvent, TicketStatus


@dataclass(frozen=True)
class Offer:
    """What the confirmation page shows before anything changes."""

    ticket: Ticket
    question: str  # what the button confirms
    detail: str  # the answer's title, or the fix


@dataclass
class MailActions:
    transitions: Transitions
    engineering: Engineering | None = None

    async def offer(self, action: LinkAction) -> Offer:
        """What the link would do now; ServiceError (with the reason) when it would change nothing."""
        ticket = await Ticket.get_or_none(id=action.ticket_id)
        if ticket is None:
            raise NotFound("This link is not valid any more.")
        if action.act == Act.SOLVED:
            answer = await Answer.get_or_none(id=action.subject, withdrawn=False)
            if answer is None:
                raise ServiceError("That answer is no longer published. Nothing was changed.")
            if ticket.status not in (TicketStatus.OPEN, TicketStatus.WAITING):
                raise ServiceError(f"{ticket.ref} is no longer open, so nothing was changed.")
            return Offer(ticket, f"Yes, this solved it: close {ticket.ref}", answer.title)
        await self._still_waiting(ticket, action.subject)
        return Offer(ticket, f"It still fails: reopen {ticket.ref}", "the fix that shipped for it")

    async def act(self, action: LinkAction) -> Ticket:
        """Do it (the confirmation page's button); ServiceError when the moment has passed."""
        offer = await self.offer(action)
        if action.act == Act.SOLVED:
            person = offer.ticket.reporter_email or EMAIL_ACTOR
            return await self.transitions.solved_by_answer(
                offer.ticket.id, EMAIL_ACTOR, action.subject, person
            )
        if self.engineering is None:
            raise ServiceError("This link cannot be answered here. Please reply to the mail instead.")
        return await self.engineering.still_fails(offer.ticket.id, EMAIL_ACTOR)

    async def _still_waiting(self, ticket: Ticket, shipped_event: int) -> None:
        """The fix this link was mailed for is the one still waiting for their word."""
        last = await TicketEvent.filter(ticket_id=ticket.id, kind__in=LOOP_EVENTS).order_by("-id").first()
        if ticket.status != TicketStatus.FIX_SHIPPED or last is None or last.id != shipped_event:
            raise ServiceError(
                f"{ticket.ref} is not waiting for your word on this fix any more, so nothing was changed. "
                "If the problem is back, reply to our last mail about it."
            )
