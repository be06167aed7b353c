"""What a support manager gets: the SLA report for a period with its chart and CSV, and per customer the
headline figures and the hours and charges recorded. Used by /support report and by the digests."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.billing.money import format_money
from bot.billing.statement import PAYMENT, Month
from bot.clock import Clock
from bot.policy import Policy
from bot.reports import charts, export
from bot.reports.digests import day_start
from bot.reports.load import load_report
from bot.reports.sla_report import Achievement, CsatTally, SlaReport
from bot.services import answers
from bot.services.accounts import Accounts
from bot.services.statements import Statements
from bot.services.timesheet import format_duration_minutes
from bot.text import escape


@dataclass(frozen=True)
class ReportBundle:
    title: str
    text: str  # the headline message, mrkdwn
    csv: str
    png: bytes
    filename: str  # without extension


def period_of(word: str, now: datetime, timezone: str) -> tuple[datetime, datetime, str]:
    """`week` (the 7 days to today), `month` (this month so far) or `YYYY-MM`, as [start, end) in UTC."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    tomorrow = today + timedelta(days=1)
    if word == "week":
        return (
            day_start(today - timedelta(days=6), timezone),
            day_start(tomorrow, timezone),
            "the last 7 days",
        )
    if word == "month":
        first = today.replace(day=1)
        return day_start(first, timezone), day_start(tomorrow, timezone), f"{first:%B %Y} so far"
    month = Month.parse(word)  # ValueError for anything else
    after = month.last + timedelta(days=1)
    return day_start(month.first, timezone), day_start(after, timezone), f"{month.first:%B %Y}"


@dataclass
class Reporting:
    policy: Policy
    clock: Clock
    statements: Statements

    @property
    def accounts(self) -> Accounts:
        """An account at a glance (`/support account`), from the same statements."""
        return Accounts(self.policy, self.clock, self.statements)

    async def bundle(
        self,
        start: datetime,
        end: datetime,
        label: str,
        *,
        customer: str | None = None,
        timezone: str = "UTC",
    ) -> ReportBundle:
        now = self.clock.now()
        report = await load_report(self.policy, start, end, now, customer=customer, timezone=timezone)
        title = f"Support report, {label}" + (f": {self.policy.customers[customer].name}" if customer else "")
        lines = [f"*{escape(title)}*"]
        customers = [customer] if customer else sorted({row.customer for row in report.rows})
        for key in customers:
            lines.append(await self._customer_line(report, key, start, end))
        if not customers:
            lines.append("_No tickets were raised in this period._")
        # Whenever raised: a defect raised last month may still wait on its fix (the rows count their own).
        lines.append(f"Waiting on engineering now: {report.waiting_on_engineering.words()}")
        deflected = await answers.deflections_in(start, end, customer)
        if deflected:  # requests a published answer solved: never raised, so in no row of the CSV
            lines.append(f"Solved by published answers (the key user said one solved it): {deflected}")
        local_start = start.astimezone(ZoneInfo(timezone))
        name = f"support-report-{local_start:%Y-%m-%d}" + (f"-{customer}" if customer else "")
        return ReportBundle(title, "\n".join(lines), export.to_csv(report), charts.render_chart(report), name)

    async def _customer_line(self, report: SlaReport, customer: str, start: datetime, end: datetime) -> str:
        rows = [row for row in report.rows if row.customer == customer]
        tickets = sum(row.tickets for row in rows)
        first = _total(row.first_response for row in rows)
        resolution = _total(row.resolution for row in rows)
        pages = sum(sum(row.pages) for row in rows)
        spec = self.policy.customers.get(customer)
        name = escape(spec.name if spec else customer)
        parts = [f"{tickets} ticket{'s' if tickets != 1 else ''}", f"first response {_pct(first)}"]
        if resolution.met + resolution.breached:
            parts.append(f"resolution {_pct(resolution)}")
        parts.append(f"{pages} page{'s' if pages != 1 else ''}")
        csat = CsatTally()
        for row in rows:
            csat += row.csat
        if csat.average is not None:
            parts.append(f"satisfaction {csat.words()}")
        if spec is not None:
            parts.append(await self._billing(customer, start, end))
        return f"• *{name}*: " + ", ".join(parts)

    async def _billing(self, customer: str, start: datetime, end: datetime) -> str:
        """Hours recorded and charges in the period, from the months' statements (lines by date worked)."""
        zone = ZoneInfo(self.statements.timesheet.billing_zone(customer))
        first, last = start.astimezone(zone).date(), (end - timedelta(microseconds=1)).astimezone(zone).date()
        minutes, amount = 0, Decimal(0)
        currency = self.policy.contract_for(customer).currency
        for month in _months(first, last):
            statement = await self.statements.build(customer, month)
            for line in statement.lines:
                if first <= line.day <= last and line.type != PAYMENT:  # a payment is no charge
                    minutes += (line.minutes or 0) if line.agent else 0
                    amount += line.amount
        recorded = format_duration_minutes(minutes) if minutes else "no time"
        return f"{recorded} recorded, {format_money(amount, currency)} charged"


def _total(parts: Iterable[Achievement]) -> Achievement:
    total = Achievement()
    for part in parts:
        total = Achievement(total.met + part.met, total.breached + part.breached)
    return total


def _pct(achievement: Achievement) -> str:
    percent = achievement.percent
    if percent is None:
        return "no targets ended yet"
    return f"{percent} % met ({achievement.met}/{achievement.met + achievement.breached})"


def _months(first: date, last: date) -> list[Month]:
    months, cursor = [], first.replace(day=1)
    while cursor <= last:
        months.append(Month(cursor.year, cursor.month))
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return months
