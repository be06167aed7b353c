"""Who is on an escalation level at an instant, pure: fixed people or an on-call rotation's holder, or,
for a customer that names its own contacts for the level (`customers.KEY.escalation`), those contacts.

Read by the directory (which pages them, turning e-mails into Slack ids) and by the dry run, so a
rehearsal names the people the bot would page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.oncall import current_shift
from bot.policy import Policy, Rotation


@dataclass(frozen=True)
class OnDuty:
    level: str
    people: list[str]  # Slack ids, or e-mails as written in the policy
    until: datetime | None  # for a rotation: the next handoff


def on_duty(policy: Policy, level: str, at: datetime, customer: str | None = None) -> OnDuty:
    """The people of `level` at `at`; for `customer`'s tickets, its own contacts if it names some."""
    own = policy.customers[customer].escalation.get(level) if customer in policy.customers else None
    if own:
        return OnDuty(level, list(own), None)
    spec = policy.escalation.levels[level]
    if isinstance(spec, Rotation):
        shift = current_shift(spec.rotation, spec.handoff, spec.timezone, at)
        return OnDuty(level, [shift.person], shift.until)
    return OnDuty(level, list(spec), None)
