from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.calendars import MAX_CLOSED_DAYS, BusinessCalendar, Interval, parse_hours

CT = ZoneInfo("America/Chicago")
US_HOLIDAYS = holidays.country_holidays("US")  # expands lazily to whatever years are asked about
EXTRA_CLOSED = {date(2026, 12, 24)}


def us_closed(d: date) -> bool:
    return d in US_HOLIDAYS or d in EXTRA_CLOSED


def ct(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=CT)


def hours(spec: str) -> tuple[Interval, ...]:
    return parse_hours(spec)


WEEKDAYS_9_TO_5 = {d: hours("08:00-17:00") for d in range(5)}
LUNCH_AND_SATURDAY = {**{d: hours("08:00-12:00,13:00-17:00") for d in range(5)}, 5: hours("09:00-13:00")}
# Sunday hours straddle both Chicago DST transitions (02:00); 02:30 falls in the spring-forward gap.
NIGHT_OWL = {
    **{d: hours("08:00-17:00") for d in range(5)},
    5: hours("22:00-24:00"),
    6: hours("00:30-02:30,03:30-24:00"),
}


@pytest.fixture
def business() -> BusinessCalendar:
    return BusinessCalendar("America/Chicago", WEEKDAYS_9_TO_5, us_closed)


@pytest.fixture
def lunch() -> BusinessCalendar:
    return BusinessCalendar("America/Chicago", LUNCH_AND_SATURDAY, us_closed)


def local(value: datetime) -> datetime:
    assert value.tzinfo is UTC
    return value.astimezone(CT)


# -- worked examples -----------------------------------------------------------------------------


def test_one_hour_at_1630_lands_0830_next_business_day(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2026, 6, 2, 16, 30), timedelta(hours=1))) == ct(2026, 6, 3, 8, 30)


def test_p2_raised_friday_afternoon_lands_monday(business: BusinessCalendar) -> None:
    # 1h Friday 16:00-17:00, 3h Monday 08:00-11:00.
    assert local(business.add(ct(2026, 11, 20, 16), timedelta(hours=4))) == ct(2026, 11, 23, 11)


def test_weekend_is_skipped(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2026, 6, 5, 16), timedelta(hours=2))) == ct(2026, 6, 8, 9)
    assert business.between(ct(2026, 6, 5, 12), ct(2026, 6, 8, 12)) == timedelta(hours=9)
    assert business.between(ct(2026, 6, 6, 0), ct(2026, 6, 8, 0)) == timedelta(0)
    assert not business.is_open(ct(2026, 6, 6, 12))


def test_start_inside_hours(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2026, 6, 2, 9, 15), timedelta(hours=3))) == ct(2026, 6, 2, 12, 15)
    assert local(business.add(ct(2026, 6, 2, 9), timedelta(hours=8))) == ct(2026, 6, 2, 17)  # at close


def test_start_outside_hours(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2026, 6, 2, 6), timedelta(hours=1))) == ct(2026, 6, 2, 9)
    assert local(business.add(ct(2026, 6, 2, 18), timedelta(hours=1))) == ct(2026, 6, 3, 9)
    assert local(business.add(ct(2026, 6, 6, 12), timedelta(minutes=30))) == ct(2026, 6, 8, 8, 30)


def test_zero_duration_returns_start_even_when_closed(business: BusinessCalendar) -> None:
    start = ct(2026, 6, 6, 12, 34, 56, 789)
    assert business.add(start, timedelta(0)) == start
    assert business.add(start, timedelta(0)).tzinfo is UTC


