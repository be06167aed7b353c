"""SLA clock kinds, their labels, and the targets of a ticket derived from its policy snapshot. Pure.

The one place both the SLA service (bot/services/sla.py) and the reports (bot/reports/) read clock names
and targets from, so the reports never import a service and the dependency runs one way: services and
reports read this module; services may use reports, never the other way round.

Two kinds of clock:
  * once: `first_response` and `resolution` run from when the ticket was raised and stop for good;
  * recurring (optional per plan): `next_response`, started by a customer message on a claimed ticket and
    stopped by the vendor's next customer-visible message, and `update_every`, a period from the claim or
    the last customer-visible message within which the vendor must say something to the customer. Each
    runs one cycle at a time; ladder steps after them fire when a cycle is missed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Protocol

from bot.policy import RECURRING_TARGETS, TARGET_NAMES, Policy, Priority

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
NEXT_RESPONSE = "next_response"
UPDATE_EVERY = "update_every"
ONCE = (FIRST_RESPONSE, RESOLUTION)
RECURRING = (NEXT_RESPONSE, UPDATE_EVERY)
CLOCK_NAMES = ONCE + RECURRING  # in the order a ticket's message shows them
CLOCK_LABELS = {
    FIRST_RESPONSE: "first response",
    RESOLUTION: "resolution",
    NEXT_RESPONSE: "next response",
    UPDATE_EVERY: "update",
}
# The policy validates ladder steps' `after:` by these names.
assert ONCE == TARGET_NAMES and RECURRING == RECURRING_TARGETS


class HasSnapshot(Protocol):
    """A ticket, saved or not: its priority and the policy snapshot stored with it."""

    priority: str
    policy: dict[str, Any]


def policy_snapshot(policy: Policy, plan: str) -> dict[str, Any]:
    """Targets and ladders in force now, for every priority, so a later priority change re-derives from
    the terms the ticket was raised under, and YAML edits never move a running ticket. Recurring targets
    are stored only when the plan sets them (snapshots of plans without them stay as they were).
    """
    spec = policy.plans[plan]
    targets = {
        FIRST_RESPONSE: spec.first_response,
        RESOLUTION: spec.resolution,
        NEXT_RESPONSE: spec.next_response,
        UPDATE_EVERY: spec.update_every,
    }
    return {
        "calendar": spec.calendar,
        "targets": {
            name: {p.value: int(t.total_seconds()) for p, t in values.items()}
            for name, values in targets.items()
            if values or name in ONCE
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


def miss_steps(ticket: HasSnapshot, clock: str) -> list[int]:
    """Indexes of the ticket's ladder steps (for its priority, from its snapshot) that fire when `clock`
    misses its target."""
    steps = ticket.policy.get("ladders", {}).get(ticket.priority) or []
    return [index for index, step in enumerate(steps) if step.get("after") == clock]
