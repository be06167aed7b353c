"""An account at a glance: one customer's last 30 days (or a period), read from the database and put
together by the pure bot/reports/account.py. For `/support account` and `python -m bot account`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.billing.bank import bank_status
from bot.billing.statement import Month, deposit_now
from bot.clock import Clock
from bot.policy import Policy
from bot.policy.contracts import BankContract
from bot.reports.account import Account, Balance, OpenTicket, tally
from bot.reports.digests import day_start
from bot.reports.load import engineering_since, load_ticket_facts
from bot.reports.sla_report import CsatTally, EngineeringWait
from bot.services import answers
from bot.services.errors import NotFound
from bot.services.sla import FIRST_RESPONSE
from bot.services.statements import Statements
from bot.services.timesheet import billing_today
from bot.text import escape
from models import SlaClock, Ticket, TicketStatus

DEFAULT_DAYS = 30
OPEN_SHOWN = 20  # an account with more open tickets lists the first 20 (oldest first) and counts the rest


@dataclass
class Accounts:
    policy: Policy
    clock: Clock
    statements: Statements

    def zone(self, customer: str) -> str:
        return self.statements.timesheet.billing_zone(customer)

    def period(
        self, customer: str, first: date | None = None, after: date | None = None
    ) -> tuple[datetime, datetime]:
        """[first, after) as days where the customer's support runs; by default the last 30 days."""
        if customer not in self.policy.customers:
            raise NotFound(f"There is no customer {escape(customer)!r}.")
        zone = self.zone(customer)
        today = billing_today(self.policy, customer, self.clock.now())
        after = after or today + timedelta(days=1)
        first = first or after - timedelta(days=DEFAULT_DAYS)
        return day_start(first, zone), day_start(after, zone)

    async def summary(self, customer: str, start: datetime, end: datetime) -> Account:
        if customer not in self.policy.customers:
            raise NotFound(f"There is no customer {escape(customer)!r}.")
        now = self.clock.now()
        facts = await load_ticket_facts(start, end, customer)
        tickets, first, resolution, pages = tally(facts, list(self.policy.escalation.levels), now)
        paid = await Ticket.filter(
            customer=customer, created_at__gte=start, created_at__lt=end, paid_request=True
        ).count()
        zone = ZoneInfo(self.zone(customer))
        first_day = start.astimezone(zone).date()
        last_day = (end - timedelta(microseconds=1)).astimezone(zone).date()
        entries = await self.statements.timesheet.billing_entries(customer)
        minutes = sum(e.minutes for e in entries if first_day <= e.worked_on <= last_day)
        contract = self.policy.contract_for(customer)
        today = billing_today(self.policy, customer, now)
        balance = Balance()
        if isinstance(contract, BankContract):
            bank = bank_status(contract, entries, today)
            balance = Balance(bank.purchased, bank.left, bank.expiring_on)
        deposit = deposit_now(contract, entries, today)
        if deposit is not None:
            balance = Balance(
                deposit_paid=deposit.paid, deposit_balance=deposit.balance, deposit_minimum=deposit.minimum
            )
        month = Month(today.year, today.month)
        statement = await self.statements.build(customer, month)
        totals = statement.totals
        charges = totals.deposit.charged if totals.deposit is not None else totals.amount
        return Account(
            customer=customer,
            name=self.policy.customers[customer].name,
            start=start,
            end=end,
            tickets=tickets,
            first_response=first,
            resolution=resolution,
            pages=pages,
            paid_requests=paid,
            minutes=minutes,
            currency=contract.currency,
            balance=balance,
            month=str(month),
            month_charges=charges,
            open=tuple(await self._open(customer)),
            open_count=await Ticket.filter(customer=customer, status__not=TicketStatus.RESOLVED).count(),
            satisfaction=CsatTally.of(facts),
            waiting_on_engineering=await self._engineering_wait(customer, now),
            deflected=await answers.deflections_in(start, end, customer),
        )

    async def _engineering_wait(self, customer: str, now: datetime) -> EngineeringWait:
        """Fix-pending tickets, each waiting since it was last resolved as a product defect."""
        return EngineeringWait.of((await engineering_since(customer)).values(), now)

    async def _open(self, customer: str) -> list[OpenTicket]:
        """Open tickets, oldest first, each with the due time of its running clock (first response first)."""
        rows = (
            await Ticket.filter(customer=customer, status__not=TicketStatus.RESOLVED)
            .order_by("id")
            .limit(OPEN_SHOWN)
        )
        running: dict[int, list[tuple[str, datetime]]] = {}
        for clock in await SlaClock.filter(
            ticket_id__in=[t.id for t in rows], stopped_at__isnull=True, due_at__isnull=False
        ).values("ticket_id", "name", "due_at"):
            running.setdefault(clock["ticket_id"], []).append((clock["name"], clock["due_at"]))
        shown = []
        for ticket in rows:
            clocks = sorted(running.get(ticket.id, []), key=lambda c: (c[0] != FIRST_RESPONSE, c[1]))
            name, due = clocks[0] if clocks else (None, None)
            shown.append(OpenTicket(ticket.ref, ticket.priority, ticket.title, ticket.status, due, name))
        return shown
