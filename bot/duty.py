"""Who is on an escalation level at an instant, pure: fixed people or an on-call rotation's holder.

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


def on_duty(policy: Policy, level: str, at: datetime) -> OnDuty:
    spec = policy.escalation.levels[level]
    if isinstance(spec, Rotation):
        shift = current_shift(spec.rotation, spec.handoff, spec.timezone, at)
        return OnDuty(level, [shift.person], shift.until)
    return OnDuty(level, list(spec), None)
