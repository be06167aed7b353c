"""Time engineers record on tickets: parsing what they type, the entries, and rounding to billable minutes.

Entries are plain values handed in by the caller (the database layer), so the arithmetic needs no
database and no clock: the date worked is already a date in whatever timezone the caller bills in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.durations import parse_duration
from bot.policy.contracts import Price

MAX_ENTRY = timedelta(hours=24)
"""Longer entries are typing mistakes (`999h` for `9h`); a long job is logged as one entry per day."""

_ZERO = re.compile(r"^(?:0+[dhms])+$")


def parse_work_time(text: str) -> int:
    """Minutes from `45m`, `1h30m`, `2h` or `90m`: positive, whole minutes, at most 24h.

    Raises ValueError with a message meant for the engineer who typed it.
    """
    cleaned = str(text).strip().replace(" ", "")
    if _ZERO.match(cleaned):
        raise ValueError(f"{text!r} is no time at all; record at least 1m")
    try:
        value = parse_duration(cleaned)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a work time; write it like 45m, 1h30m or 2h") from exc
    if value % timedelta(minutes=1):
        raise ValueError(f"{text!r} is not whole minutes; work time is recorded in minutes, like 45m")
    if value > MAX_ENTRY:
        raise ValueError(f"{text!r} is more than 24h; log longer work as one entry per day")
    return value // timedelta(minutes=1)


@dataclass(frozen=True)
class Ticket:
    """What billing needs of a ticket. `resolved_on` is when a per-incident ticket is charged."""

    ref: str  # as people and the statement see it, e.g. "SL-42"
    priority: str  # "P1" … "P4"
    paid_request: bool = False  # raised as out of scope: charged at the contract's addon_rate
    resolved_on: date | None = None
    # The hourly rate of the premium add-on covering the ticket, when that add-on has one: the ticket's
    # time is then charged at it, never drawn from a bank nor charged as an incident.
    addon_rate: Price | None = None


@dataclass(frozen=True)
class TimeEntry:
    """Minutes one agent worked on one ticket on one day. `logged_at` orders entries of the same day."""

    ticket: Ticket
    agent: str
    worked_on: date
    logged_at: datetime
    minutes: int
    waived: bool = False  # a product defect: recorded and reported, never charged nor debited
    waiver_reason: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.minutes, bool) or not isinstance(self.minutes, int) or self.minutes < 1:
            raise ValueError(f"a time entry has a positive whole number of minutes, not {self.minutes!r}")
        if self.waiver_reason and not self.waived:
            raise ValueError("a waiver reason on an entry that is not waived")


def round_up(minutes: int, increment: int) -> int:
    """Up to the next multiple of `increment` (a 1-minute entry on 15m increments bills 15)."""
    return -(-minutes // increment) * increment


def billable_minutes(entry: TimeEntry, increment: int) -> int:
    return 0 if entry.waived else round_up(entry.minutes, increment)


def statement_order(entries: Iterable[TimeEntry]) -> list[TimeEntry]:
    """By date worked, then by when logged; the order banks are debited in and statements list.

    Python's sort is stable, so entries logged at the same instant keep the caller's order.
    """
    return sorted(entries, key=lambda entry: (entry.worked_on, entry.logged_at))
