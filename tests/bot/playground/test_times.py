"""Where the clock buttons move time to, on the policy's business calendar; the timezones shown."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.playground.times import ClockError, next_business_morning, policy_zones, step
from bot.policy import Policy, parse_config
from tests.conftest import EXAMPLE_POLICY

CENTRAL = ZoneInfo("America/Chicago")


def central(*args: int) -> datetime:
    return datetime(*args, tzinfo=CENTRAL)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("now", "morning"),
    [
        (central(2026, 11, 17, 6, 0), central(2026, 11, 17, 8, 0)),  # Tuesday before opening: today
        (central(2026, 11, 17, 10, 0), central(2026, 11, 18, 8, 0)),  # Tuesday, open: tomorrow
        (central(2026, 11, 20, 16, 30), central(2026, 11, 23, 8, 0)),  # Friday afternoon: Monday
        (central(2026, 11, 25, 18, 0), central(2026, 11, 27, 8, 0)),  # Thanksgiving is a US holiday
        (central(2026, 12, 23, 12, 0), central(2026, 12, 28, 8, 0)),  # the 24th closed, then Christmas
    ],
)
def test_next_business_morning_is_the_next_opening_of_a_business_day(
    policy: Policy, now: datetime, morning: datetime
) -> None:
    assert next_business_morning(policy, now) == morning
    assert step(policy, now, "morning") == morning


def test_a_policy_open_around_the_clock_wakes_at_nine_the_next_day() -> None:
    text = EXAMPLE_POLICY.read_text().replace('hours: {mon-fri: "08:00-17:00"}', "hours: 24x7")
    always = parse_config(text, "always.yml")
    now = datetime(2026, 11, 17, 22, 0, tzinfo=UTC)
    assert next_business_morning(always, now) == central(2026, 11, 18, 9, 0)


def test_durations_move_forward_and_nonsense_is_refused(policy: Policy) -> None:
    now = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
    assert step(policy, now, "15m") == datetime(2026, 11, 17, 16, 15, tzinfo=UTC)
    assert step(policy, now, "1d") == datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
    for bad in ("yesterday", "-1h", "0m", "40d"):
        with pytest.raises(ClockError):
            step(policy, now, bad)


def test_the_page_shows_every_timezone_the_policy_names_once(policy: Policy) -> None:
    assert policy_zones(policy) == ["America/Chicago", "UTC"]
