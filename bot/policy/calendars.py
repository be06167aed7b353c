"""Calendars in the policy file: opening hours per weekday, an IANA timezone and holidays, or 24x7."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import Field, field_validator, model_validator

from bot.calendars import BusinessCalendar, Interval, parse_hours
from bot.durations import AROUND_THE_CLOCK, HOURS_ONLY, BusinessDay
from bot.policy.base import Strict

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{value!r} is not an IANA timezone such as America/Chicago") from exc
    return value


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


class HolidaySpec(Strict):
    country: str | None = None
    subdiv: str | None = None
    dates: list[date] = Field(default_factory=list)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None and value.upper() not in holidays.list_supported_countries():
            raise ValueError(
                f"the holidays package does not know the country {value!r}; use an ISO code such as US or DE"
            )
        return value

    @model_validator(mode="after")
    def _known_subdivision(self) -> HolidaySpec:
        if self.country:
            try:
                holidays.country_holidays(self.country, subdiv=self.subdiv)
            except NotImplementedError as exc:
                raise ValueError(
                    f"the holidays package does not know the subdivision {self.subdiv!r} of {self.country}"
                ) from exc
        elif self.subdiv:
            raise ValueError("subdiv needs a country")
        return self


class CalendarSpec(Strict):
    timezone: str
    hours: Literal["24x7"] | dict[str, str]
    holidays: HolidaySpec = Field(default_factory=HolidaySpec)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return check_timezone(value)

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

    @cached_property
    def business_day(self) -> BusinessDay:
        """How business time on this calendar is written: in its business days when every open day is
        as long (9 h on Mon–Fri 08:00–17:00), in hours when they differ, in plain time around the clock."""
        if self.hours == "24x7":
            return AROUND_THE_CLOCK
        lengths = {_open_length(day) for day in _weekly(self.hours).values() if day}
        return BusinessDay(lengths.pop()) if len(lengths) == 1 else HOURS_ONLY

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


def _open_length(intervals: tuple[Interval, ...]) -> timedelta:
    def seconds(moment: time | None) -> int:
        return 86400 if moment is None else moment.hour * 3600 + moment.minute * 60 + moment.second

    return timedelta(seconds=sum(seconds(end) - seconds(start) for start, end in intervals))


def _closed_dates(spec: HolidaySpec) -> Callable[[date], bool] | None:
    extra = frozenset(spec.dates)
    if not spec.country and not extra:
        return None  # lets a 24x7 calendar take the plain-addition fast path
    if not spec.country:
        return extra.__contains__
    public = holidays.country_holidays(spec.country, subdiv=spec.subdiv)  # expands years lazily
    return lambda day: day in extra or day in public
