"""Who is on an escalation level right now: fixed people or an on-call rotation, e-mails made Slack ids."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.duty import OnDuty, on_duty
from bot.policy import EMAIL, Policy
from bot.services.errors import LookupFailed

log = logging.getLogger(__name__)

__all__ = ["Directory", "EmailLookup", "OnDuty"]

EmailLookup = Callable[[str], Awaitable[str | None]]


class Directory:
    def __init__(self, policy: Policy, lookup_email: EmailLookup) -> None:
        self.policy = policy
        self.lookup_email = lookup_email
        self._ids: dict[str, str] = {}  # e-mail → Slack id, once found

    def levels(self) -> list[str]:
        """Levels in the order the policy lists them: the order of escalation."""
        return list(self.policy.escalation.levels)

    def on_duty(self, level: str, at: datetime, customer: str | None = None) -> OnDuty:
        """Who is on `level` at `at`; for a customer's ticket, the customer's own contacts if it names any."""
        return on_duty(self.policy, level, at, customer)

    async def slack_id(self, person: str) -> str | None:
        if not EMAIL.match(person):
            return person
        if person not in self._ids:
            try:
                found = await self.lookup_email(person)
            except LookupFailed as exc:  # not "nobody": asked again at the next page
                level = logging.DEBUG if exc.known else logging.WARNING
                log.log(level, "could not look up %s in Slack (%s)", person, exc)
                return None
            if found is None:
                log.warning("no Slack user has the e-mail %s", person)
                return None
            self._ids[person] = found
        return self._ids[person]

    async def recipients(self, level: str, at: datetime, customer: str | None = None) -> list[str]:
        """Slack ids to page for a level at an instant (for `customer`'s ticket), in policy order, without
        repeats."""
        ids: list[str] = []
        for person in self.on_duty(level, at, customer).people:
            user = await self.slack_id(person)
            if user and user not in ids:
                ids.append(user)
        return ids

    def is_escalation(self, user_id: str) -> bool:
        """On any escalation level: listed by id, by an e-mail already resolved, or in a rotation."""
        return user_id in self.policy.escalation_people or user_id in self._ids.values()

    async def resolve_all(self) -> None:
        """Look up every e-mail in the policy once at start, so permissions know those people by id."""
        for person in sorted(self.policy.escalation_people):
            if EMAIL.match(person):
                await self.slack_id(person)
