"""Durations as written in the policy file: `45s`, `30m`, `2h`, `1h30m`, `2d`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

_PATTERN = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


def parse_duration(text: str) -> timedelta:
    """Parse `1h30m`-style text; units must come in d, h, m, s order and the total must be positive."""
    cleaned = str(text).strip().replace(" ", "")
    match = _PATTERN.match(cleaned)
    if not cleaned or match is None or not any(match.groupdict().values()):
        raise ValueError(f"{text!r} is not a duration; write it like 45s, 30m, 2h, 1h30m or 2d")
    parts = {unit: int(value or 0) for unit, value in match.groupdict().items()}
    value = timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    if value <= timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return value


def format_duration(value: timedelta) -> str:
    """Short human form, largest units first: `1h 30m`, `2d 4h`, `45s`; negative values get a minus sign."""
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    if seconds and not days and not hours:
        parts.append(f"{seconds}s")
    return sign + (" ".join(parts[:2]) if parts else "0m")


def format_hours(value: timedelta) -> str:
    """Worked time in hours and minutes, never days (a working day is not 24 h): `27h`, `1h 30m`, `45m`."""
    hours, minutes = divmod(max(0, int(value.total_seconds())) // 60, 60)
    parts = [f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m")) if n]
    return " ".join(parts) or "0m"


@dataclass(frozen=True)
class BusinessDay:
    """How a calendar's business time is written: its business day, if every open day is as long, or
    plain time for a calendar open around the clock (where a business hour is any hour)."""

    length: timedelta | None = None  # None: open days differ in length, so business time is in hours
    around_the_clock: bool = False


HOURS_ONLY = BusinessDay()
AROUND_THE_CLOCK = BusinessDay(timedelta(days=1), around_the_clock=True)


def business_duration(value: timedelta, day: BusinessDay = HOURS_ONLY) -> str:
    """Business time as people read it, never as 24-hour days: "27 business hours", "3 business days".

    A whole number of the calendar's business days (9 h on Mon–Fri 08:00–17:00) is written in days;
    anything else in hours and minutes ("2 business hours 30 min", "20 business minutes"), so a reader
    never has to know how long the calendar's day is. Around the clock every hour counts, so the words
    are plain ("30 minutes", "1 day 4 h"). Seconds show only under a minute; the sign is the caller's.
    """
    total = abs(int(value.total_seconds()))
    if day.around_the_clock:
        return _plain(total)
    length = int(day.length.total_seconds()) if day.length else 0
    if length and total >= length and total % length == 0:
        return _count(total // length, "business day")
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return _count(hours, "business hour") + (f" {minutes} min" if minutes else "")
    if minutes:
        return _count(minutes, "business minute")
    return _count(seconds, "business second")


def _plain(total: int) -> str:
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return _count(days, "day") + (f" {hours} h" if hours else "")
    if hours:
        return _count(hours, "hour") + (f" {minutes} min" if minutes else "")
    if minutes:
        return _count(minutes, "minute")
    return _count(seconds, "second")


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"
