"""Policy dry-run, pure: what would happen to a ticket raised now, without Slack or the database.

The answer is worked out by the functions the bot itself uses, so it cannot disagree with the bot:
  * targets: the policy snapshot stored with a new ticket (`clocks.policy_snapshot`) read back by
    `clocks.targets_for`;
  * due times: `sla_time.due_at` of a freshly started clock, on the plan's calendar (`CalendarSpec.add`);
  * ladder: `Policy.ladder_for`, each step at `calendar.add(raised_at, step.offset(targets))` (as
    `services.ladder` schedules it); a step after a recurring target (next_response, update_every) has
    no instant: it fires at each miss, and shows who is on duty when the ticket is raised;
  * who: `duty.on_duty` at the step's instant for the customer (its own contacts for a level replace the
    level's people), as the directory pages (rotations resolved by `oncall.current_shift`); e-mail people
    are shown as written (the bot looks them up in Slack when paging);
  * a step's `repeat`: each repeat at its own instant, as `services.ladder` schedules them;
  * a step's `ack_timeout`: shown with the step (it counts from an acknowledgement, so it has no instant).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import sla_time
from bot.clock import as_utc
from bot.clocks import (
    CLOCK_LABELS,
    FIRST_RESPONSE,
    NEXT_RESPONSE,
    RESOLUTION,
    UPDATE_EVERY,
    policy_snapshot,
    targets_for,
)
from bot.durations import HOURS_ONLY, BusinessDay, business_duration, parse_duration
from bot.duty import on_duty
from bot.policy import TARGET_NAMES, Policy, Priority
from bot.policy.plans import DEFAULT_RANK
from bot.text import escape
from models import ClockState, SlaClock, Ticket


@dataclass(frozen=True)
class PlannedStep:
    page: str  # the level
    at: datetime | None  # UTC; None for a step that fires at each miss of a recurring target
    who: tuple[str, ...]  # on duty at `at`: Slack ids, or e-mails as written
    unless: str
    after: str  # as written: a duration or a target name
    own: bool = False  # the customer's own contacts for the level (customers.KEY.escalation)
    repeat: int = 0  # n: the step's n-th repeat, paged only if nobody on the level acknowledged by then
    ack_timeout: timedelta | None = (
        None  # the step's, on its first entry: paged again if acknowledged but idle
    )


@dataclass(frozen=True)
class DryRun:
    customer: str
    customer_name: str
    plan: str
    priority: Priority
    calendar: str
    timezone: str  # the plan calendar's
    hours: str  # the calendar described, e.g. "Mon–Fri 08:00–17:00 US Central"
    raised_at: datetime  # UTC, as are all instants here
    first_response_due: datetime
    resolution_due: datetime | None
    targets: dict[str, timedelta]
    steps: tuple[PlannedStep, ...]
    day: BusinessDay = HOURS_ONLY  # how the calendar's business time is written


def dry_run(policy: Policy, customer: str, priority: str | Priority, raised_at: datetime) -> DryRun:
    """What the bot would do for a ticket of `customer` at `priority` raised at `raised_at`."""
    if customer not in policy.customers:
        known = ", ".join(policy.customers)
        raise ValueError(f"no customer {customer!r} in the policy (customers: {known})")
    try:
        level = Priority(priority)
    except ValueError as exc:
        raise ValueError(f"{priority!r} is not a priority (P1, P2, P3 or P4)") from exc
    raised_at = as_utc(raised_at, "raised_at")
    plan = policy.customers[customer].plan
    # The ticket intake would save (unsaved here): the same snapshot, read back the same way.
    ticket = Ticket(
        customer=customer, plan=plan, priority=level.value,
        policy=policy_snapshot(policy, plan), created_at=raised_at,
    )  # fmt: skip
    calendar_name = ticket.policy["calendar"]
    calendar = policy.calendars[calendar_name]
    targets = targets_for(ticket)
    dues: dict[str, datetime | None] = {}
    for name in (FIRST_RESPONSE, RESOLUTION):
        target = targets.get(name)
        clock = None
        if target is not None:
            clock = SlaClock(
                name=name, target_seconds=int(target.total_seconds()), state=ClockState.RUNNING,
                running_since=raised_at, epoch=1,
            )  # fmt: skip
        dues[name] = None if clock is None else sla_time.due_at(clock, calendar)
    first_due = dues[FIRST_RESPONSE]
    if first_due is None:  # pragma: no cover - the policy requires a first-response target per priority
        raise ValueError(f"the {plan} plan sets no first-response target for {level.value}")

    steps: list[PlannedStep] = []
    for step in policy.ladder_for(plan, level):
        own = step.page in policy.customers[customer].escalation
        idle = None if step.ack_timeout is None else parse_duration(step.ack_timeout)
        if step.on_miss:
            who = tuple(dict.fromkeys(on_duty(policy, step.page, raised_at, customer).people))
            steps.append(PlannedStep(step.page, None, who, step.unless, step.after, own, ack_timeout=idle))
            continue
        offsets = step.offsets(targets)  # the step, then its repeats
        if not offsets:  # pragma: no cover - the policy refuses steps after targets a plan does not set
            raise ValueError(f"a {plan} ladder step pages after a {step.after} target the plan does not set")
        for repeat, offset in enumerate(offsets):
            at = calendar.add(ticket.created_at, offset)
            who = tuple(dict.fromkeys(on_duty(policy, step.page, at, customer).people))
            steps.append(
                PlannedStep(
                    step.page, at, who, step.unless, step.after, own, repeat, None if repeat else idle
                )
            )
    return DryRun(
        customer=customer,
        customer_name=policy.customers[customer].name,
        plan=plan,
        priority=level,
        calendar=calendar_name,
        timezone=calendar.timezone,
        hours=calendar.describe(),
        raised_at=raised_at,
        first_response_due=first_due,
        resolution_due=dues[RESOLUTION],
        targets=targets,
        steps=tuple(steps),
        day=calendar.business_day,
    )


def _iso(at: datetime | None, timezone: str) -> str | None:
    return None if at is None else at.astimezone(ZoneInfo(timezone)).isoformat()


def to_dict(run: DryRun) -> dict[str, Any]:
    """The JSON shape: instants as ISO-8601 with their offset, in the plan calendar's timezone."""
    tz = run.timezone
    return {
        "customer": run.customer,
        "plan": run.plan,
        "priority": run.priority.value,
        "raised_at": _iso(run.raised_at, tz),
        "first_response_due": _iso(run.first_response_due, tz),
        "resolution_due": _iso(run.resolution_due, tz),
        # Recurring targets and the steps after them only when the plan sets them (older shapes unchanged).
        **{name: span(run.targets[name]) for name in (NEXT_RESPONSE, UPDATE_EVERY) if name in run.targets},
        "steps": [
            {
                "page": s.page,
                "at": _iso(s.at, tz),
                "who": list(s.who),
                "unless": s.unless,
                **({"after": s.after} if s.at is None else {}),
                **({"repeat": s.repeat} if s.repeat else {}),
                **({"ack_timeout": span(s.ack_timeout)} if s.ack_timeout is not None else {}),
            }
            for s in run.steps
        ],
    }


