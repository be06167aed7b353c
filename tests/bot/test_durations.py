from datetime import timedelta

import pytest

from bot.durations import (
    AROUND_THE_CLOCK,
    HOURS_ONLY,
    BusinessDay,
    business_duration,
    format_duration,
    format_hours,
    parse_duration,
)
from bot.policy import CalendarSpec, Policy


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45s", timedelta(seconds=45)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        (" 1d 2h ", timedelta(days=1, hours=2)),
    ],
)
def test_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0m", "2 hours", "30m1h", "h", "-1h", "1.5h"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0m"),
        (timedelta(seconds=45), "45s"),
        (timedelta(hours=1, minutes=30), "1h 30m"),
        (timedelta(days=2, hours=4, minutes=5), "2d 4h"),
        (timedelta(minutes=-20), "-20m"),
    ],
)
def test_format(value: timedelta, expected: str) -> None:
    assert format_duration(value) == expected


NINE_HOUR_DAYS = BusinessDay(timedelta(hours=9))  # Mon–Fri 08:00–17:00


@pytest.mark.parametrize(
    ("value", "day", "expected"),
    [
        (timedelta(hours=27), NINE_HOUR_DAYS, "3 business days"),  # was "1d 3h"
        (timedelta(hours=9), NINE_HOUR_DAYS, "1 business day"),
        (timedelta(hours=31), NINE_HOUR_DAYS, "31 business hours"),  # not a whole day: in hours
        (timedelta(hours=2, minutes=30), NINE_HOUR_DAYS, "2 business hours 30 min"),
        (timedelta(hours=1), NINE_HOUR_DAYS, "1 business hour"),
        (timedelta(minutes=20), NINE_HOUR_DAYS, "20 business minutes"),
        (timedelta(seconds=45), NINE_HOUR_DAYS, "45 business seconds"),
        (timedelta(minutes=-20), NINE_HOUR_DAYS, "20 business minutes"),  # the caller says "over"/"ago"
        (timedelta(hours=27), HOURS_ONLY, "27 business hours"),  # open days of different lengths
        (timedelta(hours=18), HOURS_ONLY, "18 business hours"),
        (timedelta(minutes=30), AROUND_THE_CLOCK, "30 minutes"),  # 24x7: every hour counts, plain words
        (timedelta(hours=28), AROUND_THE_CLOCK, "1 day 4 h"),
        (timedelta(days=3), AROUND_THE_CLOCK, "3 days"),
    ],
)
def test_business_durations_are_never_24_hour_days(value: timedelta, day: BusinessDay, expected: str) -> None:
    assert business_duration(value, day) == expected


def test_a_calendar_knows_its_business_day(policy: Policy) -> None:
    assert policy.calendars["business-hours"].business_day == NINE_HOUR_DAYS
    assert policy.calendars["always"].business_day == AROUND_THE_CLOCK
    uneven = CalendarSpec(timezone="UTC", hours={"mon-thu": "08:00-17:00", "fri": "08:00-12:00"})
    assert uneven.business_day == HOURS_ONLY
    split = CalendarSpec(timezone="UTC", hours={"mon-fri": "08:00-12:00,13:00-18:00"})
    assert split.business_day == NINE_HOUR_DAYS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(hours=27), "27h"),  # worked time: never "1d 3h"
        (timedelta(hours=1, minutes=30), "1h 30m"),
        (timedelta(minutes=45), "45m"),
        (timedelta(0), "0m"),
    ],
)
def test_worked_time_is_in_hours(value: timedelta, expected: str) -> None:
    assert format_hours(value) == expected
