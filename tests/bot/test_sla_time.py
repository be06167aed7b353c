"""Clock arithmetic on a business calendar: elapsed, due, thresholds, across pauses."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot import sla_time as sla
from bot.policy import load_config
from models import ClockState
from tests.conftest import EXAMPLE_POLICY

CALENDAR = load_config(EXAMPLE_POLICY).calendars["business-hours"]
TUESDAY_9AM = datetime(2026, 11, 17, 15, 0, tzinfo=UTC)


@dataclass
class Clock:
    target_seconds: int
    state: ClockState = ClockState.RUNNING
    running_since: datetime | None = TUESDAY_9AM
    elapsed_seconds: float = 0.0
    due_at: datetime | None = None


def test_due_and_thresholds_run_on_business_hours() -> None:
    clock = Clock(target_seconds=4 * 3600)
    assert sla.due_at(clock, CALENDAR) == TUESDAY_9AM + timedelta(hours=4)
    assert sla.threshold_at(clock, CALENDAR, 75) == TUESDAY_9AM + timedelta(hours=3)
    evening = TUESDAY_9AM + timedelta(hours=12)  # 21:00, closed: 8h of business time have passed
    assert sla.elapsed(clock, CALENDAR, evening) == timedelta(hours=8)


def test_a_paused_clock_does_not_count_and_resumes_from_its_bank() -> None:
    paused = Clock(target_seconds=4 * 3600, state=ClockState.PAUSED, running_since=None, elapsed_seconds=3600)
    assert sla.due_at(paused, CALENDAR) is None and sla.threshold_at(paused, CALENDAR, 50) is None
    assert sla.elapsed(paused, CALENDAR, TUESDAY_9AM + timedelta(days=3)) == timedelta(hours=1)
    resumed = Clock(
        target_seconds=4 * 3600, elapsed_seconds=3600, running_since=TUESDAY_9AM + timedelta(hours=7)
    )
    # 16:00: one business hour left today, two tomorrow from 08:00.
    assert sla.due_at(resumed, CALENDAR) == datetime(2026, 11, 18, 16, 0, tzinfo=UTC)
    assert sla.threshold_at(resumed, CALENDAR, 25) is None  # already past 25 %


def test_reading_reports_remaining_and_percent() -> None:
    clock = Clock(target_seconds=3600)
    reading = sla.read("first_response", clock, CALENDAR, TUESDAY_9AM + timedelta(minutes=45))
    assert reading.remaining == timedelta(minutes=15) and reading.percent == 75.0
