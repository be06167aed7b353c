"""The policy file: calendars, plans, escalation ladder, people and customers, validated with pydantic.

Errors name the key path and the line in the YAML file, so support operations can fix a bad edit quickly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml
from croniter import croniter
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from bot.calendars import BusinessCalendar, Interval, parse_hours
from bot.durations import parse_duration
from bot.permissions import DEFAULT_PERMISSIONS, Do, Role


class ConfigError(Exception):
    """A policy file that cannot be used; the message names the key and line."""


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def label(self) -> str:
        return PRIORITY_LABELS[self][0]

    @property
    def meaning(self) -> str:
        return PRIORITY_LABELS[self][1]


PRIORITY_LABELS: dict[Priority, tuple[str, str]] = {
    Priority.P1: ("P1 Emergency", "Production down or launch blocked"),
    Priority.P2: ("P2 Critical", "Production impaired or development schedule blocked"),
    Priority.P3: ("P3 Normal", "A problem with a workaround, or a question"),
    Priority.P4: ("P4 Enhancement request", "A wish for new or changed behaviour"),
}

TARGET_NAMES = ("first_response", "resolution")
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Duration = Annotated[
    timedelta, BeforeValidator(lambda v: v if isinstance(v, timedelta) else parse_duration(v))
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_person(value: str) -> str:
    value = str(value).strip()
    if not (SLACK_USER_ID.match(value) or EMAIL.match(value)):
        raise ValueError(f"{value!r} is neither a Slack user id (U…) nor an e-mail address")
    return value


Person = Annotated[str, BeforeValidator(_check_person)]

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse_days(spec: str) -> list[int]:
    days: list[int] = []
    for part in spec.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in _DAYS or (last and last not in _DAYS):
            raise ValueError(f"{spec!r}: days are written mon, tue, … sun, as mon-fri or sat,sun")
        start, end = _DAYS.index(first), _DAYS.index(last or first)
        if end < start:
            raise ValueError(f"{spec!r}: a day range runs forward, like mon-fri")
        days.extend(range(start, end + 1))
    return days


class HolidaySpec(_Strict):
    country: str | None = None
    subdiv: str | None = None
    dates: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known_country(self) -> HolidaySpec:
        if self.country:
            try:
                holidays.country_holidays(self.country, subdiv=self.subdiv)
            except NotImplementedError as exc:
                raise ValueError(
                    f"the holidays package does not know {self.country!r}/{self.subdiv!r}"
                ) from exc
        elif self.subdiv:
            raise ValueError("subdiv needs a country")
        return self


class CalendarSpec(_Strict):
    timezone: str
    hours: Literal["24x7"] | dict[str, str]
    holidays: HolidaySpec = Field(default_factory=HolidaySpec)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA timezone such as America/Chicago") from exc
        return value

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, value: Literal["24x7"] | dict[str, str]) -> Literal["24x7"] | dict[str, str]:
        if isinstance(value, dict):
            BusinessCalendar("UTC", _weekly(value))  # raises on bad, overlapping or no opening hours
        return value

    @cached_property
    def business(self) -> BusinessCalendar:
        weekly = None if self.hours == "24x7" else _weekly(self.hours)
        closed = _closed_dates(self.holidays)
        if closed is None:
            return BusinessCalendar(self.timezone, weekly)
        return BusinessCalendar(self.timezone, weekly, closed)

    # The arithmetic is delegated so `policy.calendars[name].add(...)` reads naturally in audits.
    def add(self, start: datetime, duration: timedelta) -> datetime:
        return self.business.add(start, duration)

    def between(self, start: datetime, end: datetime) -> timedelta:
        return self.business.between(start, end)

    def next_opening(self, at: datetime) -> datetime:
        return self.business.next_opening(at)

    def is_open(self, at: datetime) -> bool:
        return self.business.is_open(at)

    def describe(self) -> str:
        return self.business.describe()


def _weekly(hours: Mapping[str, str]) -> dict[int, tuple[Interval, ...]]:
    weekly: dict[int, tuple[Interval, ...]] = {day: () for day in range(7)}
    for days, spec in hours.items():
        text = str(spec).strip()
        intervals = () if text.lower() == "closed" else parse_hours(text)
        for day in _parse_days(days):
            if weekly[day]:
                raise ValueError(f"{_DAYS[day]} is given hours twice")
            weekly[day] = intervals
    return weekly


def _closed_dates(spec: HolidaySpec) -> Callable[[date], bool] | None:
    extra = frozenset(spec.dates)
    if not spec.country and not extra:
        return None  # lets a 24x7 calendar take the plain-addition fast path
    if not spec.country:
        return extra.__contains__
    public = holidays.country_holidays(spec.country, subdiv=spec.subdiv)  # expands years lazily
    return lambda day: day in extra or day in public


class Targets(_Strict):
    first_response: dict[Priority, Duration]
    resolution: dict[Priority, Duration] = Field(default_factory=dict)


class LadderStep(_Strict):
    page: str
    after: str
    unless: Literal["claimed", "acknowledged", "resolved"] = "resolved"

    @field_validator("after", mode="before")
    @classmethod
    def _offset(cls, value: Any) -> str:
        text = str(value).strip()
        if text not in TARGET_NAMES:
            parse_duration(text)
        return text

    def offset(self, targets: Mapping[str, timedelta]) -> timedelta | None:
        """The business-time offset from when the ticket was raised; None if the named target is not set."""
        if self.after in TARGET_NAMES:
            return targets.get(self.after)
        return parse_duration(self.after)


Ladder = dict[Literal["P1", "P2", "P3", "P4", "default"], list[LadderStep]]


class Plan(_Strict):
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


class Rotation(_Strict):
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
        return CalendarSpec._known_zone(value)


Level = Annotated[list[Person], Field(min_length=1)] | Rotation


class Escalation(_Strict):
    levels: dict[str, Level]
    ladder: Ladder

    @model_validator(mode="after")
    def _steps_name_levels(self) -> Escalation:
        _check_ladder(self.ladder, self.levels, "escalation.ladder")
        if "default" not in self.ladder:
            raise ValueError("escalation.ladder needs a default list of steps")
        return self


def _check_ladder(ladder: Ladder, levels: Mapping[str, Any], where: str) -> None:
    for priority, steps in ladder.items():
        for index, step in enumerate(steps):
            if step.page not in levels:
                known = ", ".join(levels) or "none"
                raise ValueError(
                    f"{where}.{priority}[{index}].page: unknown level {step.page!r} (levels: {known})"
                )


class Customer(_Strict):
    name: str = Field(min_length=1, max_length=80)
    plan: str
    key_users: list[Person] = Field(min_length=1)
    domains: list[str] = Field(default_factory=list)


class Policy(_Strict):
    support_channel: str
    permissions: dict[Do, list[Role]] = Field(default_factory=dict)
    calendars: dict[str, CalendarSpec] = Field(min_length=1)
    plans: dict[str, Plan] = Field(min_length=1)
    escalation: Escalation
    engineers: list[Person] = Field(min_length=1)
    customers: dict[str, Customer] = Field(min_length=1)

    @field_validator("support_channel")
    @classmethod
    def _channel_id(cls, value: str) -> str:
        if not SLACK_CHANNEL_ID.match(value):
            raise ValueError(f"{value!r} is not a channel id (C…); copy it from the channel's details")
        return value

    @model_validator(mode="after")
    def _references(self) -> Policy:
        for name, plan in self.plans.items():
            if plan.calendar not in self.calendars:
                raise ValueError(f"plans.{name}.calendar: unknown calendar {plan.calendar!r}")
            if plan.ladder is not None:
                _check_ladder(plan.ladder, self.escalation.levels, f"plans.{name}.ladder")
        for key, customer in self.customers.items():
            if customer.plan not in self.plans:
                raise ValueError(f"customers.{key}.plan: unknown plan {customer.plan!r}")
        return self

    def calendar_for(self, plan: str) -> CalendarSpec:
        return self.calendars[self.plans[plan].calendar]

    def customers_of(self, user_id: str) -> list[str]:
        """Customer keys for which this user is a key user, in policy order."""
        return [key for key, customer in self.customers.items() if user_id in customer.key_users]

    def customer_by_domain(self, email: str) -> str | None:
        domain = email.rpartition("@")[2].lower()
        for key, customer in self.customers.items():
            if domain and domain in (d.lower() for d in customer.domains):
                return key
        return None

    def is_engineer(self, user_id: str) -> bool:
        return user_id in self.engineers

    @cached_property
    def permission_table(self) -> dict[Do, tuple[Role, ...]]:
        return {**DEFAULT_PERMISSIONS, **{action: tuple(roles) for action, roles in self.permissions.items()}}

    @cached_property
    def escalation_people(self) -> frozenset[str]:
        """Everyone on any escalation level (rotations included), as written in the file."""
        people: set[str] = set()
        for level in self.escalation.levels.values():
            people.update(level.rotation if isinstance(level, Rotation) else level)
        return frozenset(people)

    def ladder_for(self, plan: str, priority: Priority) -> list[LadderStep]:
        ladder = self.plans[plan].ladder or self.escalation.ladder
        return list(ladder.get(priority.value, ladder.get("default", self.escalation.ladder["default"])))


def load_config(path: str | Path) -> Policy:
    """Read and validate a policy file; raises ConfigError naming the key and line of the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the policy file ({exc.strerror})") from exc
    return parse_config(text, str(path))


