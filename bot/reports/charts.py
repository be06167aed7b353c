"""The SLA report as a PNG for Slack: achievement per customer and priority (grouped bars) over the
trend by ISO week (lines). Pure: a report in, PNG bytes out.

Drawn on a matplotlib Figure with the Agg canvas, never pyplot's global state (safe in a server, from any
thread); text in DejaVu Sans, the font matplotlib ships, so nothing is fetched. 1000×750 px: legible in
Slack's preview and sharp when opened.
"""

from __future__ import annotations

import io
import math
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.reports.sla_report import SlaReport

FIRST_COLOR = "#0072B2"  # blue and orange: told apart with every common colour-vision deficiency
RESOLUTION_COLOR = "#E69F00"
SIZE_INCHES = (10.0, 7.5)
DPI = 100
FONT = "DejaVu Sans"


def _pct(value: Decimal | None) -> float:
    return math.nan if value is None else float(value)


def _bars(ax: Axes, report: SlaReport) -> None:
    rows = report.rows
    labels = [f"{row.customer}\n{row.priority}" for row in rows]
    first = [_pct(row.first_response.percent) for row in rows]
    resolution = [_pct(row.resolution.percent) for row in rows]
    x = range(len(rows))
    width = 0.38
    for offset, values, color, name in (
        (-width / 2, first, FIRST_COLOR, "First response"),
        (width / 2, resolution, RESOLUTION_COLOR, "Resolution"),
    ):
        positions = [i + offset for i in x]
        bars = ax.bar(positions, [0 if math.isnan(v) else v for v in values], width, color=color, label=name)
        for bar, value in zip(bars, values, strict=True):
            text = "n/a" if math.isnan(value) else f"{value:.0f}%"
            ax.annotate(
                text,
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9 if len(rows) <= 10 else 7,
            )
    ax.set_xticks(list(x), labels, fontsize=10 if len(rows) <= 10 else 8)
    if len(rows) > 10:
        ax.tick_params(axis="x", labelrotation=45)
    ax.set_ylim(0, 112)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("targets met (%)")
    ax.set_title("By customer and priority", loc="left", fontsize=12)
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _trend(ax: Axes, report: SlaReport) -> None:
    weeks = report.weeks
    x = range(len(weeks))
    for values, color, name in (
        ([_pct(w.first_response.percent) for w in weeks], FIRST_COLOR, "First response"),
        ([_pct(w.resolution.percent) for w in weeks], RESOLUTION_COLOR, "Resolution"),
    ):
        ax.plot(list(x), values, color=color, marker="o", linewidth=2, label=name)
    labels = [f"{w.label[5:]} {w.week_start.day} {w.week_start:%b}\n{w.tickets} tickets" for w in weeks]
    ax.set_xticks(list(x), labels, fontsize=9 if len(weeks) <= 8 else 7)
    ax.set_ylim(-5, 105)
    ax.set_yticks([0, 25, 50, 75, 100])
    ax.set_ylabel("targets met (%)")
    ax.set_title(f"By week raised ({report.timezone})", loc="left", fontsize=12)
    ax.grid(alpha=0.3)


def _title(report: SlaReport) -> str:
    zone = ZoneInfo(report.timezone)
    first = report.start.astimezone(zone)
    last = (report.end - timedelta(microseconds=1)).astimezone(zone)  # the period ends before `end`
    who = f"{report.customer}: " if report.customer else ""
    total = sum(row.tickets for row in report.rows)
    title = f"{who}SLA targets met, {total} tickets raised {_day(first)} – {_day(last)}"
    csat = report.csat
    if csat.average is not None:
        title += f"\nSatisfaction {csat.words()}"
    return title


def _day(at: datetime) -> str:
    return f"{at.day} {at:%b %Y}"


def render_chart(report: SlaReport) -> bytes:
    """The report as PNG bytes (1000×750 px)."""
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(_title(report), fontsize=14, fontfamily=FONT)
    if not report.rows:
        figure.text(0.5, 0.5, "No tickets were raised in this period.", ha="center", fontsize=14)
    else:
        top, bottom = figure.subplots(2, 1, height_ratios=[3, 2])
        _bars(top, report)
        _trend(bottom, report)
        top.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2, fontsize=10, frameon=False)
    out = io.BytesIO()
    # No version stamp in the file: the same report gives the same bytes on the same matplotlib.
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()
