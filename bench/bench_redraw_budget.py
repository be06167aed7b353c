"""Count chat.update calls per minute over a simulated business day against the Slack stand-in.

    V/bin/python bench/bench_redraw_budget.py [--tickets 500] [--seed 1] [--hours 9]

The real bot is built in-process (bot.app.build, SQLite in a temp dir, config/support.example.yml, the
Slack Web API served by bot.standin.SlackStandIn) on a FakeClock that starts on Tuesday
2026-11-17 08:00 US Central. Tickets arrive over the morning (raise_ticket called directly, not over
HTTP); engineers claim most of them, put some on "waiting on customer", resolve some, re-prioritise a
few. The clock then walks the business day minute by minute. Inside each minute it behaves like the
worker's run_forever: it jumps to the next due job or the next scripted event, runs everything due
there (worker.run_due), and goes on until the minute ends. (Stepping only on whole minutes would cap the
pacer at its burst of 5 calls per minute, since its refill needs the clock to move.)

Counted per simulated minute: successful chat.update calls recorded by the stand-in. Also: redraws the
pacer deferred ("chat.update budget reached"), the backlog of pending redraw_ticket jobs, how stale a
ticket message was when its redraw finally went out, and what a naive design would send (every open
ticket redrawn once a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import logging
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench_common import BOT_TOKEN, ROOT

from bot import db
from bot.app import Secondline, build
from bot.clock import FakeClock
from bot.jobs.kinds import PostTicket, RedrawTicket
from bot.jobs.outcomes import Deferred
from bot.policy import load_config
from bot.services.errors import ServiceError
from bot.services.intake import TicketDraft
from bot.settings import Settings
from bot.standin import SlackStandIn
from models import Job, Ticket, TicketStatus

POLICY = ROOT / "config" / "support.example.yml"
DAY_START = datetime(2026, 11, 17, 14, 0, tzinfo=UTC)  # Tuesday 08:00 America/Chicago (CST)
TIER3 = 50  # Slack's chat.update budget, calls a minute per workspace
POST_PER_CHANNEL = 60  # chat.postMessage: about one message a second per channel, short bursts allowed
CHANNEL = "C0SUPPORT"
ENGINEERS = ("U0ENG1", "U0ENG2")
CUSTOMERS = (("acme", 0.30), ("globex", 0.40), ("initech", 0.30))
REPORTERS = {"acme": ("U0KEY1",), "globex": ("U0KEY2", "U0KEY9"), "initech": ("U0KEY3", "U0KEY9")}
PRIORITIES = (("P1", 0.05), ("P2", 0.20), ("P3", 0.50), ("P4", 0.25))
CLAIM_DELAY_MIN = {"P1": 8, "P2": 25, "P3": 60, "P4": 120}  # mean minutes from raise to claim


# ---------------------------------------------------------------------- the scripted day


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    kind: str = field(compare=False)  # raise, claim, wait, resume, resolve, priority
    ticket: int = field(compare=False)  # index into the day's tickets (ids are known once raised)
    draft: TicketDraft | None = field(default=None, compare=False)
    user: str = field(default="", compare=False)
    value: str = field(default="", compare=False)


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in weighted], [w for _, w in weighted])[0]


def script_day(tickets: int, seed: int, hours: float, storm: int = 0) -> list[Event]:
    """Every human action of the day, in time order (seconds resolution)."""
    rng = random.Random(seed)
    end = DAY_START + timedelta(hours=hours)
    arrivals_min = min(240.0, hours * 60 * 0.45)  # tickets arrive over the first four hours
    events: list[Event] = []
    seq = 0

    def add(at: datetime, kind: str, index: int, **kw: object) -> bool:
        nonlocal seq
        if at >= end:
            return False
        seq += 1
        events.append(Event(at.replace(microsecond=0), seq, kind, index, **kw))  # type: ignore[arg-type]
        return True

    for index in range(tickets):
        raised = DAY_START + timedelta(minutes=rng.triangular(0, arrivals_min, arrivals_min * 0.2))
        customer = _pick(rng, CUSTOMERS)
        priority = _pick(rng, PRIORITIES)
        draft = TicketDraft(
            reporter_id=rng.choice(REPORTERS[customer]),
            customer=customer,
            priority=priority,
            environment="production" if rng.random() < 0.6 else "non-production",
            title=f"Bench ticket {index}: {customer} {priority}",
            description="Orders stay in 'pending' after checkout; the payment provider shows them paid.",
            tried="Restarted the integration service; cleared the cache.",
        )
        add(raised, "raise", index, draft=draft)
        if rng.random() < 0.04:  # an engineer re-prioritises after a first look
            new = rng.choice([p for p, _ in PRIORITIES if p != priority])
            add(raised + timedelta(minutes=rng.uniform(2, 40)), "priority", index, user="U0ENG1", value=new)
        if rng.random() > 0.8:
            continue  # nobody gets to it today
        engineer = rng.choice(ENGINEERS)
        claimed = raised + timedelta(minutes=rng.expovariate(1 / CLAIM_DELAY_MIN[priority]))
        if not add(claimed, "claim", index, user=engineer):
            continue
        at = claimed
        if rng.random() < 0.25:  # needs something from the customer
            at += timedelta(minutes=rng.expovariate(1 / 40))
            add(at, "wait", index, user=engineer)
            if rng.random() < 0.5:  # ...who answers later the same day
                at += timedelta(minutes=rng.expovariate(1 / 60))
                add(at, "resume", index, user=draft.reporter_id)
        if rng.random() < 0.35:
            at += timedelta(minutes=rng.expovariate(1 / 90))
            add(at, "resolve", index, user=engineer)
    for index in range(tickets, tickets + storm):  # an outage: one customer's tickets pour in at 10:00
        raised = DAY_START + timedelta(hours=2, minutes=rng.uniform(0, 2))
        draft = TicketDraft(
            reporter_id="U0KEY1",
            customer="acme",
            priority=rng.choice(("P1", "P2")),
            environment="production",
            title=f"Bench outage ticket {index}: checkout down",
            description="Checkout answers 502 for every order since 09:58.",
            tried="Failed over to the second region.",
        )
        add(raised, "raise", index, draft=draft)
        claimed = raised + timedelta(minutes=rng.uniform(10, 45))  # triaged in bulk
        add(claimed, "claim", index, user=rng.choice(ENGINEERS))
        add(DAY_START + timedelta(hours=3, minutes=rng.uniform(0, 10)), "resolve", index, user="")
    events.sort()
    return events


# ---------------------------------------------------------------------- measuring


@dataclass
class Tally:
    updates_by_minute: list[int]
    channel_posts_by_minute: list[int]
    update_instants: list[tuple[datetime, int]] = field(default_factory=list)
    naive_by_minute: list[int] = field(default_factory=list)
    open_by_minute: list[int] = field(default_factory=list)
    backlog_by_minute: list[int] = field(default_factory=list)
    deferred_by_minute: list[int] = field(default_factory=list)
    staleness_s: list[float] = field(default_factory=list)  # job created -> its chat.update went out
    deferrals: int = 0
    deferred_jobs: set[int] = field(default_factory=set)
    max_attempts: int = 0
    event_outcomes: Counter[str] = field(default_factory=Counter)
    substeps: int = 0


def instrument(bot: Secondline, standin: SlackStandIn, tally: Tally) -> None:
    """Wrap the redraw and post handlers to count pacer deferrals and measure redraw staleness."""

    def wrap(handler: Callable[[Any, Job], Awaitable[None]]) -> Callable[[Any, Job], Awaitable[None]]:
        async def run(payload: Any, job: Job) -> None:
            before = len(standin.calls)
            try:
                await handler(payload, job)
            except Deferred:
                tally.deferrals += 1
                tally.deferred_jobs.add(job.id)
                tally.max_attempts = max(tally.max_attempts, job.attempts)
                raise
            if any(c.method == "chat.update" and not c.failed for c in standin.calls[before:]):
                tally.staleness_s.append((bot.clock.now() - job.created_at).total_seconds())

        return run

    for kind in (RedrawTicket, PostTicket):
        bot.worker.handlers.wrap(kind, wrap)


async def perform(bot: Secondline, event: Event, ids: dict[int, int], tally: Tally) -> None:
    intake, tickets = bot.deps.intake, bot.deps.transitions
    try:
        if event.kind == "raise":
            assert event.draft is not None
            ids[event.ticket] = (await intake.raise_ticket(event.draft)).id
        elif event.ticket not in ids:
            tally.event_outcomes[f"{event.kind}: ticket not raised"] += 1
            return
        elif event.kind == "claim":
            result = await tickets.claim(ids[event.ticket], event.user)
            if not result.won:
                tally.event_outcomes["claim lost"] += 1
        elif event.kind == "wait":
            await tickets.wait_on_customer(ids[event.ticket], event.user)
        elif event.kind == "resume":
            await tickets.resume(ids[event.ticket], event.user, reason="added details")
        elif event.kind == "resolve":
            owner = event.user or (await bot.deps.queries.get(ids[event.ticket])).owner_id or "U0ENG1"
            await tickets.resolve(ids[event.ticket], owner, "fixed", "Patched the webhook.", 30)
        elif event.kind == "priority":
            await tickets.change_priority(ids[event.ticket], event.user, event.value)
        tally.event_outcomes[event.kind] += 1
    except ServiceError as exc:
        tally.event_outcomes[f"{event.kind} refused: {type(exc).__name__}"] += 1


async def simulate(bot: Secondline, standin: SlackStandIn, events: list[Event], minutes: int) -> Tally:
    clock = bot.clock
    assert isinstance(clock, FakeClock)
    tally = Tally(updates_by_minute=[0] * minutes, channel_posts_by_minute=[0] * minutes)
    instrument(bot, standin, tally)
    queue: list[Event] = list(events)
    heapq.heapify(queue)
    ids: dict[int, int] = {}
    seen = 0  # stand-in calls already looked at

    def count_updates(minute: int) -> None:
        nonlocal seen
        calls = standin.calls[seen:]
        seen += len(calls)
        new = sum(1 for c in calls if c.method == "chat.update" and not c.failed)
        tally.channel_posts_by_minute[minute] += sum(
            1 for c in calls if c.method == "chat.postMessage" and c.args.get("channel") == CHANNEL
        )
        if new:
            tally.updates_by_minute[minute] += new
            tally.update_instants.append((clock.now(), new))

    for minute in range(minutes):
        end = DAY_START + timedelta(minutes=minute + 1)
        while True:
            now = clock.now()
            while queue and queue[0].at <= now:
                await perform(bot, heapq.heappop(queue), ids, tally)
            await bot.worker.run_due()
            count_updates(minute)
            tally.substeps += 1
            candidates = [
                t for t in (queue[0].at if queue else None, await bot.worker.queue.next_due_at()) if t
            ]
            upcoming = min(candidates, default=None)
            if upcoming is None or upcoming >= end:
                break
            # A job that is due but still leased cannot run before its lease ends; never stand still.
            clock.set(max(upcoming, now + timedelta(milliseconds=1)))
        # Sampled at the end of each simulated minute.
        open_now = await Ticket.filter(status__not=TicketStatus.RESOLVED, message_ts__isnull=False).count()
        tally.open_by_minute.append(open_now)
        tally.naive_by_minute.append(open_now)  # one redraw per open ticket message per minute
        tally.backlog_by_minute.append(await Job.filter(kind=RedrawTicket.kind).count())
        tally.deferred_by_minute.append(
            await Job.filter(
                kind__in=[RedrawTicket.kind, PostTicket.kind], last_error__contains="budget"
            ).count()
        )
        clock.set(end)
    return tally


# ---------------------------------------------------------------------- report


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return float(ordered[rank - 1])


def max_sliding_window(instants: list[tuple[datetime, int]], window: timedelta) -> int:
    """The most calls in any half-open window [t, t + window) of simulated time."""
    best, total, left = 0, 0, 0
    for right in range(len(instants)):
        total += instants[right][1]
        while instants[right][0] - instants[left][0] >= window:
            total -= instants[left][1]
            left += 1
        best = max(best, total)
    return best


def report(tally: Tally, standin: SlackStandIn, events: list[Event], wall: dict[str, float]) -> int:
    per_min = tally.updates_by_minute
    naive = tally.naive_by_minute
    total, naive_total = sum(per_min), sum(naive)
    over_50 = sum(1 for n in per_min if n > TIER3)
    busy = [n for n in per_min if n]
    kinds = Counter(e.kind for e in events)
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(tally.event_outcomes.items()))
    opened = tally.open_by_minute

    def row(label: str, value: object) -> None:
        print(f"  {label:<32} {value}")

    print(f"Python {platform.python_version()} on {platform.machine()}")
    print(f"day: {len(per_min)} simulated minutes from 08:00 US Central, {kinds['raise']} tickets raised")
    print(f"scripted events: {outcomes}")
    print(
        f"open ticket messages: peak {max(opened)}, median {statistics.median(opened):.0f}, "
        f"at close {opened[-1]}"
    )
    print()
    print("chat.update per simulated minute (ours)")
    row("total", total)
    row(
        "max / p99 / median",
        f"{max(per_min)} / {percentile(per_min, 99):.0f} / {statistics.median(per_min):.0f}",
    )
    row("median of minutes with any", f"{statistics.median(busy) if busy else 0:.0f} ({len(busy)} minutes)")
    row("max in any sliding 60 s", max_sliding_window(tally.update_instants, timedelta(minutes=1)))
    row("minutes over 40 / over 50", f"{sum(1 for n in per_min if n > 40)} / {over_50}")
    print()
    print("pacer deferrals (Deferred: a rate budget is spent)")
    row(
        "deferrals",
        f"{tally.deferrals} on {len(tally.deferred_jobs)} jobs, max attempts {tally.max_attempts}",
    )
    row("minutes ending with one pending", sum(1 for n in tally.deferred_by_minute if n))
    row(
        "redraw_ticket backlog", f"max {max(tally.backlog_by_minute)}, at close {tally.backlog_by_minute[-1]}"
    )
    if tally.staleness_s:
        s = tally.staleness_s
        row(
            "job created -> chat.update",
            f"median {statistics.median(s):.0f} s, p99 {percentile(s, 99):.0f} s, max {max(s):.0f} s "
            f"({len(s)} updates)",
        )
    print()
    print("naive design: one chat.update per open ticket message per minute")
    row("total", naive_total)
    row("max / median per minute", f"{max(naive)} / {statistics.median(naive):.0f}")
    row("minutes over 50", sum(1 for n in naive if n > TIER3))
    row("naive / ours", f"{naive_total / total:.1f}x" if total else "n/a")
    print()
    other = Counter(c.method for c in standin.calls if c.method != "chat.update")
    print("other Slack calls: " + ", ".join(f"{m} {n}" for m, n in sorted(other.items())))
    channel = tally.channel_posts_by_minute
    print(
        f"chat.postMessage into {CHANNEL} (tickets and thread notes, paced at 50 a minute): {sum(channel)}, "
        f"max {max(channel)} in a minute, {sum(1 for n in channel if n > POST_PER_CHANNEL)} minutes over "
        f"{POST_PER_CHANNEL}"
    )
    print(
        f"429s from Slack's rate limits: {standin.rate_limited} of {len(standin.calls)} calls "
        f"({standin.rate_limited_share:.1%}): "
        + (
            ", ".join(
                f"{m} {n}" for m, n in Counter(c.method for c in standin.calls if c.rate_limited).items()
            )
            or "none"
        )
    )
    failed = [c for c in standin.calls if c.failed]
    if failed:
        print(f"failed Slack calls: {Counter((c.method, c.error) for c in failed).most_common(5)}")
    print(
        f"wall time: {wall['total']:.1f} s (setup {wall['setup']:.1f} s, day {wall['day']:.1f} s, "
        f"{tally.substeps} worker steps)"
    )
    return over_50


async def leftover_errors() -> Counter[str]:
    jobs = await Job.filter(last_error__isnull=False).only("kind", "last_error")
    return Counter(
        f"{j.kind}: {(j.last_error or '')[:70]}" for j in jobs if "budget" not in (j.last_error or "")
    )


async def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    minutes = round(args.hours * 60)
    events = script_day(args.tickets, args.seed, args.hours, args.storm)
    policy = load_config(POLICY)
    clock = FakeClock(DAY_START)
    with tempfile.TemporaryDirectory(prefix="bench-redraw-") as tmp:
        # Slack's rate limits on simulated time: a 429 here is one the bot would get from Slack.
        async with SlackStandIn(token=BOT_TOKEN, clock=clock.monotonic) as standin:
            standin.seed_from_policy(policy)
            settings = Settings(
                bot_token=BOT_TOKEN,
                signing_secret="bench-signing-secret",
                support_config=POLICY,
                database_url=f"sqlite://{tmp}/secondline.sqlite3",
                slack_api_url=standin.base_url,
            )
            bot = build(settings, policy, clock, run_worker=False)
            await db.start_database(settings.database_url)
            try:
                t1 = time.perf_counter()
                tally = await simulate(bot, standin, events, minutes)
                t2 = time.perf_counter()
                errors = await leftover_errors()
            finally:
                await db.stop_database()
    wall = {"total": time.perf_counter() - t0, "setup": t1 - t0, "day": t2 - t1}
    over_50 = report(tally, standin, events, wall)
    if errors:
        print("jobs still failing at close: " + "; ".join(f"{n}x {e}" for e, n in errors.most_common(5)))
    if args.per_minute:
        print("\nminute  updates  naive  backlog  deferred  channel-posts")
        for m, n in enumerate(tally.updates_by_minute):
            local = DAY_START + timedelta(minutes=m) - timedelta(hours=6)
            print(f"{local:%H:%M}  {n:7d}  {tally.naive_by_minute[m]:5d}  {tally.backlog_by_minute[m]:7d}  "
                  f"{tally.deferred_by_minute[m]:8d}  {tally.channel_posts_by_minute[m]:13d}")  # fmt: skip
    return 1 if over_50 else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=500, help="tickets raised during the day")
    parser.add_argument("--hours", type=float, default=9.0, help="length of the simulated day")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--storm",
        type=int,
        default=0,
        help="extra acme P1/P2 tickets raised within 2 minutes at 10:00 (an outage)",
    )
    parser.add_argument("--per-minute", action="store_true", help="print the per-minute series too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