def test_negative_duration_rejected(business: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        business.add(ct(2026, 6, 2, 9), timedelta(seconds=-1))


def test_exact_to_the_microsecond(business: BusinessCalendar) -> None:
    start = ct(2026, 6, 2, 16, 59, 59, 999_999)
    assert local(business.add(start, timedelta(microseconds=2))) == ct(2026, 6, 3, 8, 0, 0, 1)
    assert business.between(start, ct(2026, 6, 3, 8, 0, 0, 1)) == timedelta(microseconds=2)


# -- holidays ------------------------------------------------------------------------------------


def test_holidays_package_dates_we_rely_on() -> None:
    assert "Thanksgiving" in US_HOLIDAYS[date(2026, 11, 26)]
    assert "Christmas" in US_HOLIDAYS[date(2026, 12, 25)]
    assert "Thanksgiving" in US_HOLIDAYS[date(2027, 11, 25)]
    # Christmas 2027 is a Saturday; the package observes it on Friday the 24th.
    assert "Christmas" in US_HOLIDAYS[date(2027, 12, 24)]
    # New Year's Day 2028 is a Saturday, observed Friday 2027-12-31.
    assert "New Year" in US_HOLIDAYS[date(2027, 12, 31)]
    assert date(2026, 12, 24) not in US_HOLIDAYS  # only closed via the extra date


@pytest.mark.parametrize(
    "closed_day",
    [date(2026, 11, 26), date(2026, 12, 24), date(2026, 12, 25), date(2027, 11, 25), date(2027, 12, 24)],
)
def test_closed_on_holidays(business: BusinessCalendar, closed_day: date) -> None:
    noon = datetime.combine(closed_day, time(12), tzinfo=CT)
    assert not business.is_open(noon)
    assert business.between(noon.replace(hour=0), noon.replace(hour=23)) == timedelta(0)


def test_thanksgiving_2026(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2026, 11, 25, 16), timedelta(hours=2))) == ct(2026, 11, 27, 9)


def test_christmas_2026_with_extra_christmas_eve_closure(business: BusinessCalendar) -> None:
    # Wed 23rd 16:00 -> 1h; Thu 24th (extra), Fri 25th (Christmas), weekend closed -> Mon 28th 09:00.
    assert local(business.add(ct(2026, 12, 23, 16), timedelta(hours=2))) == ct(2026, 12, 28, 9)
    assert business.next_opening(ct(2026, 12, 24, 9)) == ct(2026, 12, 28, 8)


def test_christmas_2027_observed_friday(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2027, 12, 23, 16), timedelta(hours=2))) == ct(2027, 12, 27, 9)


def test_thanksgiving_2027(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2027, 11, 24, 16, 30), timedelta(hours=1))) == ct(2027, 11, 26, 8, 30)


def test_year_end_2026(business: BusinessCalendar) -> None:
    # Thu 2026-12-31 16:00: 1h, then New Year's Day and the weekend -> Mon 2027-01-04.
    assert local(business.add(ct(2026, 12, 31, 16), timedelta(hours=2))) == ct(2027, 1, 4, 9)
    assert business.between(ct(2026, 12, 31, 16), ct(2027, 1, 4, 9)) == timedelta(hours=2)


def test_year_end_2027_new_year_observed_on_friday(business: BusinessCalendar) -> None:
    assert local(business.add(ct(2027, 12, 30, 16), timedelta(hours=2))) == ct(2028, 1, 3, 9)


# -- DST -----------------------------------------------------------------------------------------


def test_spring_forward_weekend(business: BusinessCalendar) -> None:
    # Fri 2026-03-06 is CST (-6), Mon 2026-03-09 CDT (-5).
    result = business.add(ct(2026, 3, 6, 16), timedelta(hours=2))
    assert result == datetime(2026, 3, 9, 14, tzinfo=UTC)
    assert local(result) == ct(2026, 3, 9, 9)
    assert business.between(ct(2026, 3, 6, 8), ct(2026, 3, 9, 17)) == timedelta(hours=18)


def test_fall_back_weekend(business: BusinessCalendar) -> None:
    result = business.add(ct(2026, 10, 30, 16), timedelta(hours=2))
    assert result == datetime(2026, 11, 2, 15, tzinfo=UTC)
    assert business.between(ct(2026, 10, 30, 8), ct(2026, 11, 2, 17)) == timedelta(hours=18)


def full_sunday(spec: str) -> BusinessCalendar:
    return BusinessCalendar("America/Chicago", {0: hours("08:00-17:00"), 6: hours(spec)})


def test_dst_days_are_shorter_and_longer_in_real_time() -> None:
    cal = full_sunday("00:00-24:00")
    assert cal.between(ct(2026, 3, 8), ct(2026, 3, 9)) == timedelta(hours=23)
    assert cal.between(ct(2026, 11, 1), ct(2026, 11, 2)) == timedelta(hours=25)
    assert cal.between(ct(2026, 3, 15), ct(2026, 3, 16)) == timedelta(hours=24)
    assert local(cal.add(ct(2026, 3, 8), timedelta(hours=23))) == ct(2026, 3, 9, 0)


