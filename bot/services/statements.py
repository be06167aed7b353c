"""Monthly statements and where a customer stands: computed from the time entries and the policy by the
pure arithmetic of bot/billing/, read from the database here. An issued statement is frozen as issued."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.billing import export, worktime
from bot.billing.bank import bank_status
from bot.billing.money import format_money
from bot.billing.statement import Month, Statement, statement_for
from bot.billing.terms import describe
from bot.clock import Clock
from bot.permissions import Do
from bot.policy import Policy
from bot.policy.contracts import BankContract
from bot.services.errors import NotFound
from bot.services.roles import Roles
from bot.services.timesheet import Timesheet, billing_today, format_duration_minutes
from bot.text import escape
from models import IssuedStatement, Ticket, TicketStatus


@dataclass(frozen=True)
class StatementFile:
    customer: str
    month: Month
    csv: str
    json: str
    issued: bool
    summary: str  # one line for people: totals


@dataclass
class Statements:
    policy: Policy
    clock: Clock
    roles: Roles
    timesheet: Timesheet

    def _customer(self, key: str) -> str:
        if key not in self.policy.customers:
            raise NotFound(f"There is no customer {escape(key)!r}.")
        return key

    async def build(self, customer: str, month: Month) -> Statement:
        self._customer(customer)
        entries = await self.timesheet.billing_entries(customer)
        resolved = await self._resolved_tickets(customer, month)
        return statement_for(self.policy, customer, entries, month, resolved)

    async def file(self, customer: str, month: Month) -> StatementFile:
        """The month's statement: the frozen copy once issued, else computed now."""
        self._customer(customer)
        frozen = await IssuedStatement.get_or_none(customer=customer, month=str(month))
        if frozen is not None:
            totals = json.loads(frozen.json).get("totals", {})
            summary = self._summary(customer, month, totals, issued=True)
            return StatementFile(customer, month, frozen.csv, frozen.json, True, summary)
        statement = await self.build(customer, month)
        as_json = export.to_json(statement)
        summary = self._summary(customer, month, json.loads(as_json).get("totals", {}), issued=False)
        return StatementFile(customer, month, export.to_csv(statement), as_json, False, summary)

    async def issue(self, customer: str, month: Month, by: str) -> StatementFile:
        """Freeze the month's statement: the copy kept is what was issued; the month's time is then fixed."""
        self.roles.require_for_customer(Do.STATEMENT, by, self._customer(customer))
        current = await self.file(customer, month)
        if not current.issued:
            await IssuedStatement.create(
                customer=customer,
                month=str(month),
                issued_at=self.clock.now(),
                issued_by=by,
                csv=current.csv,
                json=current.json,
            )
        return await self.file(customer, month)

    async def hours(self, customer: str) -> str:
        """Where a customer stands: the contract, the bank or this month's charges, the last entries."""
        self._customer(customer)
        name = escape(self.policy.customers[customer].name)
        contract = self.policy.contract_for(customer)
        today = billing_today(self.policy, customer, self.clock.now())
        lines = [f"*{name}*: {describe(contract)}"]
        entries = await self.timesheet.billing_entries(customer)
        if isinstance(contract, BankContract):
            status = bank_status(contract, entries, today)
            used = format_duration_minutes(status.used) if status.used else "nothing"
            left = format_duration_minutes(status.left) if status.left else "nothing"
            expiring = (
                f", {format_duration_minutes(status.expiring)} of it expiring {status.expiring_on:%d %b %Y}"
                if status.expiring_on
                else ""
            )
            lines.append(f"*Bank:* {used} used of {status.purchased / 60:g} hours, {left} left{expiring}.")
        month = Month(today.year, today.month)
        statement = await self.build(customer, month)
        charged = format_money(statement.totals.amount, statement.currency)
        logged = format_duration_minutes(statement.totals.minutes) if statement.totals.minutes else "no time"
        lines.append(f"*{month.first:%B %Y} so far:* {logged} recorded, {charged} charged.")
        recent = await self.timesheet.recent(customer)
        if recent:
            lines.append("*Last entries:*")
            refs = {t.id: t.ref for t in await Ticket.filter(id__in=[e.ticket_id for e in recent]).only("id")}
            lines += [
                f"• {e.worked_on:%d %b} · {refs.get(e.ticket_id, '?')} · <@{e.agent}> · "
                f"{format_duration_minutes(e.minutes)}"
                for e in recent
            ]
        else:
            lines.append("_No time recorded yet._")
        return "\n".join(lines)

    def _summary(self, customer: str, month: Month, totals: dict[str, object], *, issued: bool) -> str:
        name = escape(self.policy.customers[customer].name)
        currency = self.policy.contract_for(customer).currency
        amount = format_money(_decimal(totals.get("amount")), currency)
        minutes = int(str(totals.get("minutes") or 0))
        state = "issued" if issued else "draft, not issued"
        recorded = format_duration_minutes(minutes) if minutes else "no time"
        return f"Statement of {month.first:%B %Y} for {name} ({state}): {recorded} recorded, {amount}."

    async def _resolved_tickets(self, customer: str, month: Month) -> list[worktime.Ticket]:
        """Tickets resolved in the month, for per-incident lines even when no time was recorded."""
        zone = ZoneInfo(self.timesheet.billing_zone(customer))
        start = datetime.combine(month.first, time.min, zone)
        end = datetime.combine(month.last + timedelta(days=1), time.min, zone)
        rows = await Ticket.filter(
            customer=customer, status=TicketStatus.RESOLVED, resolved_at__gte=start, resolved_at__lt=end
        ).only("id", "priority", "paid_request", "resolved_at")
        return [
            worktime.Ticket(t.ref, t.priority, t.paid_request, _local_date(t.resolved_at, zone))
            for t in rows
            if t.resolved_at is not None
        ]


def _local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def _decimal(value: object) -> Decimal:
    return Decimal(str(value or "0"))
