"""The policy's `engineering:` block: how long a key user has to say a shipped fix still fails."""

from __future__ import annotations

from datetime import timedelta

from bot.policy.base import Duration, Strict

CONFIRM_WITHIN_DEFAULT = timedelta(hours=45)


class EngineeringSettings(Strict):
    # Business time on the ticket's plan calendar, from the fix shipping to the ticket resolving itself.
    confirm_within: Duration = CONFIRM_WITHIN_DEFAULT