def test_interval_across_spring_gap_is_an_hour_shorter() -> None:
    cal = full_sunday("01:00-04:00")
    spans = cal.between(ct(2026, 3, 8), ct(2026, 3, 9))
    assert spans == timedelta(hours=2)
    assert cal.next_opening(ct(2026, 3, 8)) == datetime(2026, 3, 8, 7, tzinfo=UTC)  # 01:00 CST


def test_interval_starting_inside_spring_gap_opens_when_gap_ends() -> None:
    cal = full_sunday("02:30-04:00")
    gap_end = datetime(2026, 3, 8, 8, tzinfo=UTC)  # 02:00 CST == 03:00 CDT
    assert cal.next_opening(ct(2026, 3, 8)) == gap_end
    assert cal.is_open(gap_end)
    assert not cal.is_open(gap_end - timedelta(microseconds=1))
    assert cal.between(ct(2026, 3, 8), ct(2026, 3, 9)) == timedelta(hours=1)


def test_interval_inside_spring_gap_vanishes() -> None:
    cal = full_sunday("02:00-03:00")
    assert cal.between(ct(2026, 3, 8), ct(2026, 3, 9)) == timedelta(0)
    assert local(cal.next_opening(ct(2026, 3, 8))) == ct(2026, 3, 9, 8)  # Monday hours
    assert cal.between(ct(2026, 3, 15), ct(2026, 3, 16)) == timedelta(hours=1)


def test_interval_across_fall_back_counts_the_repeated_hour() -> None:
    # 01:00 means its first occurrence (CDT), 03:00 is CST: 3h of wall clock, 3h + 1h of real time.
    cal = full_sunday("01:00-03:00")
    assert cal.between(ct(2026, 11, 1), ct(2026, 11, 2)) == timedelta(hours=3)
    assert cal.next_opening(ct(2026, 11, 1)) == datetime(2026, 11, 1, 6, tzinfo=UTC)


def test_24x7_in_chicago_is_real_time_across_dst() -> None:
    cal = BusinessCalendar("America/Chicago", None)
    start = ct(2026, 3, 7, 12)
    assert local(cal.add(start, timedelta(hours=24))) == ct(2026, 3, 8, 13)
    assert cal.between(ct(2026, 3, 8), ct(2026, 3, 9)) == timedelta(hours=23)


# -- lunch breaks, Saturdays, 24x7 ---------------------------------------------------------------


def test_lunch_break(lunch: BusinessCalendar) -> None:
    assert local(lunch.add(ct(2026, 6, 2, 11, 30), timedelta(hours=1))) == ct(2026, 6, 2, 13, 30)
    assert local(lunch.add(ct(2026, 6, 2, 8), timedelta(hours=4))) == ct(2026, 6, 2, 12)
    assert lunch.between(ct(2026, 6, 2, 8), ct(2026, 6, 2, 17)) == timedelta(hours=8)
    assert not lunch.is_open(ct(2026, 6, 2, 12, 30))
    assert local(lunch.next_opening(ct(2026, 6, 2, 12, 30))) == ct(2026, 6, 2, 13)


def test_saturday_hours(lunch: BusinessCalendar) -> None:
    assert local(lunch.add(ct(2026, 6, 5, 16, 30), timedelta(hours=1))) == ct(2026, 6, 6, 9, 30)
    assert local(lunch.add(ct(2026, 6, 6, 12), timedelta(hours=2))) == ct(2026, 6, 8, 9)
    assert lunch.is_open(ct(2026, 6, 6, 9))
    assert not lunch.is_open(ct(2026, 6, 7, 10))
    assert lunch.between(ct(2026, 6, 5), ct(2026, 6, 8)) == timedelta(hours=12)


def test_24x7() -> None:
    cal = BusinessCalendar("UTC", None)
    start = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert cal.add(start, timedelta(hours=1)) == datetime(2027, 1, 1, 0, 30, tzinfo=UTC)
    assert cal.between(start, start + timedelta(days=40)) == timedelta(days=40)
    assert cal.between(start + timedelta(days=1), start) == -timedelta(days=1)
    assert cal.is_open(start)
    assert cal.next_opening(start) == start
    assert cal.always_open