def to_json(run: DryRun, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(run), indent=indent, ensure_ascii=False)


def span(value: timedelta) -> str:
    """A target as the policy writes it: 2h, 1h30m, 30m, 45s, 180h (business hours, never days)."""
    total = int(value.total_seconds())
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    text = "".join(f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (seconds, "s")) if n)
    return text or "0s"


def _when(at: datetime, zone: ZoneInfo) -> str:
    return at.astimezone(zone).strftime("%a %d %b %Y %H:%M %Z")


def render_text(run: DryRun, timezone: str | None = None, *, mentions: bool = False) -> str:
    """The dry run for people (Slack mrkdwn), times in `timezone` (the asker's; the calendar's if None).

    People are shown as ids (or e-mails) as written; `mentions=True` writes Slack ids as <@U…> for an
    ephemeral reply, where a mention notifies nobody (never use it in a message others can see).
    """
    zone = ZoneInfo(timezone or run.timezone)

    def person(who: str) -> str:
        return f"<@{who}>" if mentions and "@" not in who else who

    lines = [
        f"*Dry run*: {escape(run.customer_name)} ({run.customer}), {run.plan} plan, "
        f"{run.priority.label}, raised {_when(run.raised_at, zone)}",
        f"Business hours ({run.calendar}): {run.hours}",
        f"First response due {_when(run.first_response_due, zone)} "
        f"({business_duration(run.targets[FIRST_RESPONSE], run.day)})",
    ]
    if run.resolution_due is None:
        lines.append(f"Resolution: the {run.plan} plan sets no resolution target for {run.priority.value}")
    else:
        target = business_duration(run.targets[RESOLUTION], run.day)
        lines.append(f"Resolution due {_when(run.resolution_due, zone)} ({target})")
    if NEXT_RESPONSE in run.targets:
        lines.append(
            f"Next response: within {business_duration(run.targets[NEXT_RESPONSE], run.day)} after each "
            "customer message, once claimed (paused while waiting on the customer)"
        )
    if UPDATE_EVERY in run.targets:
        lines.append(
            "Updates: one the customer sees at least every "
            f"{business_duration(run.targets[UPDATE_EVERY], run.day)} from the claim while open "
            "(owner reminded at 75 %, the lead level told of a miss)"
        )
    lines.append("Escalation ladder:" if run.steps else "Escalation ladder: no steps")
    timed = sorted((s for s in run.steps if s.at is not None), key=lambda s: s.at or run.raised_at)
    on_miss = [s for s in run.steps if s.at is None]
    for n, step in enumerate([*timed, *on_miss], 1):  # in time order (stable on ties), then per miss
        who = ", ".join(person(w) for w in step.who)
        if step.own:
            who += f": {escape(run.customer_name)}'s own"
        if step.at is None:
            lines.append(
                f"{n}. at each missed {CLOCK_LABELS[step.after]} target: page {step.page} ({who} now), "
                f"unless {step.unless}"
            )
        elif step.repeat:
            lines.append(
                f"{n}. {_when(step.at, zone)}: page {step.page} ({who}) again (repeat {step.repeat}), "
                f"unless {step.unless} or someone on that level acknowledged"
            )
        else:
            after = f"its {CLOCK_LABELS[step.after]} target" if step.after in TARGET_NAMES else step.after
            lines.append(
                f"{n}. {_when(step.at, zone)}: page {step.page} ({who}), after {after}, unless {step.unless}"
            )
        if step.ack_timeout is not None:  # one line under the step it belongs to
            lines.append(f"    pages again if acknowledged but idle for {span(step.ack_timeout)}")
    lines.append(f"Times in {zone.key}.")
    return "\n".join(lines)


