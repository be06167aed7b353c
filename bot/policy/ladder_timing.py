"""Warnings about ladder timing that are legal but probably not meant: two steps of a plan's ladder that
fall due at the same moment page their levels together (a lead and a manager woken by the same ticket at
once), so each level gets no time to act before the next is paged."""

from __future__ import annotations

from datetime import timedelta

from bot.durations import business_duration
from bot.policy.base import Priority
from bot.policy.model import Policy


def simultaneous_steps(policy: Policy) -> list[str]:
    """One line per plan, priority and moment at which two or more ladder steps fall due together.

    Each step falls due at `calendar.add(raised_at, offset)`, and adding business time is strictly
    increasing, so two steps fall due together exactly when their offsets (after resolving a named
    target for the priority) are equal, whenever the ticket is raised.
    """
    lines: list[str] = []
    for name, plan in policy.plans.items():
        day = policy.calendars[plan.calendar].business_day
        for priority in plan.priorities:
            targets = {"first_response": plan.first_response[priority]}
            if priority in plan.resolution:
                targets["resolution"] = plan.resolution[priority]
            steps = policy.ladder_for(name, priority)
            due: dict[timedelta, list[int]] = {}
            for index, step in enumerate(steps):
                offset = step.offset(targets)
                if offset is not None:
                    due.setdefault(offset, []).append(index)
            for offset, together in due.items():
                if len(together) < 2:
                    continue
                which = " and ".join(
                    f"{_where(policy, name, priority)}[{i}] (page {steps[i].page} after {steps[i].after})"
                    for i in together
                )
                lines.append(
                    f"plan {name!r}, {priority.value}: {which} fall due at the same moment, "
                    f"{business_duration(offset, day)} after a ticket is raised; page the levels apart"
                )
    return lines


def _where(policy: Policy, plan: str, priority: Priority) -> str:
    """The ladder's path in the file, as ladder_for picks it."""
    own = policy.plans[plan].ladder
    ladder, path = (own, f"plans.{plan}.ladder") if own else (policy.escalation.ladder, "escalation.ladder")
    if priority.value in ladder:
        return f"{path}.{priority.value}"
    if "default" in ladder:
        return f"{path}.default"
    return "escalation.ladder.default"
