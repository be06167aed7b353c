"""Small builders for contracts and entries, written the way the policy file and the database give them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from pydantic import TypeAdapter

from bot.billing.worktime import Ticket, TimeEntry
from bot.policy.contracts import Contract

_CONTRACT: TypeAdapter[Any] = TypeAdapter(Contract)
T1 = Ticket("SL-1", "P2")


def contract(**fields: Any) -> Any:
    """A contract validated exactly as the policy file's `contracts.KEY` mapping is."""
    return _CONTRACT.validate_python(fields)


def purchase(hours: int | str, start: date, expires: date) -> dict[str, Any]:
    return {"hours": hours, "from": start, "expires": expires}


def entry(
    worked_on: date,
    minutes: int,
    *,
    ticket: Ticket = T1,
    agent: str = "U0ENG1",
    waived: bool = False,
    seq: int = 0,
) -> TimeEntry:
    """`seq` orders entries of one day (it becomes the minute of the day they were logged)."""
    logged_at = datetime.combine(worked_on, datetime.min.time(), UTC) + timedelta(hours=18, minutes=seq)
    reason = "product defect" if waived else ""
    return TimeEntry(ticket, agent, worked_on, logged_at, minutes, waived=waived, waiver_reason=reason)
