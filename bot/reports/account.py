"""An account at a glance, pure: one customer's tickets, SLA outcomes, pages, paid work, hours and money
over a period, with its reporters' satisfaction and its open tickets; as JSON, as a Slack message and as a
small chart.

Met and breached come from the SLA clock rows (as in the SLA report, judged at `now`); pages by level are
the pages sent for the tickets raised in the period (the `pages` table). Money is Decimal, written as the
statement writes it (`plain`) in JSON and for people (`format_money`) in Slack.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.billing.money import format_money, plain
from bot.durations import format_duration
from bot.reports.sla_report import PRIORITY_ORDER, Achievement, CsatTally, EngineeringWait, TicketFacts
from bot.text import escape, slack_date

CHART_INCHES = (6.0, 3.0)  # small: a glance, not the SLA report's chart
FIRST_COLOR, RESOLUTION_COLOR, BREACHED_COLOR = "#0072B2", "#E69F00", "#D55E00"


@dataclass(frozen=True)
class OpenTicket:
    ref: str
    priority: str
    title: str
    status: str
    due_at: datetime | None  # when its running clock falls due; None while paused or without one
    due_for: str | None  # `first_response` or `resolution`


@dataclass(frozen=True)
class Balance:
    """What is left of a bank (minutes) or a deposit (money); the other fields are None."""

    bank_purchased_minutes: int | None = None
    bank_left_minutes: int | None = None
    bank_expiring_on: date | None = None
    deposit_paid: Decimal | None = None
    deposit_balance: Decimal | None = None
    deposit_minimum: Decimal | None = None


@dataclass(frozen=True)
class Account:
    customer: str
    name: str
    start: datetime  # [start, end): tickets raised and time worked in it
    end: datetime
    tickets: dict[str, int]  # raised, by priority, P1 first
    first_response: Achievement
    resolution: Achievement
    pages: dict[str, int]  # sent, by escalation level in the policy's order
    paid_requests: int
    minutes: int  # recorded for work in the period
    currency: str
    balance: Balance
    month: str  # YYYY-MM: the month running where the customer's support runs
    month_charges: Decimal
    open: tuple[OpenTicket, ...]  # the oldest open tickets (at most 20)
    open_count: int  # all of them
    satisfaction: CsatTally = field(
        default_factory=CsatTally
    )  # answers to "How did we do?" for the tickets raised in the period
    waiting_on_engineering: EngineeringWait = field(default_factory=EngineeringWait)
    deflected: int = 0  # requests a published answer solved before they were raised


def tally(
    facts: Iterable[TicketFacts], levels: Sequence[str], now: datetime
) -> tuple[dict[str, int], Achievement, Achievement, dict[str, int]]:
    """Tickets by priority, first-response and resolution met/breached (at `now`), pages by level."""
    facts = list(facts)
    by_priority = Counter(fact.priority for fact in facts)
    first, resolution = Achievement(), Achievement()
    pages = dict.fromkeys(levels, 0)
    for fact in facts:
        first = first.plus(fact.first_response.outcome(now) if fact.first_response else None)
        resolution = resolution.plus(fact.resolution.outcome(now) if fact.resolution else None)
        for level, sent in fact.pages:
            pages[level] = pages.get(level, 0) + sent
    return {p: by_priority[p] for p in PRIORITY_ORDER}, first, resolution, pages


def as_json(account: Account) -> dict[str, Any]:
    balance, currency = account.balance, account.currency

    def money(amount: Decimal | None) -> str | None:
        return None if amount is None else plain(amount, currency)

    bank = None
    if balance.bank_left_minutes is not None:
        bank = {
            "purchased_minutes": balance.bank_purchased_minutes,
            "left_minutes": balance.bank_left_minutes,
            "expiring_on": balance.bank_expiring_on.isoformat() if balance.bank_expiring_on else None,
        }
    deposit = None
    if balance.deposit_balance is not None:
        deposit = {
            "paid": money(balance.deposit_paid),
            "balance": money(balance.deposit_balance),
            "minimum": money(balance.deposit_minimum),
        }
    return {
        "customer": account.customer,
        "name": account.name,
        "from": account.start.isoformat(),
        "to": account.end.isoformat(),
        "tickets": account.tickets,
        "first_response": {"met": account.first_response.met, "breached": account.first_response.breached},
        "resolution": {"met": account.resolution.met, "breached": account.resolution.breached},
        "pages": account.pages,
        "paid_requests": account.paid_requests,
        "minutes_recorded": account.minutes,
        "currency": currency,
        "bank": bank,
        "deposit": deposit,
        "month": account.month,
        "month_charges": plain(account.month_charges, currency),
        "satisfaction": {
            "responses": account.satisfaction.responses,
            "average": None if account.satisfaction.average is None else float(account.satisfaction.average),
        },
        "waiting_on_engineering": {
            "tickets": account.waiting_on_engineering.tickets,
            "longest_hours": account.waiting_on_engineering.longest_hours,
        },
        "open_count": account.open_count,
        "open_tickets": [
            {
                "ticket": t.ref,
                "priority": t.priority,
                "title": t.title,
                "status": t.status,
                "due_at": t.due_at.isoformat() if t.due_at else None,
                "due_for": t.due_for,
            }
            for t in account.open
        ],
    }


def _outcome(name: str, achieved: Achievement) -> str:
    if not achieved.met + achieved.breached:
        return f"{name}: none decided yet"
    return f"{name}: {achieved.met} met, {achieved.breached} breached ({achieved.percent}%)"


def render_text(account: Account, label: str) -> str:
    """One Slack message (mrkdwn); due times in each reader's own timezone (`<!date^…>`)."""

    def money(amount: Decimal) -> str:
        return format_money(amount, account.currency)

    raised = sum(account.tickets.values())
    by_priority = ", ".join(f"{p} {n}" for p, n in account.tickets.items() if n) or "none"
    pages = ", ".join(f"{level} {n}" for level, n in account.pages.items() if n) or "none"
    hours = format_duration(timedelta(minutes=account.minutes)) if account.minutes else "no time"
    lines = [
        f"*{escape(account.name)}: the account, {label}*",
        f"*Tickets raised:* {raised} ({by_priority}); {account.paid_requests} paid "
        + ("request" if account.paid_requests == 1 else "requests"),
        f"*Solved by published answers:* {account.deflected} "
        + ("request" if account.deflected == 1 else "requests"),
        f"*Targets:* {_outcome('first response', account.first_response)}; "
        f"{_outcome('resolution', account.resolution)}",
        f"*Pages sent:* {pages}",
        "*Satisfaction:* "
        + (account.satisfaction.words() if account.satisfaction.responses else "no answers yet"),
        f"*Time recorded:* {hours}",
        f"*Waiting on engineering now:* {account.waiting_on_engineering.words()}",
    ]
    balance = account.balance
    if balance.bank_left_minutes is not None:
        left = (
            format_duration(timedelta(minutes=balance.bank_left_minutes))
            if balance.bank_left_minutes
            else "nothing"
        )
        bought = (balance.bank_purchased_minutes or 0) / 60
        expiring = f", expiring {balance.bank_expiring_on:%d %b %Y}" if balance.bank_expiring_on else ""
        lines.append(f"*Bank of hours:* {left} left of {bought:g} hours{expiring}")
    if balance.deposit_balance is not None:
        paid = money(balance.deposit_paid or Decimal(0))
        minimum = money(balance.deposit_minimum or Decimal(0))
        lines.append(f"*Deposit:* {money(balance.deposit_balance)} left of {paid} paid (minimum {minimum})")
    lines.append(f"*Charges in {account.month} so far:* {money(account.month_charges)}")
    if account.open:
        more = f", the oldest {len(account.open)} shown" if account.open_count > len(account.open) else ""
        lines.append(f"*Open tickets ({account.open_count}{more}):*")
        for ticket in account.open:
            due = (
                f", {ticket.due_for.replace('_', ' ')} due {slack_date(ticket.due_at)}"
                if ticket.due_at and ticket.due_for
                else ""
            )
            lines.append(
                f"• *{ticket.ref}* {ticket.priority} · {escape(ticket.title)} ({ticket.status}{due})"
            )
    else:
        lines.append("_No open tickets._")
    return "\n".join(lines)


def render_chart(account: Account) -> bytes:
    """Tickets raised per priority, and first-response and resolution met and breached: a small PNG."""
    figure = Figure(figsize=CHART_INCHES, dpi=100)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    priorities = list(account.tickets)
    left.bar(priorities, [account.tickets[p] for p in priorities], color=FIRST_COLOR)
    left.set_title("Tickets raised", fontsize=10)
    left.yaxis.get_major_locator().set_params(integer=True)
    kinds = ["First response", "Resolution"]
    met = [account.first_response.met, account.resolution.met]
    breached = [account.first_response.breached, account.resolution.breached]
    right.bar(kinds, met, color=RESOLUTION_COLOR, label="met")
    right.bar(kinds, breached, bottom=met, color=BREACHED_COLOR, label="breached")
    right.set_title("Targets", fontsize=10)
    right.legend(fontsize=8)
    right.yaxis.get_major_locator().set_params(integer=True)
    figure.suptitle(account.name, fontsize=11)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def local_day(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()
