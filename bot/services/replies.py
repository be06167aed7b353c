"""The customer writes back: a reply in a ticket's thread, or a DM to the bot, resumes a ticket waiting on
them (and the DM's words and files are added to it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.permissions import Role
from bot.services.errors import ServiceError
from bot.services.roles import Roles
from bot.services.transitions import Transitions
from models import Ticket, TicketStatus


@dataclass
class CustomerReplies:
    roles: Roles
    transitions: Transitions

    async def reply_in_thread(self, channel: str, thread_ts: str, user_id: str) -> Ticket | None:
        """Someone wrote in a ticket's thread: if it is the customer, their message wants an answer (a
        next-response clock), and a ticket that waits on them resumes."""
        ticket = await Ticket.get_or_none(channel_id=channel, message_ts=thread_ts)
        if ticket is None or Role.KEY_USER not in self.roles.of(user_id, ticket):
            return ticket
        await self.transitions.customer_wrote(ticket, user_id, "thread")
        if ticket.status != TicketStatus.WAITING:
            return ticket
        return await self.transitions.resume(ticket.id, user_id, reason="replied in the thread")

    async def reply_from_dm(
        self, user_id: str, text: str, files: Sequence[tuple[str, str]] = ()
    ) -> Ticket | None:
        """A key user wrote to the bot: the text goes to the one ticket of theirs that waits on them."""
        waiting = await Ticket.filter(reporter_id=user_id, status=TicketStatus.WAITING).order_by(
            "-updated_at"
        )
        if not waiting:
            return None
        if len(waiting) > 1:
            refs = ", ".join(t.ref for t in waiting)
            raise ServiceError(
                f"Several of your tickets wait on you ({refs}). Use the *Add details* button on "
                "the one you mean, so your answer reaches the right engineer."
            )
        return await self.transitions.add_details(waiting[0].id, user_id, text, files)
