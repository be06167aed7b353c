"""Escalation-ladder timing on PostgreSQL: how late due jobs start, and the worker's cost per wake-up.

    V/bin/python bench/bench_ladder.py [--quick] [--samples 200] [--stream 500]
                                                [--stream-seconds 25] [--rounds 5] [--seed 1]

One scratch database per pending count N (1,000, 10,000 and 50,000; --quick: 1,000 and 5,000) is created
on the server named by BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test), migrated by
bot.db.start_database, filled, ANALYZEd (as autovacuum would), and dropped at the end. Tortoise gets one
connection per database and the bench points the models' "default" connection at one of them at a time,
so the sizes can take turns: on a shared, noisy machine every size sees the same noise.

Pending steps: N `ladder_step` rows due 1-72 h ahead (four per ticket, as EscalationService.schedule
writes them), bulk-inserted and never run. They are the backlog that must not slow the worker.

1. Cost per idle wake-up, all sizes: `Worker.run_due()` with nothing due (one `due()` query) and
   `JobQueue.next_due_at()`, the two calls of an idle `run_forever` cycle. Timed --samples times per size,
   the sizes in a shuffled order each round; ratios are medians of per-round ratios. Then EXPLAIN
   (ANALYZE, BUFFERS) of the exact SQL and parameters those two calls sent, captured from Tortoise's log.
2. Lag, smallest and largest N: a real `Worker.run_forever()` on the system clock runs --stream `bench`
   jobs due over --stream-seconds (one per equal slot, at a random instant in it), split into --rounds
   chunks that alternate between the two databases; one worker runs at a time. The handler records how
   late it started: clock.now() - job.due_at.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import os
import platform
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

# Import this checkout's packages, not whatever an installed copy maps (`models` may resolve elsewhere).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from tortoise import Tortoise, connections
from tortoise.backends.base.client import BaseDBAsyncClient

from bot import db
from bot.clock import SystemClock
from bot.jobs.kinds import Housekeeping, LadderStepDue
from bot.jobs.queue import JobQueue
from bot.jobs.worker import HandlerTable, Worker
from models import Job

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
BENCH_KIND = Housekeeping.kind  # any declared kind: the lag jobs get a handler of their own
INSERT_BATCH = 5_000
WARM_UP = 10  # untimed rounds before the idle wake-up samples
LEAD = 1.0  # seconds from inserting a lag chunk to its first slot (the worker starts in between)
TARGET_LAG = 1.0  # seconds: pages should fire less than this after their due time


@dataclass(frozen=True)
class Settings:
    sizes: tuple[int, ...]
    samples: int
    stream: int
    stream_seconds: float
    rounds: int
    seed: int
    plan_cache_mode: str


def parse_args(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small smoke run (about 15 s)")
    parser.add_argument("--samples", type=int, help="timed idle wake-ups per size (default 200)")
    parser.add_argument("--stream", type=int, help="lag jobs per size (default 500)")
    parser.add_argument("--stream-seconds", type=float, help="time those jobs are spread over (default 25)")
    parser.add_argument("--rounds", type=int, help="chunks each lag stream is split into (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--plan-cache-mode",
        choices=("auto", "force_custom_plan", "force_generic_plan"),
        default="auto",
        help="PostgreSQL plan_cache_mode for the scratch databases (see docs/bench-ladder.md)",
    )
    args = parser.parse_args(argv)
    quick = args.quick
    return Settings(
        sizes=(1_000, 5_000) if quick else (1_000, 10_000, 50_000),
        samples=args.samples or (30 if quick else 200),
        stream=args.stream or (40 if quick else 500),
        stream_seconds=args.stream_seconds or (4.0 if quick else 25.0),
        rounds=args.rounds or (2 if quick else 5),
        seed=args.seed,
        plan_cache_mode=args.plan_cache_mode,
    )


# --- scratch databases, one per pending count ---


def _asyncpg_url(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


@asynccontextmanager
async def scratch_databases(
    sizes: Sequence[int], plan_cache_mode: str = "auto"
) -> AsyncIterator[dict[int, BaseDBAsyncClient]]:
    """Fresh migrated databases, Tortoise connected to all; yields each one's client by size."""
    run = uuid.uuid4().hex[:8]
    base = ADMIN_URL.rsplit("/", 1)[0]
    names = {n: f"secondline_bench_{run}_{n}" for n in sizes}
    urls = {n: f"{base}/{name}" for n, name in names.items()}
    admin = await asyncpg.connect(_asyncpg_url(ADMIN_URL), timeout=5)
    try:
        for name in names.values():
            await admin.execute(f'CREATE DATABASE "{name}"')
            await admin.execute(f'ALTER DATABASE "{name}" SET plan_cache_mode = {plan_cache_mode}')
        try:
            for url in urls.values():
                await db.start_database(url)  # applies the migrations
            config = db.tortoise_config(urls[sizes[0]])
            config["connections"].update({f"pending_{n}": db.normalise_url(url) for n, url in urls.items()})
            await Tortoise.close_connections()
            await Tortoise.init(config=config, _enable_global_fallback=True)
            yield {n: connections.get(f"pending_{n}") for n in sizes}
        finally:
            await db.stop_database()
    finally:
        for name in names.values():
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextmanager
def on_database(client: BaseDBAsyncClient) -> Iterator[None]:
    """Point the models' default connection at `client`, for this task and the tasks it starts."""
    token = connections.set("default", client)
    try:
        yield
    finally:
        connections.reset(token)


