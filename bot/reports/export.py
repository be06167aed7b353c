"""The SLA report as CSV or JSON (what `python -m bot report` prints).

CSV: one header line, then one line per row, "\\n"-terminated. The header is a contract other tools
read: the fixed columns below, then `pages_<level>` for each escalation level in the policy's order, then
the recurring targets' columns (`RECURRING_COLUMNS`), then satisfaction (`CSAT_COLUMNS`: answers, and
their mean score 1-5 to two decimals), then waiting on engineering (`ENGINEERING_COLUMNS`: the row's
tickets fix pending at `generated_at`, and the longest such wait in hours, one decimal).
Empty cells mean "no figure" (no met or breached ticket, or no ticket with that event).

JSON: one object
    {"from": ISO, "to": ISO, "generated_at": ISO, "customer": "acme" | null, "timezone": "UTC",
     "levels": ["lead", ...],
     "waiting_on_engineering": {"tickets": 2, "longest_hours": 30.5},  # every ticket now, whenever raised
     "rows": [{<the CSV columns, numbers as numbers, empty as null>}, ...],
     "weeks": [{"week": "2026-W45", "week_start": "2026-11-02", "tickets": 3,
                "first_response_met": 2, "first_response_breached": 1, "first_response_pct": 66.7,
                "resolution_met": ..., "resolution_breached": ..., "resolution_pct": ...}, ...]}
with instants in UTC ("2026-11-01T06:00:00+00:00"); `weeks` is the trend by ISO week of raising.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from bot.reports.sla_report import ReportRow, SlaReport, WeekPoint

FIXED_COLUMNS = (
    "customer",
    "plan",
    "priority",
    "tickets",
    "first_response_met",
    "first_response_breached",
    "first_response_pct",
    "resolution_met",
    "resolution_breached",
    "resolution_pct",
    "median_first_response_s",
    "p90_first_response_s",
    "median_resolution_s",
)

# At the end of the header (issue 20): next responses met/breached/percent, update periods missed.
RECURRING_COLUMNS = ("next_response_met", "next_response_breached", "next_response_pct", "updates_missed")

# At the very end (issue 21): the reporters' answers to "How did we do?" and their mean score.
CSAT_COLUMNS = ("csat_responses", "csat_avg")

# After them (issue 22): the row's tickets waiting on engineering (fix pending) and the longest wait, hours.
ENGINEERING_COLUMNS = ("engineering_waiting", "engineering_longest_wait_h")


def columns(levels: Sequence[str]) -> list[str]:
    return [
        *FIXED_COLUMNS,
        *(f"pages_{level}" for level in levels),
        *RECURRING_COLUMNS,
        *CSAT_COLUMNS,
        *ENGINEERING_COLUMNS,
    ]


def row_values(row: ReportRow, levels: Sequence[str]) -> dict[str, str | int | float | Decimal | None]:
    """The row keyed by its CSV columns, in column order; None where a figure is missing."""
    values: dict[str, str | int | float | Decimal | None] = {
        "customer": row.customer,
        "plan": row.plan,
        "priority": row.priority,
        "tickets": row.tickets,
        "first_response_met": row.first_response.met,
        "first_response_breached": row.first_response.breached,
        "first_response_pct": row.first_response.percent,
        "resolution_met": row.resolution.met,
        "resolution_breached": row.resolution.breached,
        "resolution_pct": row.resolution.percent,
        "median_first_response_s": row.median_first_response_s,
        "p90_first_response_s": row.p90_first_response_s,
        "median_resolution_s": row.median_resolution_s,
    }
    if len(row.pages) != len(levels):
        raise ValueError(f"the row has {len(row.pages)} page counts for {len(levels)} levels")
    values.update({f"pages_{level}": count for level, count in zip(levels, row.pages, strict=True)})
    values.update(
        next_response_met=row.next_response.met,
        next_response_breached=row.next_response.breached,
        next_response_pct=row.next_response.percent,
        updates_missed=row.updates_missed,
    )
    values.update(csat_responses=row.csat.responses, csat_avg=row.csat.average)
    values.update(
        engineering_waiting=row.engineering.tickets,
        engineering_longest_wait_h=row.engineering.longest_hours,
    )
    return values


def to_csv(report: SlaReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns(report.levels))
    for row in report.rows:
        writer.writerow(["" if v is None else str(v) for v in row_values(row, report.levels).values()])
    return out.getvalue()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)  # one decimal: its float prints back as written (66.7)
    return value


def _week(point: WeekPoint) -> dict[str, Any]:
    return {
        "week": point.label,
        "week_start": point.week_start.isoformat(),
        "tickets": point.tickets,
        "first_response_met": point.first_response.met,
        "first_response_breached": point.first_response.breached,
        "first_response_pct": _json_value(point.first_response.percent),
        "resolution_met": point.resolution.met,
        "resolution_breached": point.resolution.breached,
        "resolution_pct": _json_value(point.resolution.percent),
    }


def to_dict(report: SlaReport) -> dict[str, Any]:
    return {
        "from": report.start.isoformat(),
        "to": report.end.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "customer": report.customer,
        "timezone": report.timezone,
        "levels": list(report.levels),
        "waiting_on_engineering": {
            "tickets": report.waiting_on_engineering.tickets,
            "longest_hours": report.waiting_on_engineering.longest_hours,
        },
        "rows": [
            {key: _json_value(value) for key, value in row_values(row, report.levels).items()}
            for row in report.rows
        ],
        "weeks": [_week(point) for point in report.weeks],
    }


def to_json(report: SlaReport, *, indent: int | None = 2) -> str:
    return json.dumps(to_dict(report), indent=indent, ensure_ascii=False)
