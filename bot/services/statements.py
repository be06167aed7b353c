"""Monthly statements and where a customer stands: computed from the time entries and the policy by the
pure arithmetic of bot/billing/, read from the database here. An issued statement is frozen as issued.

A month's statement is issued once the month has ended where the customer's support runs (its plan
calendar's timezone, the zone of "date worked"). Leads and managers may withdraw an issued statement:
the copy as issued is kept with who withdrew it, the month's time can change again, and the next issue
says which statement it replaces.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from bot.billing import export, worktime
from bot.billing.bank import bank_status
from bot.billing.money import format_money
from bot.billing.statement import Month, Statement, Withdrawal, statement_for
from bot.billing.terms import describe
from bot.clock import Clock
from bot.permissions import Do
from bot.policy import Policy
from bot.policy.contracts import BankContract
from bot.services.errors import NotFound, ServiceError
from bot.services.roles import Roles
from bot.services.timesheet import Timesheet, billing_ticket, billing_today, format_duration_minutes
from bot.text import escape
from models import IssuedStatement, Ticket, TicketStatus, WithdrawnStatement

log = logging.getLogger(__name__)

REASON_MAX = 300


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
        replaces = await self.last_withdrawal(customer, month)
        frozen = await IssuedStatement.get_or_none(customer=customer, month=str(month))
        if frozen is not None:
            totals = json.loads(frozen.json).get("totals", {})
            summary = self._summary(customer, month, totals, issued=True, replaces=replaces)
            return StatementFile(customer, month, frozen.csv, frozen.json, True, summary)
        statement = await self.build(customer, month)
        as_json = export.to_json(statement, replaces)
        totals = json.loads(as_json).get("totals", {})
        summary = self._summary(customer, month, totals, issued=False, replaces=replaces)
        return StatementFile(customer, month, export.to_csv(statement), as_json, False, summary)

    async def issue(self, customer: str, month: Month, by: str) -> StatementFile:
        """Freeze the month's statement: the copy kept is what was issued; the month's time is then fixed.

        Refused until the month has ended where the customer's support runs: issuing freezes the month's
        time, and a month still running has time to come. Issuing an issued month returns that copy.
        """
        self.roles.require_for_customer(Do.STATEMENT, by, self._customer(customer))
        if not await IssuedStatement.exists(customer=customer, month=str(month)):
            today = billing_today(self.policy, customer, self.clock.now())
            if not month.ended_by(today):
                raise ServiceError(self._not_ended(customer, month))
            current = await self.file(customer, month)
            try:
                await IssuedStatement.create(
                    customer=customer,
                    month=str(month),
                    issued_at=self.clock.now(),
                    issued_by=by,
                    csv=current.csv,
                    json=current.json,
                )
            except IntegrityError:
                pass  # issued at the same moment by someone else: theirs is the copy kept
            else:
                log.info("statement %s %s issued by %s", customer, month, by)
        return await self.file(customer, month)

    async def withdraw(self, customer: str, month: Month, by: str, reason: str = "") -> Withdrawal:
        """Take back an issued statement: its copy is kept with who withdrew it, and the month reopens."""
        self.roles.require_for_customer(Do.WITHDRAW_STATEMENT, by, self._customer(customer))
        reason = " ".join(reason.split())
        if len(reason) > REASON_MAX:
            raise ServiceError(f"Keep the reason under {REASON_MAX} characters. Nothing was changed.")
        now = self.clock.now()
        async with in_transaction():
            issued = await IssuedStatement.get_or_none(customer=customer, month=str(month))
            if issued is None:
                raise NotFound(
                    f"{self._title(customer, month)} is not issued, so there is nothing to withdraw. "
                    "Nothing was changed."
                )
            await WithdrawnStatement.create(
                customer=customer,
                month=str(month),
                issued_at=issued.issued_at,
                issued_by=issued.issued_by,
                withdrawn_at=now,
                withdrawn_by=by,
                reason=reason,
                csv=issued.csv,
                json=issued.json,
            )
            if not await IssuedStatement.filter(id=issued.id).delete():  # withdrawn meanwhile: undo ours
                raise NotFound(f"{self._title(customer, month)} was just withdrawn by someone else.")
        log.info("statement %s %s withdrawn by %s (issued by %s)", customer, month, by, issued.issued_by)
        return Withdrawal(issued.issued_at, issued.issued_by, now, by, reason)

    async def last_withdrawal(self, customer: str, month: Month) -> Withdrawal | None:
        """The month's most recently withdrawn statement: the one its next issue replaces."""
        row = (
            await WithdrawnStatement.filter(customer=customer, month=str(month))
            .order_by("-withdrawn_at", "-id")
            .first()
        )
        if row is None:
            return None
        return Withdrawal(row.issued_at, row.issued_by, row.withdrawn_at, row.withdrawn_by, row.reason)

    def withdrawn_text(self, customer: str, month: Month, withdrawal: Withdrawal) -> str:
        """What the person who withdrew a statement is told."""
        return (
            f"{self._title(customer, month)}, issued on {self._day(customer, withdrawal.issued_at)} by "
            f"{_who(withdrawal.issued_by)}, is withdrawn. The month's time can be logged and corrected "
            "again; the next issue will say it replaces this one."
        )

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
        deposits = self.timesheet.deposits
        deposit = await deposits.status(customer) if deposits is not None else None
        if deposits is not None and deposit is not None:
            lines.append(deposits.line(customer, deposit))
        month = Month(today.year, today.month)
        statement = await self.build(customer, month)
        spent = statement.totals.deposit.charged if statement.totals.deposit else statement.totals.amount
        charged = format_money(spent, statement.currency)
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

    def _title(self, customer: str, month: Month) -> str:
        name = escape(self.policy.customers[customer].name)
        return f"The statement of {month.first:%B %Y} for {name}"

    def _day(self, customer: str, at: datetime) -> str:
        """A moment as the date where the customer's support runs, like `8 Dec 2026`."""
        day = _local_date(at, ZoneInfo(self.timesheet.billing_zone(customer)))
        return f"{day.day} {day:%b %Y}"

    def _not_ended(self, customer: str, month: Month) -> str:
        after = month.after
        return (
            f"{self._title(customer, month)} cannot be issued before the month has ended: issue it on or "
            f"after {after.day} {after:%B %Y} (from midnight, {self.timesheet.billing_zone(customer)} "
            "time). Nothing was issued."
        )

    def _summary(
        self,
        customer: str,
        month: Month,
        totals: dict[str, object],
        *,
        issued: bool,
        replaces: Withdrawal | None,
    ) -> str:
        name = escape(self.policy.customers[customer].name)
        currency = self.policy.contract_for(customer).currency
        amount = format_money(_decimal(totals.get("amount")), currency)
        minutes = int(str(totals.get("minutes") or 0))
        state = "issued" if issued else "draft, not issued"
        recorded = format_duration_minutes(minutes) if minutes else "no time"
        summary = f"Statement of {month.first:%B %Y} for {name} ({state}): {recorded} recorded, {amount}."
        deposit = totals.get("deposit")
        if isinstance(deposit, dict):  # the amount is charges less payments; say both, and the balance
            paid, charged, balance = (
                format_money(_decimal(deposit.get(key)), currency) for key in ("paid", "charged", "balance")
            )
            summary = (
                f"Statement of {month.first:%B %Y} for {name} ({state}): {recorded} recorded, {charged} "
                f"charged, {paid} paid into the deposit; deposit balance {balance}."
            )
        if replaces is None:
            return summary
        earlier = (
            f"the statement issued on {self._day(customer, replaces.issued_at)} by "
            f"{_who(replaces.issued_by)}, withdrawn by {_who(replaces.withdrawn_by)} on "
            f"{self._day(customer, replaces.withdrawn_at)}"
            + (f" ({escape(replaces.reason)})" if replaces.reason else "")
        )
        return f"{summary} It replaces {earlier}." if issued else f"{summary} Issuing it replaces {earlier}."

    async def _resolved_tickets(self, customer: str, month: Month) -> list[worktime.Ticket]:
        """Tickets resolved in the month, for per-incident lines even when no time was recorded."""
        zone = ZoneInfo(self.timesheet.billing_zone(customer))
        start = datetime.combine(month.first, time.min, zone)
        end = datetime.combine(month.last + timedelta(days=1), time.min, zone)
        rows = await Ticket.filter(
            customer=customer, status=TicketStatus.RESOLVED, resolved_at__gte=start, resolved_at__lt=end
        ).only("id", "priority", "paid_request", "resolved_at", "addon")
        return [billing_ticket(t, zone.key, self.policy) for t in rows if t.resolved_at is not None]


def _who(actor: str) -> str:
    """A Slack user as a mention; the command line (`cli`) as words."""
    return f"<@{actor}>" if actor[:1] in ("U", "W") and actor.isalnum() else "the command line"


def _local_date(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def _decimal(value: object) -> Decimal:
    return Decimal(str(value or "0"))
