"""How urgent an open ticket is, from its running SLA clocks: breached, at risk, or on track; and the
order lists show tickets in (breached first, then at risk, then the rest). Pure: readings in, order out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Protocol, TypeVar

from bot.sla_time import AT_RISK, BREACH, ClockReading
from models import ClockState

LIVE = (ClockState.RUNNING, ClockState.BREACHED)  # a paused or stopped clock threatens nothing


class Standing(IntEnum):
    """In list order: the most urgent first."""

    BREACHED = 0
    AT_RISK = 1
    ON_TRACK = 2


@dataclass(frozen=True)
class Urgency:
    standing: Standing
    reading: ClockReading  # the clock that decides it: the furthest past its target, else the soonest due


def standing_of(reading: ClockReading) -> Standing:
    if reading.state == ClockState.BREACHED or reading.percent >= BREACH:  # past due, timer not yet run
        return Standing.BREACHED
    return Standing.AT_RISK if reading.percent >= AT_RISK else Standing.ON_TRACK


def urgency_of(readings: Sequence[ClockReading]) -> Urgency | None:
    """The ticket's standing from its live clocks; None when none runs (waiting on the customer, met)."""
    live = [r for r in readings if r.state in LIVE]
    if not live:
        return None
    worst = min(live, key=lambda r: (standing_of(r), r.remaining))
    return Urgency(standing_of(worst), worst)


class HasId(Protocol):
    id: int


T = TypeVar("T", bound=HasId)


def urgent_first(
    tickets: Sequence[T], urgencies: Mapping[int, Urgency], *, rest_by_due: bool = True
) -> list[T]:
    """Breached tickets first (the longest overdue first), then those at risk (the soonest due first),
    then the rest: by due time, or, with `rest_by_due=False`, in the order they came (the queue's plan
    rank, then due). Tickets with no running clock come last, in the order they came."""

    def key(pair: tuple[int, T]) -> tuple[int, float, int]:
        index, ticket = pair
        urgency = urgencies.get(ticket.id)
        if urgency is None:
            return (len(Standing), 0.0, index)
        due = urgency.reading.due_at
        when = due.timestamp() if due is not None else float("inf")
        if urgency.standing == Standing.ON_TRACK and not rest_by_due:
            when = 0.0
        return (urgency.standing, when, index)

    return [ticket for _, ticket in sorted(enumerate(tickets), key=key)]
