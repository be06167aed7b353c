"""Short texts for ephemeral answers."""

from __future__ import annotations

from bot.policy import Policy
from bot.text import escape, mention

APOLOGY = "Sorry, that didn't work: this button or form is not one Secondline knows. Nothing was changed."


def not_key_user_text(policy: Policy, customer: str | None) -> str:
    if customer is not None and customer in policy.customers:
        people = ", ".join(
            mention(uid) for uid in policy.customers[customer].key_users if uid.startswith("U")
        )
        name = escape(policy.customers[customer].name)
        return (
            f"Second-line support for {name} is raised by your key users: {people}. "
            "Please ask them first; they can escalate to us if they cannot solve it."
        )
    return (
        "Second-line support is raised through your company's key users. "
        "Please contact one of them; they can escalate to us if they cannot solve it."
    )
