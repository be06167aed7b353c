"""A month of made-up tickets for the chart's test and for docs/report-chart.png (fixed seed)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.reports.sla_report import ClockFacts, SlaReport, TicketFacts, build_report
from models import ClockState

CHICAGO = ZoneInfo("America/Chicago")
START = datetime(2026, 11, 1, tzinfo=CHICAGO)
END = datetime(2026, 12, 1, tzinfo=CHICAGO)
NOW = datetime(2026, 12, 1, 8, tzinfo=CHICAGO)
LEVELS = ("lead", "manager", "executive")
# customer, plan, priority, tickets, chance of meeting first response, of meeting resolution (None: no target)
MIX = (
    ("acme", "enterprise", "P1", 6, 0.95, 0.85),
    ("acme", "enterprise", "P2", 10, 0.9, 0.8),
    ("globex", "standard", "P1", 5, 0.8, 0.6),
    ("globex", "standard", "P3", 14, 0.95, 0.9),
    ("initech", "basic", "P2", 8, 0.7, None),
    ("initech", "basic", "P4", 6, 1.0, None),
)


def _clock(rng: random.Random, raised: datetime, target: int, chance: float) -> ClockFacts:
    on_time = rng.random() < chance
    elapsed = target * (rng.uniform(0.1, 0.95) if on_time else rng.uniform(1.05, 2.5))
    stopped = raised + timedelta(seconds=elapsed * 2)
    if stopped >= NOW:  # still going at the report's time
        return ClockFacts(ClockState.RUNNING, target, 0.0, due_at=raised + timedelta(seconds=target * 2))
    state = ClockState.MET if on_time else ClockState.BREACHED
    return ClockFacts(state, target, elapsed, None, None if on_time else stopped, stopped)


def example_report(seed: int = 7) -> SlaReport:
    rng = random.Random(seed)
    tickets = []
    for customer, plan, priority, count, first_chance, resolution_chance in MIX:
        for _ in range(count):
            raised = START + timedelta(minutes=rng.randrange(0, 29 * 24 * 60))
            resolution = None
            if resolution_chance is not None:
                resolution = _clock(rng, raised, 9 * 3600, resolution_chance)
            pages = (("lead", 1),) if rng.random() < 0.3 else ()
            tickets.append(
                TicketFacts(
                    len(tickets) + 1, customer, plan, priority, raised,
                    _clock(rng, raised, 2 * 3600, first_chance), resolution, pages,
                )
            )  # fmt: skip
    return build_report(tickets, start=START, end=END, now=NOW, levels=LEVELS, timezone="America/Chicago")
