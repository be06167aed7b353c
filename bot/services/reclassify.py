"""Reclassifying a ticket: what it is really about. Covered ↔ not covered turns it into a paid request or
back; the key user is told in plain words what that means for billing. Its resolution stays as it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.ids import Block
from bot.jobs.kinds import NotifyReporter
from bot.permissions import Do
from bot.policy import Policy
from bot.policy.scope import Covered, NotCovered
from bot.services.entitlements import Entitlements
from bot.services.errors import InvalidInput, ServiceError
from bot.services.transitions import Change, Transitions
from bot.text import escape
from models import Ticket


@dataclass
class Reclassify:
    policy: Policy
    transitions: Transitions
    entitled: Entitlements = field(init=False)

    def __post_init__(self) -> None:
        self.entitled = Entitlements(self.policy)

    async def reclassify(self, ticket_id: int, user_id: str, category: str, reason: str) -> Ticket:
        """Say what a ticket is really about; covered ↔ not covered turns it into a paid request or back.
        Its resolution, if any, stays as it is."""
        policy = self.policy
        reason = " ".join(reason.split())

        async def decide(ticket: Ticket, now: datetime) -> Change | None:
            if policy.scope is None:
                raise ServiceError("The policy file sets no scope, so tickets have no categories.")
            chosen = policy.scope.category(category)
            if chosen is None:
                raise InvalidInput({Block.CATEGORY: "Choose what the ticket is about."})
            if not reason:
                raise InvalidInput({Block.RECLASSIFY_REASON: "Say why, in words the key user understands."})
            if category == ticket.category:
                return None
            bought = policy.addon_for(ticket.customer, category)
            addon = bought[0] if bought else None
            paid = not policy.scope.is_covered(category) and (bought is None or bought[1].rate is not None)
            before = policy.scope.category(ticket.category)
            was = escape(before.label) if before else "unclassified"
            now_is = "a paid request" if paid else "covered by support"
            if bought is not None:
                now_is += f" under the {escape(bought[1].label)} add-on"
            return Change(
                "reclassified",
                fields={"category": category, "paid_request": paid, "addon": addon},
                detail={"from": ticket.category, "to": category, "paid_request": paid, "reason": reason},
                note=f"<@{user_id}> reclassified the ticket from {was} to {escape(chosen.label)}: {now_is}.",
                quote=reason,
                reporter=NotifyReporter.about(
                    ticket,
                    "reclassified",
                    by=user_id,
                    text=self._reclassified_words(ticket, chosen, paid, reason),
                ),
            )

        return (await self.transitions.run(Do.RECLASSIFY, ticket_id, user_id, decide, must_be_open=False))[0]

    def _reclassified_words(self, ticket: Ticket, chosen: Covered, paid: bool, reason: str) -> str:
        """The key user's news in plain words: what it is about now, and what that means for billing."""
        about = f"support found that it is about “{escape(chosen.label)}”"
        covered_by = self.entitled.addon_words(ticket.customer, chosen.key)
        if covered_by is not None:
            return f"{about}. {covered_by} Reason: {escape(reason)}"
        if not paid:
            return (
                f"{about}, which normal support covers: it is no longer a paid request. "
                f"Reason: {escape(reason)}"
            )
        why = escape(chosen.why) if isinstance(chosen, NotCovered) else ""
        terms = self.entitled.paid_work(ticket.customer).text
        return (
            f"{about}, which normal support does not cover. {why} It is now a paid request. {terms} "
            f"Reason: {escape(reason)}"
        )
