"""Reads the report's facts from the database: three queries, whatever the number of tickets.

  1. the tickets raised in [start, end) (optionally of one customer);
  2. their SLA clocks, joined to the same ticket filter (by the unique (ticket_id, name) index);
  3. their pages sent, counted per (ticket, level) in the database (by the (ticket_id, …) unique index);
  4. their answered satisfaction questions (a subquery of the same ticket filter);
  5. the tickets waiting on engineering now, whenever raised, each since its last resolve (two queries).
The joins repeat the ticket filter instead of passing thousands of ids as query parameters.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from tortoise.expressions import Subquery
from tortoise.functions import Count

from bot.clock import as_utc
from bot.clocks import FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION, UPDATE_EVERY
from bot.policy import Policy
from bot.reports.sla_report import ClockFacts, EngineeringWait, SlaReport, TicketFacts, build_report
from models import ClockState, CsatSurvey, Page, SlaClock, Ticket, TicketEvent, TicketStatus


def _ticket_filter(start: datetime, end: datetime, customer: str | None, prefix: str = "") -> dict[str, Any]:
    where: dict[str, Any] = {f"{prefix}created_at__gte": start, f"{prefix}created_at__lt": end}
    if customer is not None:
        where[f"{prefix}customer"] = customer
    return where


def _clock(row: dict[str, Any]) -> ClockFacts:
    return ClockFacts(
        state=ClockState(row["state"]),
        target_seconds=int(row["target_seconds"]),
        elapsed_seconds=float(row["elapsed_seconds"]),
        due_at=row["due_at"],
        breached_at=row["breached_at"],
        stopped_at=row["stopped_at"],
        met_count=int(row["met_count"]),
        breached_count=int(row["breached_count"]),
    )


async def engineering_since(customer: str | None = None) -> dict[int, datetime]:
    """The tickets waiting on engineering now (fix pending), each since it was last resolved (as a product
    defect). Incidents are left out: their children are the customers' tickets and count themselves."""
    waiting = Ticket.filter(status=TicketStatus.FIX_PENDING, is_incident=False)
    if customer is not None:
        waiting = waiting.filter(customer=customer)
    since: dict[int, datetime] = dict(await waiting.values_list("id", "updated_at"))
    if since:
        resolves = TicketEvent.filter(ticket_id__in=list(since), kind="resolved").order_by("at", "id")
        for ticket_id, at in await resolves.values_list("ticket_id", "at"):
            since[ticket_id] = at  # the last one wins
    return since


async def load_ticket_facts(
    start: datetime, end: datetime, customer: str | None = None, waiting: dict[int, datetime] | None = None
) -> list[TicketFacts]:
    """Facts of the tickets raised in [start, end), in id order; pages count only those sent; `waiting`:
    `engineering_since` (read here unless given)."""
    start, end = as_utc(start, "start"), as_utc(end, "end")
    tickets = (
        await Ticket.filter(**_ticket_filter(start, end, customer))
        .order_by("id")
        .values("id", "customer", "plan", "priority", "created_at")
    )
    clocks: dict[int, dict[str, ClockFacts]] = defaultdict(dict)
    for row in await SlaClock.filter(**_ticket_filter(start, end, customer, "ticket__")).values(
        "ticket_id",
        "name",
        "state",
        "target_seconds",
        "elapsed_seconds",
        "due_at",
        "breached_at",
        "stopped_at",
        "met_count",
        "breached_count",
    ):
        clocks[row["ticket_id"]][row["name"]] = _clock(row)
    pages: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in (
        await Page.filter(**_ticket_filter(start, end, customer, "ticket__"), sent_at__isnull=False)
        .annotate(sent=Count("id"))
        .group_by("ticket_id", "level")
        .values("ticket_id", "level", "sent")
    ):
        pages[row["ticket_id"]].append((row["level"], int(row["sent"])))
    raised = Subquery(Ticket.filter(**_ticket_filter(start, end, customer)).values("id"))
    scores: dict[int, int] = dict(
        await CsatSurvey.filter(ticket_id__in=raised, score__isnull=False).values_list("ticket_id", "score")
    )
    if waiting is None:
        waiting = await engineering_since(customer)
    return [
        TicketFacts(
            id=t["id"],
            customer=t["customer"],
            plan=t["plan"],
            priority=t["priority"],
            created_at=t["created_at"],
            first_response=clocks[t["id"]].get(FIRST_RESPONSE),
            resolution=clocks[t["id"]].get(RESOLUTION),
            next_response=clocks[t["id"]].get(NEXT_RESPONSE),
            update_every=clocks[t["id"]].get(UPDATE_EVERY),
            pages=tuple(sorted(pages[t["id"]])),
            csat=scores.get(t["id"]),
            engineering_since=waiting.get(t["id"]),
        )
        for t in tickets
    ]


async def load_report(
    policy: Policy,
    start: datetime,
    end: datetime,
    now: datetime,
    *,
    customer: str | None = None,
    timezone: str = "UTC",
) -> SlaReport:
    """The SLA report for tickets raised in [start, end), judged at `now`, pages per the policy's levels."""
    waiting = await engineering_since(customer)
    facts = await load_ticket_facts(start, end, customer, waiting)
    return build_report(
        facts,
        start=start,
        end=end,
        now=now,
        levels=list(policy.escalation.levels),
        customer=customer,
        timezone=timezone,
        waiting=EngineeringWait.of(waiting.values(), now),
    )
