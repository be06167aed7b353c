"""SLA clock kinds, their labels, and the targets of a ticket derived from its policy snapshot. Pure.

The one place both the SLA service (bot/services/sla.py) and the reports (bot/reports/) read clock names
and targets from, so the reports never import a service and the dependency runs one way: services and
reports read this module; services may use reports, never the other way round.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from bot.policy import TARGET_NAMES, Policy, Priority

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
CLOCK_NAMES = (FIRST_RESPONSE, RESOLUTION)  # in the order a ticket's message shows them
CLOCK_LABELS = {FIRST_RESPONSE: "first response", RESOLUTION: "resolution"}
assert CLOCK_NAMES == TARGET_NAMES  # the policy validates ladder steps' `after:` by these


class HasSnapshot(Protocol):
    """A ticket, saved or not: its priority and the policy snapshot stored with it."""

    priority: str
    policy: dict[str, Any]


def policy_snapshot(policy: Policy, plan: str) -> dict[str, Any]:
    """Targets and ladders in force now, for every priority, so a later priority change re-derives from
    the terms the ticket was raised under, and YAML edits never move a running ticket.
    """
    spec = policy.plans[plan]
    return {
        "calendar": spec.calendar,
        "targets": {
            FIRST_RESPONSE: {p.value: int(t.total_seconds()) for p, t in spec.first_response.items()},
            RESOLUTION: {p.value: int(t.total_seconds()) for p, t in spec.resolution.items()},
        },
        "ladders": {p.value: [s.model_dump() for s in policy.ladder_for(plan, p)] for p in Priority},
    }


def targets_for(ticket: HasSnapshot, priority: str | None = None) -> dict[str, timedelta]:
    """The ticket's targets for a priority, from the policy snapshot stored with it."""
    priority = priority or ticket.priority
    targets: dict[str, timedelta] = {}
    for name in CLOCK_NAMES:
        seconds = (ticket.policy.get("targets", {}).get(name) or {}).get(priority)
        if seconds:
            targets[name] = timedelta(seconds=seconds)
    return targets
