"""`/support plan`: a customer's plan in plain words, for key users and engineers."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.billing import terms
from bot.durations import business_duration
from bot.policy import CalendarSpec, Policy
from bot.text import escape

CHANNEL_WORDS = {"slack": "Slack", "email": "e-mail", "web": "the web portal", "phone": "phone callbacks"}


def plan_text(
    policy: Policy, customer_key: str, now: datetime, timezone: str, extra: list[str] | None = None
) -> str:
    """The plan of `customer_key` as its key users should read it; hours also in `timezone` (theirs)."""
    customer = policy.customers[customer_key]
    plan = policy.plans[customer.plan]
    calendar = policy.calendars[plan.calendar]
    lines = [f"*{escape(customer.name)}: {escape(policy.plan_label(customer.plan))} plan*"]
    lines.append(f"*Support hours:* {_hours(calendar, now, timezone)}")
    lines.append("*Targets* (counted in support hours):")
    day = calendar.business_day
    for priority in plan.priorities:
        target = f"first response within {business_duration(plan.first_response[priority], day)}"
        if priority in plan.resolution:
            target += f", resolution within {business_duration(plan.resolution[priority], day)}"
        lines.append(f"• {priority.label}: {target}")
    lines.append("*Includes:* " + ", ".join(CHANNEL_WORDS[c] for c in plan.includes))
    if plan.max_key_users is not None:
        lines.append(f"*Key users:* up to {plan.max_key_users} ({len(customer.key_users)} named)")
    if policy.scope is not None:
        lines.append("*Covered by support:*")
        lines += [f"• {escape(c.label)}" for c in policy.scope.covered]
        if policy.scope.not_covered:
            lines.append("*Not covered (premium add-on services, paid):*")
            lines += [f"• {escape(c.label)}" for c in policy.scope.not_covered]
    contract = policy.contract_for(customer_key)
    lines += _addons(policy, customer_key, contract.currency)
    lines.append(f"*Contract:* {terms.describe(contract)}")
    lines += extra or []
    return "\n".join(lines)


def _addons(policy: Policy, customer_key: str, currency: str) -> list[str]:
    """The premium add-on services the customer bought, what each covers, and how it is billed."""
    lines = []
    for name in policy.customers[customer_key].addons:
        addon = policy.addons[name]
        scope = policy.scope
        covers = [escape(c.label) for key in addon.covers if scope and (c := scope.category(key))]
        lines.append(f"• {escape(terms.addon_words(addon, currency))} It covers: {'; '.join(covers)}.")
    return ["*Your add-on services:*", *lines] if lines else []


def _hours(calendar: CalendarSpec, now: datetime, timezone: str) -> str:
    """The hours as the policy writes them, and the next open span in the reader's own timezone."""
    described = calendar.describe()
    if calendar.hours == "24x7" or timezone == calendar.timezone:
        return described
    spans = calendar.business.open_spans(now, 7)
    if not spans:
        return described
    zone = ZoneInfo(timezone)
    start, end = (moment.astimezone(zone) for moment in spans[0])
    return f"{described} (for you, in {timezone}: {start:%a} {start:%H:%M}–{end:%H:%M}, and so on)"
