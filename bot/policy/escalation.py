"""The escalation part of the policy: levels (people or on-call rotations) and the ladder of steps."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import (
    Discriminator,
    Field,
    SerializerFunctionWrapHandler,
    Tag,
    field_validator,
    model_serializer,
    model_validator,
)

from bot.durations import parse_duration
from bot.policy.base import RECURRING_TARGETS, TARGET_NAMES, Person, Strict
from bot.policy.calendars import check_timezone


class Repeat(Strict):
    """Page the step's level again, `times` times, `every` (business time on the plan's calendar) after
    the step and after each repeat, while nobody on that level has acknowledged and the step's `unless`
    has not happened."""

    every: str
    times: int = Field(ge=1, le=10)

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: Any) -> str:
        text = str(value).strip()
        parse_duration(text)
        return text

    @property
    def interval(self) -> timedelta:
        return parse_duration(self.every)


class LadderStep(Strict):
    page: str
    after: str
    unless: Literal["claimed", "acknowledged", "resolved"] = "resolved"
    repeat: Repeat | None = None
    # Business time after a page of this step is acknowledged: if the ticket has not moved on by then (not
    # claimed, nothing the customer was told), the level is paged again.
    ack_timeout: str | None = None

    @field_validator("ack_timeout", mode="before")
    @classmethod
    def _ack_timeout(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value).strip()
        parse_duration(text)
        return text

    @model_serializer(mode="wrap")
    def _without_unset_options(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A step without a repeat or an ack timeout is stored as before they existed (tickets keep a copy
        of their ladder)."""
        data: dict[str, Any] = handler(self)
        for option in ("repeat", "ack_timeout"):
            if data.get(option) is None:
                data.pop(option, None)
        return data

    @field_validator("after", mode="before")
    @classmethod
    def _offset(cls, value: Any) -> str:
        text = str(value).strip()
        if text not in TARGET_NAMES and text not in RECURRING_TARGETS:
            parse_duration(text)
        return text

    @property
    def on_miss(self) -> bool:
        """Fires each time a recurring target (next_response, update_every) is missed, not at an offset."""
        return self.after in RECURRING_TARGETS

    def offset(self, targets: Mapping[str, timedelta]) -> timedelta | None:
        """The business-time offset from when the ticket was raised; None if the named target is not set,
        or for a step that fires when a recurring target is missed (`on_miss`)."""
        if self.on_miss:
            return None
        if self.after in TARGET_NAMES:
            return targets.get(self.after)
        return parse_duration(self.after)

    def offsets(self, targets: Mapping[str, timedelta]) -> list[timedelta]:
        """The step's offset, then each repeat's (none if the named target is not set)."""
        first = self.offset(targets)
        if first is None:
            return []
        if self.repeat is None:
            return [first]
        return [first + n * self.repeat.interval for n in range(self.repeat.times + 1)]


Ladder = dict[Literal["P1", "P2", "P3", "P4", "default"], list[LadderStep]]


class Rotation(Strict):
    rotation: list[Person] = Field(min_length=1)
    handoff: str
    timezone: str = "UTC"

    @field_validator("handoff")
    @classmethod
    def _cron(cls, value: str) -> str:
        if not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression like '0 9 * * MON'")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)


def _level_shape(value: Any) -> str:
    return "as-rotation" if isinstance(value, dict) else "as-people"  # not key names: error paths skip them


# A level is a list of people or a rotation; the discriminator validates it as the one it is written as,
# so a mistake inside a rotation reads like any other instead of listing both shapes' complaints.
Level = Annotated[
    Annotated[list[Person], Field(min_length=1), Tag("as-people")] | Annotated[Rotation, Tag("as-rotation")],
    Discriminator(_level_shape),
]


class Escalation(Strict):
    levels: dict[str, Level]
    ladder: Ladder

    @model_validator(mode="after")
    def _steps_name_levels(self) -> Escalation:
        check_ladder(self.ladder, self.levels, "escalation.ladder")
        if "default" not in self.ladder:
            raise ValueError("escalation.ladder needs a default list of steps")
        return self


def check_ladder(ladder: Ladder, levels: Mapping[str, Any], where: str) -> None:
    for priority, steps in ladder.items():
        for index, step in enumerate(steps):
            if step.page not in levels:
                known = ", ".join(levels) or "none"
                raise ValueError(
                    f"{where}.{priority}[{index}].page: unknown level {step.page!r} (levels: {known})"
                )