async def add_pending(count: int, now: datetime, rng: random.Random) -> None:
    """Insert `count` ladder steps due 1-72 h from now, in batches."""
    for start in range(0, count, INSERT_BATCH):
        rows = [
            Job(
                kind=LadderStepDue.kind,
                ticket_id=i // 4,
                due_at=now + timedelta(hours=rng.uniform(1, 72)),
                payload={"epoch": 0, "index": i % 4, "priority": "P2"},
                dedupe_key=f"ladder:{i // 4}:0:{i % 4}",
                created_at=now,
            )
            for i in range(start, min(start + INSERT_BATCH, count))
        ]
        await Job.bulk_create(rows)


# --- cost per idle wake-up ---


class _QueryLog(logging.Handler):
    """Collects (sql, parameters) of the SELECTs Tortoise logs at DEBUG level."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.queries: list[tuple[str, list[Any]]] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) == 2 and isinstance(args[0], str):
            if args[0].lstrip().upper().startswith("SELECT"):
                self.queries.append((args[0], list(args[1] or [])))


@contextmanager
def captured_selects() -> Iterator[list[tuple[str, list[Any]]]]:
    logger = logging.getLogger("tortoise.db_client")
    handler = _QueryLog()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    try:
        yield handler.queries
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@dataclass
class Plan:
    text: str

    def summary(self) -> str:
        nodes = re.findall(
            r"(Incremental Sort|Sort|(?:Seq|Index Only|Index|Bitmap Heap|Bitmap Index) Scan(?: using \S+)?)"
            r"(?: on \w+)?\s+\(",
            self.text,
        )
        buffers = re.search(r"Buffers: shared ([^\n]+)", self.text)  # the top node's: the whole query
        executed = re.search(r"Execution Time: ([\d.]+) ms", self.text)
        return (
            f"{' > '.join(nodes) or '?'}; buffers {buffers.group(1) if buffers else '-'}; "
            f"exec {executed.group(1) if executed else '?'} ms"
        )


@dataclass
class WakeupCost:
    run_due: list[float] = field(default_factory=list)
    next_due_at: list[float] = field(default_factory=list)
    plans: dict[str, Plan] = field(default_factory=dict)

    @property
    def both(self) -> list[float]:
        return [a + b for a, b in zip(self.run_due, self.next_due_at, strict=True)]


async def time_idle_wakeup(worker: Worker) -> tuple[float, float]:
    t0 = time.perf_counter()
    ran = await worker.run_due()
    t1 = time.perf_counter()
    await worker.queue.next_due_at()
    t2 = time.perf_counter()
    if ran:
        raise RuntimeError("a job was due during the idle measurement")
    return t1 - t0, t2 - t1


async def explain_idle_wakeup(client: BaseDBAsyncClient, worker: Worker) -> dict[str, Plan]:
    """EXPLAIN ANALYZE the SQL (with its parameters) that one idle run_due() and next_due_at() send."""
    with captured_selects() as due_sql:
        await worker.run_due()
    with captured_selects() as next_sql:
        await worker.queue.next_due_at()
    if len(due_sql) != 1 or len(next_sql) != 1:
        raise RuntimeError(f"expected one SELECT each, saw {len(due_sql)} and {len(next_sql)}")
    plans = {}
    for name, (sql, values) in (("due()", due_sql[0]), ("next_due_at()", next_sql[0])):
        _, rows = await client.execute_query(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", values)
        plans[name] = Plan("\n".join(row[0] for row in rows))
    return plans


async def measure_wakeups(
    clients: dict[int, BaseDBAsyncClient], samples: int, rng: random.Random
) -> dict[int, WakeupCost]:
    costs = {n: WakeupCost() for n in clients}
    worker = Worker(JobQueue(SystemClock()), SystemClock(), HandlerTable())
    order = list(clients)
    for round_ in range(WARM_UP + samples):
        rng.shuffle(order)
        for n in order:
            with on_database(clients[n]):
                run_due, next_due_at = await time_idle_wakeup(worker)
            if round_ >= WARM_UP:
                costs[n].run_due.append(run_due)
                costs[n].next_due_at.append(next_due_at)
    for n, client in clients.items():
        with on_database(client):
            costs[n].plans = await explain_idle_wakeup(client, worker)
    return costs


# --- lag of due jobs under a running worker ---


async def lag_chunk(jobs: int, seconds: float, rng: random.Random) -> list[float]:
    """Seconds each of `jobs` bench jobs, due over the next `seconds`, started late under run_forever()."""
    clock = SystemClock()
    lags: list[float] = []
    all_ran = asyncio.Event()

    async def handler(_: Housekeeping, job: Job) -> None:
        lags.append((clock.now() - job.due_at).total_seconds())
        if len(lags) == jobs:
            all_ran.set()

    worker = Worker(JobQueue(clock), clock, HandlerTable().on(Housekeeping, handler))
    now = clock.now()
    slot = seconds / jobs
    dues = [now + timedelta(seconds=LEAD + slot * (i + rng.random())) for i in range(jobs)]
    await Job.bulk_create([Job(kind=BENCH_KIND, due_at=due, payload={}, created_at=now) for due in dues])
    task = asyncio.create_task(worker.run_forever(), name="bench-worker")
    try:
        await asyncio.wait_for(all_ran.wait(), timeout=LEAD + seconds + 60)
    except TimeoutError:
        raise RuntimeError(f"only {len(lags)} of {jobs} lag jobs ran") from None
    finally:
        worker.stop()
        await task
    return lags


async def measure_lag(
    clients: dict[int, BaseDBAsyncClient], settings: Settings, rng: random.Random
) -> dict[int, list[float]]:
    lags: dict[int, list[float]] = {n: [] for n in clients}
    order = list(clients)
    for round_ in range(settings.rounds):
        jobs = settings.stream // settings.rounds + (round_ < settings.stream % settings.rounds)
        for n in order if round_ % 2 == 0 else order[::-1]:
            with on_database(clients[n]):
                lags[n] += await lag_chunk(jobs, settings.stream_seconds * jobs / settings.stream, rng)
    return lags


# --- reporting ---


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile, q in 0-100."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def median_ratio(top: Sequence[float], bottom: Sequence[float]) -> float:
    """Median of paired ratios: both were measured in the same round."""
    return statistics.median(a / b for a, b in zip(top, bottom, strict=True))


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}"


async def server_version() -> str:
    admin = await asyncpg.connect(_asyncpg_url(ADMIN_URL), timeout=5)
    try:
        return str(await admin.fetchval("SHOW server_version"))
    finally:
        await admin.close()


def report_wakeups(costs: dict[int, WakeupCost], samples: int) -> None:
    smallest, largest = min(costs), max(costs)
    print(f"\nCost per idle wake-up, ms: median [p90] of {samples} samples")
    print(f"{'pending':>8} {'run_due() idle':>16} {'next_due_at()':>16} {'both':>16}")
    series: dict[str, Callable[[WakeupCost], list[float]]] = {
        "run_due() idle": lambda c: c.run_due,
        "next_due_at()": lambda c: c.next_due_at,
        "both": lambda c: c.both,
    }
    for n, cost in costs.items():
        cells = [
            f"{ms(statistics.median(get(cost)))} [{ms(percentile(get(cost), 90))}]" for get in series.values()
        ]
        print(f"{n:>8,} " + " ".join(f"{cell:>16}" for cell in cells))
    for n in costs:
        if n != smallest:
            ratios = ", ".join(
                f"{name} {median_ratio(get(costs[n]), get(costs[smallest])):.2f}x"
                for name, get in series.items()
            )
            print(f"  {n:,} / {smallest:,} (median of per-round ratios): {ratios}")

    print("\nPlans: EXPLAIN (ANALYZE, BUFFERS) of the SQL and parameters the calls sent")
    for n, cost in costs.items():
        for query, plan in cost.plans.items():
            print(f"{n:>8,} {query:14} {plan.summary()}")
    for query, plan in costs[largest].plans.items():
        print(f"\n{query} at {largest:,} pending:\n{plan.text}")


def report_lag(lags: dict[int, list[float]], settings: Settings) -> None:
    smallest, largest = min(lags), max(lags)
    print(
        f"\nLag behind due time, ms: {settings.stream} jobs per size over {settings.stream_seconds:g} s "
        f"in {settings.rounds} alternating rounds"
    )
    print(f"{'pending':>8} {'median':>8} {'p99':>8} {'max':>8} {'> 1 s':>6}")
    for n, values in lags.items():
        late = sum(value > TARGET_LAG for value in values)
        print(
            f"{n:>8,} {ms(statistics.median(values)):>8} {ms(percentile(values, 99)):>8} "
            f"{ms(max(values)):>8} {late:>6}"
        )
    big, small = lags[largest], lags[smallest]
    print(
        f"  {largest:,} / {smallest:,}: median {statistics.median(big) / statistics.median(small):.2f}x, "
        f"p99 {percentile(big, 99) / percentile(small, 99):.2f}x"
    )


async def run(settings: Settings) -> None:
    rng = random.Random(settings.seed)
    started = time.perf_counter()
    print(
        f"PostgreSQL {await server_version()}, Python {platform.python_version()}, {os.cpu_count()} CPUs; "
        f"pending sizes {', '.join(f'{n:,}' for n in settings.sizes)}; "
        f"plan_cache_mode {settings.plan_cache_mode}"
    )
    async with scratch_databases(settings.sizes, settings.plan_cache_mode) as clients:
        for n, client in clients.items():
            t0 = time.perf_counter()
            with on_database(client):
                await add_pending(n, SystemClock().now(), rng)
                await client.execute_script("ANALYZE jobs")
                if await Job.all().count() != n:
                    raise RuntimeError(f"expected {n} pending jobs")
            print(f"  {n:,} pending steps inserted in {time.perf_counter() - t0:.1f} s", flush=True)
        costs = await measure_wakeups(clients, settings.samples, rng)
        lag_clients = {n: clients[n] for n in (settings.sizes[0], settings.sizes[-1])}
        lags = await measure_lag(lag_clients, settings, rng)
    report_wakeups(costs, settings.samples)
    report_lag(lags, settings)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s")


def main(argv: Sequence[str] | None = None) -> None:
    asyncio.run(run(parse_args(sys.argv[1:] if argv is None else argv)))


if __name__ == "__main__":
    main()
