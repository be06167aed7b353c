"""Statements for machines: CSV with a fixed header (other tools read it) and JSON with the same fields.

JSON also says which withdrawn statement of the same month an issued one replaces (`replaces`, null when
none). Money is a plain decimal string with the currency's decimals (`37.50`, `1200` for JPY) in both, never
a float and never formatted for a locale; minutes and units are integers. In the CSV, `waived` is
`true`/`false` and `bank_minutes_left` is empty outside banks; in JSON they are a boolean and null. A
payment line's minute, unit and rate columns are empty (null). `totals.deposit` (only on a contract with
a deposit) has the deposit's `opening` balance, what was `paid` and `charged` in the month, the
`balance` after it and the `minimum`, as money strings.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from typing import Any

from bot.billing.money import plain
from bot.billing.statement import BankTotals, DepositTotals, Statement, StatementLine, Withdrawal

CSV_HEADER = (
    "customer",
    "contract",
    "type",
    "ticket",
    "priority",
    "agent",
    "date",
    "minutes",
    "billable_minutes",
    "units",
    "rate",
    "amount",
    "currency",
    "waived",
    "waiver_reason",
    "bank_minutes_left",
)


def line_fields(statement: Statement, line: StatementLine) -> dict[str, Any]:
    """One line as JSON values, keyed and ordered like the CSV header."""
    return {
        "customer": statement.customer,
        "contract": statement.contract,
        "type": line.type,
        "ticket": line.ticket,
        "priority": line.priority,
        "agent": line.agent,
        "date": line.day.isoformat(),
        "minutes": line.minutes,
        "billable_minutes": line.billable_minutes,
        "units": line.units,
        "rate": None if line.rate is None else plain(line.rate, statement.currency),
        "amount": plain(line.amount, statement.currency),
        "currency": statement.currency,
        "waived": line.waived,
        "waiver_reason": line.waiver_reason,
        "bank_minutes_left": line.bank_minutes_left,
    }


def to_csv(statement: Statement) -> str:
    """The lines under the exact CSV_HEADER; totals are not a line (see `to_json` or `Statement.totals`)."""
    out = io.StringIO()
    writer = csv.writer(out)  # RFC 4180: CRLF line ends, quotes only where needed
    writer.writerow(CSV_HEADER)
    for line in statement.lines:
        writer.writerow(_csv_value(value) for value in line_fields(statement, line).values())
    return out.getvalue()


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def as_json(statement: Statement, replaces: Withdrawal | None = None) -> dict[str, Any]:
    """`replaces`: the withdrawn statement of the same month this one replaces (null when none)."""
    totals = statement.totals
    document: dict[str, Any] = {
        "customer": statement.customer,
        "contract": statement.contract,
        "type": statement.type,
        "currency": statement.currency,
        "month": str(statement.month),
        "lines": [line_fields(statement, line) for line in statement.lines],
        "totals": {
            "minutes": totals.minutes,
            "billable_minutes": totals.billable_minutes,
            "amount": plain(totals.amount, statement.currency),
            "bank": _bank(totals.bank),
        },
        "replaces": _withdrawal(replaces),
    }
    if totals.deposit is not None:
        document["totals"]["deposit"] = _deposit(totals.deposit, statement.currency)
    return document


def _withdrawal(withdrawal: Withdrawal | None) -> dict[str, Any] | None:
    if withdrawal is None:
        return None
    return {
        "issued_at": withdrawal.issued_at.isoformat(),
        "issued_by": withdrawal.issued_by,
        "withdrawn_at": withdrawal.withdrawn_at.isoformat(),
        "withdrawn_by": withdrawal.withdrawn_by,
        "reason": withdrawal.reason,
    }


def _bank(bank: BankTotals | None) -> dict[str, Any] | None:
    if bank is None:
        return None
    fields = asdict(bank)
    fields["expiring_on"] = bank.expiring_on.isoformat() if bank.expiring_on else None
    return fields


def _deposit(deposit: DepositTotals, currency: str) -> dict[str, str]:
    return {name: plain(amount, currency) for name, amount in asdict(deposit).items()}


def to_json(statement: Statement, replaces: Withdrawal | None = None) -> str:
    return json.dumps(as_json(statement, replaces), indent=2, ensure_ascii=False) + "\n"
