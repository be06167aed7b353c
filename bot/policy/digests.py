"""Scheduled digests in the policy file: when to send the SLA report, for which period, to whom.

digests:
  - {cron: "0 8 * * MON", timezone: America/Chicago, period: week, to: [C0SUPPORT, U0MGR]}
"""

from __future__ import annotations

import hashlib
import json
from typing import Literal

from croniter import croniter
from pydantic import Field, field_validator

from bot.policy.base import SLACK_CHANNEL_ID, SLACK_USER_ID, Strict
from bot.policy.calendars import check_timezone


class DigestSpec(Strict):
    cron: str  # five fields, read on the wall clock of `timezone`
    timezone: str = "UTC"
    period: Literal["week", "month"]
    to: list[str] = Field(min_length=1)  # channel ids (C…, G…) or user ids (U…, W…)

    @property
    def key(self) -> str:
        """Stable while the entry is unchanged, whatever its place in the list: names its scheduled runs."""
        text = json.dumps([self.cron, self.timezone, self.period, sorted(self.to)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5 or not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a five-field cron expression like '0 8 * * MON'")
        if any(field.upper().startswith("R") for field in fields):
            raise ValueError(f"{value!r}: random (R) cron fields would move the digest on every restart")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("to")
    @classmethod
    def _ids(cls, value: list[str]) -> list[str]:
        for target in value:
            if not (SLACK_CHANNEL_ID.match(target) or SLACK_USER_ID.match(target)):
                raise ValueError(
                    f"{target!r} is neither a channel id (C…, G…) nor a user id (U…); copy it from Slack"
                )
        return value
