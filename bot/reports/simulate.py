"""Policy dry-run, pure: what would happen to a ticket raised now, without Slack or the database.

The answer is worked out by the functions the bot itself uses, so it cannot disagree with the bot:
  * targets: the policy snapshot stored with a new ticket (`intake.policy_snapshot`) read back by
    `sla.targets_for`;
  * due times: `sla_time.due_at` of a freshly started clock, on the plan's calendar (`CalendarSpec.add`);
  * ladder: `Policy.ladder_for`, each step at `calendar.add(raised_at, step.offset(targets))` (as
    `services.ladder` schedules it);
  * who: `Directory.on_duty` at the step's instant (rotations resolved by `oncall.current_shift`),
    without repeats; e-mail people are shown as written (the bot looks them up in Slack when paging);
  * a step's `repeat`: each repeat at its own instant, as `services.ladder` schedules them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import sla_time
from bot.clock import as_utc
from bot.policy import TARGET_NAMES, Policy, Priority
from bot.policy.plans import DEFAULT_RANK
from bot.services.directory import Directory
from bot.services.intake import policy_snapshot
from bot.services.sla import CLOCK_LABELS, FIRST_RESPONSE, RESOLUTION, targets_for
from bot.text import escape
from models import ClockState, SlaClock, Ticket


@dataclass(frozen=True)
class PlannedStep:
    page: str  # the level
    at: datetime  # UTC
    who: tuple[str, ...]  # on duty at `at`: Slack ids, or e-mails as written
    unless: str
    after: str  # as written: a duration or a target name
    repeat: int = 0  # n: the step's n-th repeat, paged only if nobody on the level acknowledged by then


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


async def _no_lookup(email: str) -> str | None:  # pragma: no cover - a dry run never looks people up
    return None


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

    directory = Directory(policy, _no_lookup)
    steps: list[PlannedStep] = []
    for step in policy.ladder_for(plan, level):
        offsets = step.offsets(targets)  # the step, then its repeats
        if not offsets:  # pragma: no cover - the policy refuses steps after targets a plan does not set
            raise ValueError(f"a {plan} ladder step pages after a {step.after} target the plan does not set")
        for repeat, offset in enumerate(offsets):
            at = calendar.add(ticket.created_at, offset)
            who = tuple(dict.fromkeys(directory.on_duty(step.page, at).people))
            steps.append(PlannedStep(step.page, at, who, step.unless, step.after, repeat))
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
        "steps": [
            {
                "page": s.page,
                "at": _iso(s.at, tz),
                "who": list(s.who),
                "unless": s.unless,
                **({"repeat": s.repeat} if s.repeat else {}),
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
        f"({span(run.targets[FIRST_RESPONSE])} of business time)",
    ]
    if run.resolution_due is None:
        lines.append(f"Resolution: the {run.plan} plan sets no resolution target for {run.priority.value}")
    else:
        target = span(run.targets[RESOLUTION])
        lines.append(f"Resolution due {_when(run.resolution_due, zone)} ({target} of business time)")
    lines.append("Escalation ladder:" if run.steps else "Escalation ladder: no steps")
    for n, step in enumerate(sorted(run.steps, key=lambda s: s.at), 1):  # in time order (stable on ties)
        after = f"its {CLOCK_LABELS[step.after]} target" if step.after in TARGET_NAMES else step.after
        who = ", ".join(person(w) for w in step.who)
        if step.repeat:
            lines.append(
                f"{n}. {_when(step.at, zone)}: page {step.page} ({who}) again (repeat {step.repeat}), "
                f"unless {step.unless} or someone on that level acknowledged"
            )
            continue
        lines.append(
            f"{n}. {_when(step.at, zone)}: page {step.page} ({who}), after {after}, unless {step.unless}"
        )
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
        own = "; own ladder" if plan.ladder is not None else ""
        rank = f"; rank {plan.rank}" if plan.rank != DEFAULT_RANK else ""
        lines.append(f"{name}: {hours} ({plan.calendar}); first response {first}; {resolution}{own}{rank}")
    return lines
