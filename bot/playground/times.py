"""Where the clock buttons move time to, and the timezones the page shows the simulated time in."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.durations import parse_duration
from bot.policy import Policy
from bot.policy.escalation import Rotation

MORNING_OF_24X7 = time(9, 0)  # a calendar open around the clock has no opening: its "morning" is 09:00
MAX_STEP = timedelta(days=31)
LOOKAHEAD_DAYS = 31  # a calendar closed longer than this has no next morning worth jumping to


class ClockError(ValueError):
    """A clock move the page asked for that cannot be made; the message says why."""


def business_calendar(policy: Policy) -> tuple[str, ZoneInfo, bool]:
    """The calendar "business morning" means: the first one with opening hours, else the first one.

    Returns its name, its timezone and whether it is open around the clock.
    """
    calendars = list(policy.calendars.items())
    name, spec = next(((n, c) for n, c in calendars if c.hours != "24x7"), calendars[0])
    return name, ZoneInfo(spec.timezone), spec.hours == "24x7"


def next_business_morning(policy: Policy, now: datetime) -> datetime:
    """The next first opening of a business day after `now`, on the policy's business calendar (holidays
    and weekends skipped); 09:00 the next day when every calendar is open around the clock."""
    name, zone, always = business_calendar(policy)
    local = now.astimezone(zone)
    if always:
        return datetime.combine(local.date() + timedelta(days=1), MORNING_OF_24X7, zone)
    calendar = policy.calendars[name]
    for days in range(LOOKAHEAD_DAYS + 1):
        day = local.date() + timedelta(days=days)
        start = datetime.combine(day, time(0), zone)
        opening = calendar.next_opening(start)
        if opening > now and opening.astimezone(zone).date() == day:
            return opening
    raise ClockError(f"calendar {name} does not open in the next {LOOKAHEAD_DAYS} days")


def step(policy: Policy, now: datetime, what: str) -> datetime:
    """Where a clock button moves time to: `morning` (the next business morning) or a duration (`15m`)."""
    if what == "morning":
        return next_business_morning(policy, now)
    try:
        delta = parse_duration(what)
    except ValueError as exc:
        raise ClockError(f"{what!r} is neither 'morning' nor a duration like 15m or 1h") from exc
    if not timedelta(0) < delta <= MAX_STEP:
        raise ClockError(f"move the clock forward by 1s to {MAX_STEP.days}d at a time, not {what}")
    return now + delta


def policy_zones(policy: Policy) -> list[str]:
    """Every timezone the policy names (calendars, then rotations), in order, each once."""
    zones = [spec.timezone for spec in policy.calendars.values()]
    zones += [level.timezone for level in policy.escalation.levels.values() if isinstance(level, Rotation)]
    return list(dict.fromkeys(zones))