def plan_summaries(policy: Policy) -> list[str]:
    """One line per plan for check-config: its hours and its targets per priority."""
    lines = []
    for name, plan in policy.plans.items():
        hours = policy.calendars[plan.calendar].describe()
        first = ", ".join(f"{p.value} {span(plan.first_response[p])}" for p in plan.priorities)
        if plan.resolution:
            resolution = "resolution " + ", ".join(
                f"{p.value} {span(plan.resolution[p])}" for p in Priority if p in plan.resolution
            )
        else:
            resolution = "no resolution targets"
        recurring = "".join(
            f"; {label} " + ", ".join(f"{p.value} {span(t)}" for p, t in sorted(targets.items()))
            for label, targets in (
                ("next response", plan.next_response),
                ("updates every", plan.update_every),
            )
            if targets
        )
        own = "; own ladder" if plan.ladder is not None else ""
        rank = f"; rank {plan.rank}" if plan.rank != DEFAULT_RANK else ""
        lines.append(
            f"{name}: {hours} ({plan.calendar}); first response {first}; {resolution}{recurring}{own}{rank}"
        )
    return lines


def customer_contacts(policy: Policy) -> list[str]:
    """One line per customer that names its own people for escalation levels, for check-config."""
    lines = []
    for key, customer in policy.customers.items():
        for level, people in customer.escalation.items():
            lines.append(f"{key}: {level} level is {', '.join(people)} for {customer.name}'s tickets")
    return lines