def test_24x7_with_holidays_closes_whole_local_days() -> None:
    cal = BusinessCalendar("America/Chicago", None, us_closed)
    assert not cal.always_open
    assert not cal.is_open(ct(2026, 12, 25, 12))
    assert local(cal.add(ct(2026, 12, 23, 23), timedelta(hours=2))) == ct(2026, 12, 26, 1)


# -- between / next_opening / is_open ------------------------------------------------------------


def test_between_is_antisymmetric(business: BusinessCalendar) -> None:
    a, b = ct(2026, 6, 2, 10), ct(2026, 6, 9, 15, 15)
    forward = business.between(a, b)
    assert forward == timedelta(hours=7 + 3 * 9 + 9 + 7.25)  # Tue, Wed-Fri, Mon, Tue
    assert business.between(b, a) == -forward
    assert business.between(a, a) == timedelta(0)


def test_between_is_half_open(business: BusinessCalendar) -> None:
    assert business.between(ct(2026, 6, 2, 17), ct(2026, 6, 3, 8)) == timedelta(0)
    assert business.between(ct(2026, 6, 2, 16), ct(2026, 6, 2, 17)) == timedelta(hours=1)


def test_is_open_boundaries(business: BusinessCalendar) -> None:
    assert business.is_open(ct(2026, 6, 2, 8))
    assert business.is_open(ct(2026, 6, 2, 16, 59, 59, 999_999))
    assert not business.is_open(ct(2026, 6, 2, 17))
    assert not business.is_open(ct(2026, 6, 2, 7, 59, 59))


def test_next_opening(business: BusinessCalendar) -> None:
    inside = ct(2026, 6, 2, 10, 11, 12)
    assert business.next_opening(inside) == inside
    assert business.next_opening(inside).tzinfo is UTC
    assert local(business.next_opening(ct(2026, 6, 2, 17))) == ct(2026, 6, 3, 8)
    assert local(business.next_opening(ct(2026, 6, 5, 20))) == ct(2026, 6, 8, 8)
    assert local(business.next_opening(ct(2026, 11, 25, 17))) == ct(2026, 11, 27, 8)


def test_other_zone_inputs_are_accepted(business: BusinessCalendar) -> None:
    tokyo = datetime(2026, 6, 3, 6, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # Tue 16:30 Chicago
    assert local(business.add(tokyo, timedelta(hours=1))) == ct(2026, 6, 3, 8, 30)


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["is_open", "next_opening"])
def test_naive_datetimes_rejected(business: BusinessCalendar, method: str) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        getattr(business, method)(datetime(2026, 6, 2, 9))


def test_naive_datetimes_rejected_by_add_and_between(business: BusinessCalendar) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        business.add(datetime(2026, 6, 2, 9), timedelta(hours=1))
    with pytest.raises(ValueError, match="timezone-aware"):
        business.between(ct(2026, 6, 2, 9), datetime(2026, 6, 2, 10))


