"""Prepaid deposits as they stand: the balance, refusing new tickets below the minimum, and the alerts.

The balance is computed from the policy's payments and the time entries by the pure bot/billing/
(a payment added to the policy counts once the bot is restarted with it). Each alert is sent once per
payment and level: a `DepositAlert` row, unique per customer, payment and level, is written in the same
transaction as its messages, so neither a restart nor a second replica sends it twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from tortoise.exceptions import IntegrityError

from bot.billing.deposit import MINIMUM, DepositStatus, Level, due_alerts
from bot.billing.money import format_money
from bot.billing.statement import deposit_now
from bot.clock import Clock
from bot.jobs.kinds import TellPerson
from bot.jobs.queue import JobQueue
from bot.policy import Policy
from bot.services.timesheet import billing_today, load_billing_entries
from bot.text import escape
from models import DepositAlert, Ticket

log = logging.getLogger(__name__)


@dataclass
class Deposits:
    policy: Policy
    clock: Clock
    jobs: JobQueue

    async def status(self, customer: str) -> DepositStatus | None:
        """The customer's deposit today, or None when its contract holds none."""
        contract = self.policy.contract_for(customer)
        if getattr(contract, "deposit", None) is None:
            return None
        entries = await load_billing_entries(self.policy, customer)
        return deposit_now(contract, entries, billing_today(self.policy, customer, self.clock.now()))

    def money(self, customer: str, amount: Decimal) -> str:
        return format_money(amount, self.policy.contract_for(customer).currency)

    def contact(self, customer: str) -> str:
        manager = self.policy.customers[customer].account_manager
        return f"your account manager, <@{manager}>" if manager else "your account manager"

    async def refusal(self, customer: str) -> str | None:
        """Why the customer's key users cannot raise a ticket now (the deposit is below its minimum)."""
        status = await self.status(customer)
        if status is None or not status.blocked:
            return None
        name = escape(self.policy.customers[customer].name)
        return (
            f"{name}'s prepaid deposit is below its minimum: {self.money(customer, status.balance)} left, "
            f"at least {self.money(customer, status.minimum)} is needed to raise a ticket. Please ask "
            f"{self.contact(customer)}, to top it up."
        )

    def line(self, customer: str, status: DepositStatus) -> str:
        """For `/support hours`: the balance, and what it was paid with."""
        last = status.last_payment
        paid = (
            f", last paid {self.money(customer, last.amount)} on {last.day.day} {last.day:%b %Y}"
            if last
            else ""
        )
        blocked = " New tickets cannot be raised until it is topped up." if status.blocked else ""
        left, paid_in = self.money(customer, status.balance), self.money(customer, status.paid)
        minimum = self.money(customer, status.minimum)
        return f"*Deposit:* {left} left of {paid_in} paid{paid} (minimum {minimum}).{blocked}"

    async def after_charge(self, ticket: Ticket, engineer: str | None = None) -> None:
        """After a charge (time logged, a ticket resolved): warn the engineer who logged time on an open
        ticket when the deposit is below its minimum, and send the alerts now due, each once."""
        status = await self.status(ticket.customer)
        if status is None:
            return
        customer = self.policy.customers[ticket.customer]
        name = escape(customer.name)
        if engineer is not None and status.blocked and ticket.resolved_at is None:
            left = self.money(ticket.customer, status.balance)
            text = (
                f"{name}'s prepaid deposit is below its minimum ({left} left): your time is recorded, but "
                "the customer cannot raise new tickets until it is topped up."
            )
            async with self.jobs.transaction():
                await self.jobs.enqueue(TellPerson(ticket_id=ticket.id, to=engineer, text=text))
        sent = set(
            await DepositAlert.filter(customer=ticket.customer, payment=status.payment_key).values_list(
                "level", flat=True
            )
        )
        for level in due_alerts(status, {str(s) for s in sent}):
            await self._alert(ticket, status, level)

    async def _alert(self, ticket: Ticket, status: DepositStatus, level: Level) -> None:
        customer = self.policy.customers[ticket.customer]
        name = escape(customer.name)
        balance = self.money(ticket.customer, status.balance)
        manager = [customer.account_manager] if customer.account_manager else []
        if level.what == MINIMUM:
            people = manager  # the account manager arranges the top-up
            text = (
                f"{name}'s prepaid deposit has fallen below its minimum of "
                f"{self.money(ticket.customer, status.minimum)}: {balance} left. Its key users cannot raise "
                "tickets until it is topped up (a payment added to the policy counts once the bot restarts)."
            )
        else:
            assert status.last_payment is not None
            people = [*customer.key_users, *manager]
            text = (
                f"{name}'s prepaid deposit is below {level.what} % of its last payment of "
                f"{self.money(ticket.customer, status.last_payment.amount)}: {balance} left."
            )
        try:
            async with self.jobs.transaction():
                await DepositAlert.create(
                    customer=ticket.customer,
                    payment=status.payment_key,
                    level=level.what,
                    sent_at=self.clock.now(),
                )
                for person in dict.fromkeys(people):
                    await self.jobs.enqueue(TellPerson(ticket_id=ticket.id, to=person, text=text))
        except IntegrityError:
            return  # another replica sent it meanwhile
        log.info("%s: deposit alert %s for %s", ticket.ref, level.what, ticket.customer)
