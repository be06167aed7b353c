"""`storm:` in the policy: how many alike tickets, arriving within how long, make a storm."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.policy.base import Duration, Strict


class StormSpec(Strict):
    tickets: int = Field(default=4, ge=2)
    within: Duration = timedelta(minutes=10)