@pytest.mark.parametrize(
    "weekly",
    [
        {},
        {0: ()},
        {d: () for d in range(7)},
    ],
)
def test_never_open_rejected(weekly: Mapping[int, Sequence[Interval]]) -> None:
    with pytest.raises(ValueError, match="never open"):
        BusinessCalendar("UTC", weekly)


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ({7: hours("08:00-17:00")}, "weekday"),
        ({0: hours("17:00-08:00")}, "17:00-08:00 ends before it starts"),
        ({0: hours("08:00-00:00")}, "write 24:00 for midnight"),
        ({0: hours("08:00-12:00,11:00-17:00")}, "Mon overlap"),
        ({0: hours("13:00-17:00,08:00-12:00")}, "out of order"),
        ({0: hours("20:00-24:00,22:00-23:00")}, "Mon overlap"),
        ({0: ((time(8, tzinfo=UTC), time(9)),)}, "naive"),
    ],
)
def test_bad_hours_rejected(weekly: Mapping[int, Sequence[Interval]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("UTC", weekly)


def test_unknown_zone_rejected() -> None:
    with pytest.raises(ValueError, match="time zone"):
        BusinessCalendar("Mars/Olympus_Mons", None)


def test_touching_intervals_merge(business: BusinessCalendar) -> None:
    cal = BusinessCalendar("UTC", {0: hours("08:00-12:00,12:00-17:00")})
    monday = datetime(2026, 6, 1, 11, 30, tzinfo=UTC)
    assert cal.add(monday, timedelta(hours=1)) == monday + timedelta(hours=1)
    assert cal.is_open(monday.replace(hour=12))


def test_midnight_spanning_hours() -> None:
    cal = BusinessCalendar("UTC", {4: hours("20:00-24:00"), 5: hours("00:00-02:00")})
    friday = datetime(2026, 6, 5, 23, tzinfo=UTC)
    assert cal.add(friday, timedelta(hours=2)) == datetime(2026, 6, 6, 1, tzinfo=UTC)
    assert cal.is_open(datetime(2026, 6, 6, 0, tzinfo=UTC))


def test_closed_forever_gives_up() -> None:
    cal = BusinessCalendar("UTC", WEEKDAYS_9_TO_5, lambda d: True)
    start = datetime(2026, 6, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match=f"{MAX_CLOSED_DAYS}"):
        cal.add(start, timedelta(hours=1))
    with pytest.raises(ValueError, match="consecutive days"):
        cal.next_opening(start)
    assert not cal.is_open(start)  # is_open and between never search, so they still answer
    assert cal.between(start, start + timedelta(days=30)) == timedelta(0)


def test_long_but_finite_closure_is_fine() -> None:
    cal = BusinessCalendar("UTC", WEEKDAYS_9_TO_5, lambda d: d < date(2030, 1, 1))
    opened = cal.next_opening(datetime(2026, 6, 2, tzinfo=UTC))
    assert opened == datetime(2030, 1, 1, 8, tzinfo=UTC)  # a Tuesday


# -- describe ------------------------------------------------------------------------------------


def test_describe(business: BusinessCalendar, lunch: BusinessCalendar) -> None:
    assert business.describe() == "Mon–Fri 08:00–17:00 US Central"
    assert lunch.describe() == "Mon–Fri 08:00–12:00, 13:00–17:00; Sat 09:00–13:00 US Central"
    assert BusinessCalendar("UTC", None).describe() == "24x7"
    assert (
        BusinessCalendar("America/Chicago", None, us_closed).describe() == "24x7 except holidays US Central"
    )
    odd = BusinessCalendar(
        "Europe/Berlin",
        {0: hours("09:00-17:00"), 2: hours("09:00-17:00"), 5: hours("22:00-24:00"), 6: hours("22:00-24:00")},
    )
    assert odd.describe() == "Mon 09:00–17:00; Wed 09:00–17:00; Sat–Sun 22:00–24:00 Europe/Berlin"
    seconds = BusinessCalendar("UTC", {0: ((time(8, 0, 30), time(9)),)})
    assert seconds.describe() == "Mon 08:00:30–09:00 UTC"


def test_parse_hours() -> None:
    assert parse_hours("08:00-12:00, 13:00-24:00") == ((time(8), time(12)), (time(13), None))
    assert parse_hours("") == ()
    with pytest.raises(ValueError, match="bad opening hours"):
        parse_hours("8am-5pm")


# -- properties against a minute-stepping reference ----------------------------------------------

SPECS: dict[str, tuple[ZoneInfo, Mapping[int, Sequence[Interval]], Callable[[date], bool]]] = {
    "lunch": (CT, LUNCH_AND_SATURDAY, us_closed),
    "night_owl": (CT, NIGHT_OWL, us_closed),
}
CALENDARS = {name: BusinessCalendar(str(tz), weekly, closed) for name, (tz, weekly, closed) in SPECS.items()}
MINUTE = timedelta(minutes=1)
MAX_BUSINESS_MINUTES = 3 * 8 * 60  # ~3 business days of the lunch calendar

# Starts near these dates exercise DST, holidays and year ends far more often than uniform 2026-2027.
INTERESTING = [
    date(2026, 3, 8),
    date(2026, 11, 1),
    date(2027, 3, 14),
    date(2027, 11, 7),
    date(2026, 11, 26),
    date(2026, 12, 24),
    date(2026, 12, 31),
    date(2027, 7, 5),
    date(2027, 12, 24),
    date(2027, 12, 31),
]
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
uniform_starts = st.integers(0, 2 * 365 * 24 * 60).map(lambda m: EPOCH + m * MINUTE)
near_interesting = st.builds(
    lambda d, m: datetime.combine(d, time(), tzinfo=UTC) + m * MINUTE,
    st.sampled_from(INTERESTING),
    st.integers(-5 * 24 * 60, 2 * 24 * 60),
)
minute_starts = st.one_of(uniform_starts, near_interesting)


def reference_is_open(name: str, instant: datetime) -> bool:
    """Open iff the wall clock on a non-closed local date reads inside one of that weekday's intervals."""
    tz, weekly, closed = SPECS[name]
    wall = instant.astimezone(tz)
    if closed(wall.date()):
        return False
    clock = wall.time()
    return any(s <= clock and (e is None or clock < e) for s, e in weekly.get(wall.weekday(), ()))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(sorted(SPECS)),
    start=minute_starts,
    minutes=st.integers(0, MAX_BUSINESS_MINUTES),
    probe=st.floats(0, 1.2),
)
def test_add_and_between_match_minute_stepping_reference(
    name: str, start: datetime, minutes: int, probe: float
) -> None:
    cal = CALENDARS[name]
    # Walk minute by minute; cumulative[i] is business minutes in [start, start + i minutes).
    cumulative = [0]
    while cumulative[-1] < minutes:
        at = start + (len(cumulative) - 1) * MINUTE
        cumulative.append(cumulative[-1] + reference_is_open(name, at))
    expected_end = start + (len(cumulative) - 1) * MINUTE
    assert cal.add(start, minutes * MINUTE) == expected_end

    # between() at a point inside (or a little past) the walked range.
    steps = int(probe * (len(cumulative) - 1))
    while len(cumulative) <= steps:
        at = start + (len(cumulative) - 1) * MINUTE
        cumulative.append(cumulative[-1] + reference_is_open(name, at))
    end = start + steps * MINUTE
    assert cal.between(start, end) == cumulative[steps] * MINUTE
    assert cal.between(end, start) == -cumulative[steps] * MINUTE
    assert cal.is_open(end) == reference_is_open(name, end)


micro_starts = st.integers(0, 2 * 365 * 24 * 3600 * 10**6).map(lambda us: EPOCH + timedelta(microseconds=us))
durations = st.integers(0, 3 * 24 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(SPECS)), start=micro_starts, duration=durations)
def test_add_is_the_earliest_instant_with_duration_elapsed(
    name: str, start: datetime, duration: timedelta
) -> None:
    cal = CALENDARS[name]
    end = cal.add(start, duration)
    assert end.tzinfo is UTC
    assert end >= start
    assert cal.between(start, end) == duration
    if duration:
        assert cal.between(start, end - timedelta(seconds=1)) < duration
        assert cal.between(start, end - timedelta(microseconds=1)) == duration - timedelta(microseconds=1)
        assert cal.is_open(end - timedelta(microseconds=1))


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(SPECS)), start=micro_starts, first=durations, second=durations)
def test_add_composes(name: str, start: datetime, first: timedelta, second: timedelta) -> None:
    cal = CALENDARS[name]
    assert cal.add(cal.add(start, first), second) == cal.add(start, first + second)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(SPECS)), a=micro_starts, b=micro_starts, c=micro_starts)
def test_between_is_additive(name: str, a: datetime, b: datetime, c: datetime) -> None:
    cal = CALENDARS[name]
    a, b, c = sorted((a, b, c))
    c = min(c, a + timedelta(days=40))  # keep the walk short; additivity doesn't care
    b = min(b, c)
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(sorted(SPECS)), at=micro_starts)
def test_next_opening_properties(name: str, at: datetime) -> None:
    cal = CALENDARS[name]
    opened = cal.next_opening(at)
    assert cal.is_open(opened)
    assert cal.between(at, opened) == timedelta(0)
    assert (opened == at) == cal.is_open(at)
    assert cal.add(at, timedelta(microseconds=1)) == opened + timedelta(microseconds=1)
