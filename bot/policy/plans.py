"""Plans (a calendar and targets per priority, optionally their own ladder) and customers."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field, field_validator

from bot.policy.base import Duration, Person, Priority, Strict
from bot.policy.escalation import Ladder


class Plan(Strict):
    calendar: str
    first_response: dict[Priority, Duration]
    resolution: dict[Priority, Duration] = Field(default_factory=dict)
    ladder: Ladder | None = None

    @field_validator("first_response")
    @classmethod
    def _every_priority(cls, value: dict[Priority, timedelta]) -> dict[Priority, timedelta]:
        missing = [p.value for p in Priority if p not in value]
        if missing:
            raise ValueError(f"first_response needs a target for {', '.join(missing)}")
        return value


class Customer(Strict):
    name: str = Field(min_length=1, max_length=80)
    plan: str
    key_users: list[Person] = Field(min_length=1)
    domains: list[str] = Field(default_factory=list)
    contract: str | None = None  # a key of `contracts`; none means included (recorded, never charged)
    account_manager: Person | None = None  # told with the key users when a bank of hours runs low
