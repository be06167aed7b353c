"""`/support plan [customer]`: a customer's plan in plain words (key users: their own; staff: any)."""

from __future__ import annotations

from bot.blocks.plan_text import plan_text
from bot.text import escape
from handlers.deps import Deps


async def plan(deps: Deps, user_id: str, args: list[str]) -> str:
    policy = deps.policy
    own = policy.customers_of(user_id)
    staff = deps.roles.is_staff(user_id)
    wanted = args[0].lower() if args else None
    if wanted is not None and wanted not in policy.customers:
        known = ", ".join(sorted(policy.customers)) if staff else ", ".join(own)
        return f"There is no customer {escape(wanted)!r}. Customers: {known}."
    if wanted is None:
        if not own:
            if staff:
                return (
                    "Whose plan? Write `/support plan acme` (customers: "
                    + ", ".join(sorted(policy.customers))
                    + ")."
                )
            return "Only your company's key users and the support team can see support plans."
        chosen = own
    elif wanted in own or staff:
        chosen = [wanted]
    else:
        return "You can see your own company's plan only. Nothing was changed."
    timezone = await deps.notifier.timezone_of(user_id, "UTC")
    now = deps.clock.now()
    return "\n\n".join(plan_text(policy, key, now, timezone) for key in chosen)