def parse_config(text: str, source: str = "<policy>") -> Policy:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise ConfigError(f"{source}: {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the policy file must be a mapping of keys such as support_channel, plans"
        )
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = error["msg"].removeprefix("Value error, ")
        loc = [str(part) for part in error["loc"]]
        # Cross-reference checks name their own key path: "plans.gold.calendar: unknown calendar …".
        named = _NAMED_PATH.match(message)
        if named:
            loc = [part for part in re.split(r"[.\[\]]+", named["path"]) if part]
            message = named["rest"]
        path, line = _locate(node, loc)
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ConfigError(
            f"{source}: line {line}: {'.'.join(path) or '(top level)'}: {message}{more}"
        ) from exc


_NAMED_PATH = re.compile(r"^(?P<path>[a-z_][\w-]*(?:\.[\w-]+|\[\d+\])+): (?P<rest>.+)$", re.S)


def _locate(node: yaml.Node | None, loc: list[str]) -> tuple[list[str], int]:
    """Follow an error location through the YAML tree: the key path as written and the line it ends on.

    Parts that are not keys in the file (pydantic's names for union branches) are skipped; a missing
    key is reported at its parent's line.
    """
    if node is None:
        return loc, 1
    path: list[str] = []
    line = node.start_mark.line + 1
    for index, part in enumerate(loc):
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if str(key.value) == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is not None:
            path.append(part)
            node = child
            line = node.start_mark.line + 1
        elif index == len(loc) - 1 and isinstance(node, yaml.MappingNode):
            path.append(part)
    return path, line
