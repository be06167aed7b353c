"""Plans (what a customer's support includes: hours, targets per priority, channels, queue rank, key users)
and customers."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from bot.policy.base import ChannelId, Duration, Person, Priority, SlackId, Strict, TeamId
from bot.policy.email import CustomerEmail
from bot.policy.escalation import Ladder

Channel = Literal["slack", "email", "web", "phone"]
# How a message in a customer's own channel becomes a ticket: a mention of the bot, the intake reaction,
# or every top-level message of a key user (auto).
IntakeWay = Literal["mention", "reaction", "auto"]
DEFAULT_RANK = 100  # plans without a rank queue after those with one


def _slack_only() -> list[Channel]:
    return ["slack"]


def _mention_and_reaction() -> list[IntakeWay]:
    return ["mention", "reaction"]


class Plan(Strict):
    calendar: str
    # The priorities the plan offers are those it sets a first-response target for.
    first_response: dict[Priority, Duration] = Field(min_length=1)
    resolution: dict[Priority, Duration] = Field(default_factory=dict)
    # Optional: after each customer message, the vendor answers within; a customer-visible update at least
    # this often while open (both business time on the plan calendar).
    next_response: dict[Priority, Duration] = Field(default_factory=dict)
    update_every: dict[Priority, Duration] = Field(default_factory=dict)
    ladder: Ladder | None = None
    label: str | None = Field(default=None, min_length=1, max_length=40)  # how people see it: "Premium plus"
    includes: list[Channel] = Field(default_factory=_slack_only)
    rank: int = Field(default=DEFAULT_RANK, ge=0)  # queue order: lower first
    max_key_users: int | None = Field(default=None, ge=1)
    csat: bool = True  # ask the reporter "How did we do?" when a ticket is resolved
    # The language its published answers are written and searched in (full-text stemming).
    language: str = Field(default="english", pattern=r"^[a-z]{2,32}$")

    @field_validator("first_response")
    @classmethod
    def _offered(cls, value: dict[Priority, timedelta]) -> dict[Priority, timedelta]:
        return dict(sorted(value.items()))  # P1 … P4, whatever the file's order

    @field_validator("resolution", "next_response", "update_every")
    @classmethod
    def _targets_for_offered_priorities(
        cls, value: dict[Priority, timedelta], info: ValidationInfo
    ) -> dict[Priority, timedelta]:
        offered = info.data.get("first_response") or {}
        extra = [p.value for p in value if p not in offered]
        if offered and extra:
            raise ValueError(
                f"{info.field_name} names {', '.join(extra)}, which the plan does not offer "
                "(first_response sets no target for it)"
            )
        return value

    @property
    def priorities(self) -> list[Priority]:
        return list(self.first_response)

    def offers(self, priority: Priority | str) -> bool:
        return priority in self.first_response

    @property
    def phone(self) -> bool:
        return "phone" in self.includes

    def label_for(self, key: str) -> str:
        return self.label or key.replace("-", " ").replace("_", " ").capitalize()


class Customer(Strict):
    name: str = Field(min_length=1, max_length=80)
    plan: str
    key_users: list[SlackId] = Field(min_length=1)
    domains: list[str] = Field(default_factory=list)
    contract: str | None = None  # a key of `contracts`; none means included (recorded, never charged)
    account_manager: SlackId | None = None  # told with the key users when a bank of hours runs low
    addons: list[str] = Field(default_factory=list)  # keys of `addons`: premium services bought
    email: CustomerEmail | None = None  # the addresses that may raise tickets by mail
    # The customer's own contacts for escalation levels: `{manager: [U0ACMECSM]}` pages them instead of the
    # level's people for this customer's tickets (by Slack id or e-mail, like the levels).
    escalation: dict[str, list[Person]] = Field(default_factory=dict)

    @field_validator("escalation")
    @classmethod
    def _someone_per_level(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        empty = [level for level, people in value.items() if not people]
        if empty:
            raise ValueError(f"{', '.join(empty)}: name at least one person, or leave the level out")
        return value

    # Slack Connect: the customer's own channels with the vendor, their organisations' ids (T… or E…),
    # and how a message there becomes a ticket.
    channels: list[ChannelId] = Field(default_factory=list)
    teams: list[TeamId] = Field(default_factory=list)
    intake: list[IntakeWay] = Field(default_factory=_mention_and_reaction)

    @field_validator("channels", "teams", "intake")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))
