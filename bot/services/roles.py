"""Who someone is to a ticket (key user, reporter, owner, engineer, escalation), and the permission check."""

from __future__ import annotations

from collections.abc import Callable

from bot.permissions import EMAIL_ACTOR, Do, Role, allowed, refusal
from bot.policy import Policy
from bot.services.errors import NotAllowed
from models import Ticket


class Roles:
    def __init__(self, policy: Policy, is_escalation: Callable[[str], bool] | None = None) -> None:
        self.policy = policy
        # Leads, managers, executives; the directory knows those listed by e-mail once looked up.
        self.is_escalation = is_escalation or policy.escalation_people.__contains__

    def of(self, user_id: str, ticket: Ticket | None = None) -> set[Role]:
        roles: set[Role] = set()
        if self.policy.is_engineer(user_id):
            roles.add(Role.ENGINEER)
        if self.is_escalation(user_id):
            roles.add(Role.ESCALATION)
        if ticket is None:
            if self.policy.customers_of(user_id):
                roles.add(Role.KEY_USER)
            if any(c.account_manager == user_id for c in self.policy.customers.values()):
                roles.add(Role.ACCOUNT_MANAGER)
            return roles
        customer = self.policy.customers.get(ticket.customer)
        if customer is not None and (user_id in customer.key_users or user_id == EMAIL_ACTOR):
            roles.add(Role.KEY_USER)
        if customer is not None and customer.account_manager == user_id:
            roles.add(Role.ACCOUNT_MANAGER)
        if user_id == ticket.reporter_id:
            roles.add(Role.REPORTER)
        if ticket.owner_id == user_id:
            roles.add(Role.OWNER)
        return roles

    def is_staff(self, user_id: str) -> bool:
        """A support engineer or anyone on an escalation level: the vendor's side."""
        return bool(self.of(user_id) & {Role.ENGINEER, Role.ESCALATION})

    def of_customer(self, user_id: str, customer: str) -> set[Role]:
        """Roles towards a customer rather than a ticket (statements, hours)."""
        roles = self.of(user_id) - {Role.KEY_USER, Role.ACCOUNT_MANAGER}
        spec = self.policy.customers.get(customer)
        if spec is not None and user_id in spec.key_users:
            roles.add(Role.KEY_USER)
        if spec is not None and spec.account_manager == user_id:
            roles.add(Role.ACCOUNT_MANAGER)
        return roles

    def require_for_customer(self, action: Do, user_id: str, customer: str) -> None:
        if not allowed(self.policy.permission_table, action, self.of_customer(user_id, customer)):
            raise NotAllowed(refusal(self.policy.permission_table, action))

    def require(
        self, action: Do, user_id: str, ticket: Ticket | None = None, extra: set[Role] | None = None
    ) -> None:
        roles = self.of(user_id, ticket) | (extra or set())
        if not allowed(self.policy.permission_table, action, roles):
            raise NotAllowed(refusal(self.policy.permission_table, action))
