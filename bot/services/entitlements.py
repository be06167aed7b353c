"""What a customer's plan and contract entitle them to at intake: the priorities it offers, a phone
callback where it includes phone, and whether a category is covered or must be confirmed as paid work."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.billing.terms import PaidWork, addon_words, paid_work
from bot.ids import Block
from bot.policy import Policy, Priority
from bot.services.errors import NeedsConfirmation
from bot.text import escape

PHONE = re.compile(r"^[0-9 +\-()]{6,20}$")
PHONE_DIGITS_MIN = 6


@dataclass(frozen=True)
class Scoped:
    category: str | None
    paid_request: bool
    addon: str | None = None  # the premium add-on the customer bought that covers the category


class Entitlements:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    def priority_error(self, customer: str, priority: Priority) -> str | None:
        plan_key = self.policy.customers[customer].plan
        if self.policy.plans[plan_key].offers(priority):
            return None
        name = self.policy.customers[customer].name
        return f"{priority.label} is not part of {name}'s {self.policy.plan_label(plan_key)} plan."

    def phone_error(self, customer: str, phone: str) -> str | None:
        plan_key = self.policy.customers[customer].plan
        if not self.policy.plans[plan_key].phone:
            return f"Phone callbacks are not part of the {self.policy.plan_label(plan_key)} plan."
        if not PHONE.match(phone) or sum(c.isdigit() for c in phone) < PHONE_DIGITS_MIN:
            return "Write a phone number with digits, spaces, +, - or parentheses (6 to 20 characters)."
        return None

    def addon_words(self, customer: str, category: str | None) -> str | None:
        """How the customer's add-on covers `category` (mrkdwn), for the form, the DM and reclassifying."""
        bought = self.policy.addon_for(customer, category)
        if bought is None:
            return None
        return escape(addon_words(bought[1], self.policy.contract_for(customer).currency))

    def paid_work(self, customer: str) -> PaidWork:
        account_manager = self.policy.customers[customer].account_manager
        ask = f"<@{account_manager}>" if account_manager else "your account manager"
        return paid_work(self.policy.contract_for(customer), ask)

    def scope(
        self,
        customer: str,
        category: str | None,
        confirmed: bool,
        shown_for: str | None,
        errors: dict[str, str],
    ) -> Scoped:
        """Check the chosen category. A not-covered one raises NeedsConfirmation (the form then shows why,
        and what paid work costs); once shown, it must be confirmed, or errors if it cannot be billed."""
        scope = self.policy.scope
        if scope is None:
            return Scoped(None, False)
        chosen = scope.category(category)
        if chosen is None or category is None:
            errors[Block.CATEGORY] = "Say what the ticket is about."
            return Scoped(None, False)
        if scope.is_covered(category):
            return Scoped(category, False)
        bought = self.policy.addon_for(customer, category)
        if bought is not None:  # covered by an add-on: no confirmation; paid at its rate if it has one
            name, addon = bought
            return Scoped(category, addon.rate is not None, name)
        terms = self.paid_work(customer)
        if shown_for != category:
            raise NeedsConfirmation(category, getattr(chosen, "why", ""), terms.text, terms.possible)
        if not terms.possible:
            errors[Block.CATEGORY] = terms.text
        elif not confirmed:
            errors[Block.PAID_CONFIRM] = (
                "Tick the box to raise it as a paid request, or choose what it is about."
            )
        return Scoped(category, True)
