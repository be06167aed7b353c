"""The policy's `csat:` block: how often one person may be asked "How did we do?"."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.policy.base import Duration, Strict

DEFAULT_COOLDOWN = timedelta(days=3)


class CsatSettings(Strict):
    # At most one question per person in this long (wall-clock time: it is about not pestering people).
    cooldown: Duration = Field(default=DEFAULT_COOLDOWN)
