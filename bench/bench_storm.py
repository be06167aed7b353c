"""A storm of tickets through the real HTTP endpoint: acks, posting delay, Slack's 429s, nothing lost.

    V/bin/python bench/bench_storm.py [--tickets 150] [--seconds 30] [--postgres]

Real `python -m bot` processes (tests/e2e/processes.py's BotProcess) against the Slack stand-in in this
process, which enforces Slack's rate limits on real time. Each ticket is raised as a person would: a
Slack-signed `/support`, the raise modal arriving through `views.open`, then its `view_submission`. A
person whose modal does not arrive within MODAL_PATIENCE types `/support` again after RETYPE_AFTER.

First a baseline of a few tickets spaced out (nothing else in flight), then the storm: --tickets
slash commands at even intervals over --seconds, each followed by its submission as soon as its modal
opens. Then the script waits until every ticket is in the support channel and every key user has had
each confirmation, and a few seconds more for a duplicate to show.

Default: one process on SQLite, no Redis. --postgres: two processes behind a round-robin, on a fresh
PostgreSQL database (created on BENCH_POSTGRES_URL's server, dropped at the end) and a private
redis-server on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import re
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

import aiohttp
import asyncpg
from bench_common import BOT_TOKEN, SIGNING_SECRET, raise_values  # first: the repository on the path

from bot.ids import Callback
from bot.policy import parse_config
from bot.services.intake import SIMILAR_TITLE, similarity
from bot.standin import SlackStandIn
from bot.standin.payloads import SlackClient, slash_command, view_submission
from bot.standin.processes import BotProcess, free_port

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
CUSTOMERS = 10
KEY_USERS_PER_CUSTOMER = 2
BASELINE_TICKETS = 8
BASELINE_GAP = 2.5  # seconds between baseline tickets: the channel's post budget refills in between
MODAL_PATIENCE = 5.0  # seconds a person waits for the modal before giving up on it
RETYPE_AFTER = 10.0  # and then types /support again
MAX_TRIES = 8
SETTLE = 5.0  # seconds to wait after the last post for a duplicate to show up
DRAIN_TIMEOUT = 900.0
VISIBLE_WITHIN = 10.0  # seconds: every ticket of a storm is in a channel message by then (issue 20)

AREAS = (
    "invoices checkout login search exports emails reports dashboard payroll uploads calendar webhooks "
    "printing billing sync backups permissions imports notifications archive"
).split()
SYMPTOMS = (
    "timeout blank crash duplicated missing slow frozen garbled rejected stale wrong hidden empty "
    "looping truncated"
).split()


def storm_policy(first_response: str) -> str:
    """24x7 on real time; targets long enough that no threshold or ladder step fires while the storm
    drains, so what is measured is intake and posting alone (bench_ladder.py measures the ladder)."""
    customers = "\n".join(
        f"  c{c:02d}: {{name: Customer {c:02d}, plan: enterprise, key_users: "
        f"[{', '.join(key_user(c, k) for k in range(KEY_USERS_PER_CUSTOMER))}]}}"
        for c in range(CUSTOMERS)
    )
    return f"""
support_channel: C0SUPPORT
calendars:
  always: {{timezone: UTC, hours: 24x7}}
plans:
  enterprise:
    calendar: always
    first_response: {{P1: {first_response}, P2: {first_response}, P3: {first_response}, P4: {first_response}}}
escalation:
  levels:
    lead: [U0LEAD]
    manager: [U0MGR]
    executive: [U0EXEC1]
  ladder:
    default:
      - {{page: lead, after: first_response, unless: claimed}}
engineers: [U0ENG1]
customers:
{customers}
"""


def key_user(customer: int, k: int) -> str:
    return f"U0K{customer:02d}{k}"


def titles(n: int) -> list[str]:
    """Distinct titles, none of them alike (by the bot's own measure) to another of the same customer, so
    the duplicate check never steps in."""
    per_customer: dict[int, list[str]] = {c: [] for c in range(CUSTOMERS)}
    pool = [f"{area.capitalize()} {symptom}" for symptom in SYMPTOMS for area in AREAS]
    chosen = []
    for i in range(n):
        mine = per_customer[i % CUSTOMERS]
        title = next(t for t in pool if all(similarity(t, other) < SIMILAR_TITLE for other in mine))
        pool.remove(title)
        mine.append(title)
        chosen.append(title)
    return chosen


@dataclass
class Raise:
    user: str
    title: str
    tries: int = 0
    slash_ms: list[float] = field(default_factory=list)
    submit_ms: float | None = None
    submitted_at: float | None = None  # time.monotonic(), the stand-in's clock
    error: str | None = None


class Storm:
    def __init__(self, standin: SlackStandIn, session: aiohttp.ClientSession, urls: list[str]) -> None:
        self.standin = standin
        # Slack gives every command a live response URL: the bot's answers there are read back below.
        self.clients = [SlackClient(session, url, SIGNING_SECRET, response_urls=standin) for url in urls]
        self.sent = 0
        self.refused = 0  # /support answered other than 200 (Bolt: no ack within 3 s)
        self.opened: dict[str, dict[str, object]] = {}  # trigger id -> the modal views.open opened
        self._read = 0
        standin.subscribe(self._record)  # cheap lookups: polling the whole call list is quadratic

    def _record(self) -> None:
        calls = self.standin.calls
        for call in calls[self._read :]:
            if call.method == "views.open" and not call.failed and call.response:
                self.opened[str(call.args.get("trigger_id"))] = dict(call.response["view"])
        self._read = len(calls)

    def client(self) -> SlackClient:
        self.sent += 1  # round robin, as a load balancer would
        return self.clients[self.sent % len(self.clients)]

    async def raise_one(self, job: Raise) -> None:
        view = None
        while view is None and job.tries < MAX_TRIES:
            if job.tries:
                await asyncio.sleep(RETYPE_AFTER)
            job.tries += 1
            body, content_type = slash_command(job.user)
            trigger = parse_qs(body.decode())["trigger_id"][0]
            t0 = time.perf_counter()
            status, _ = await self.client().send(body, content_type)
            job.slash_ms.append((time.perf_counter() - t0) * 1000)
            if status != 200:  # the person sees an error and types it again
                self.refused += 1
                continue
            view = await self.modal(trigger)
        if view is None:
            job.error = "the modal never opened"
            return
        body, content_type = view_submission(
            job.user,
            Callback.RAISE_MODAL,
            raise_values(title=job.title),
            private_metadata=view["private_metadata"],
        )
        job.submitted_at = time.monotonic()
        t0 = time.perf_counter()
        status, text = await self.client().send(body, content_type)
        job.submit_ms = (time.perf_counter() - t0) * 1000
        if status != 200 or text not in ("", "{}"):
            job.error = f"submission answered {status} {text[:200]}"

    async def modal(self, trigger: str) -> dict[str, object] | None:
        deadline = time.monotonic() + MODAL_PATIENCE
        while time.monotonic() < deadline:
            if trigger in self.opened:
                return self.opened[trigger]
            await asyncio.sleep(0.02)
        return None


def channel_posts(standin: SlackStandIn) -> list[tuple[str, float]]:
    """(title, arrival) of each top-level post in the support channel."""
    return [
        (str(c.args.get("text", "")), c.at)
        for c in standin.posts_to("C0SUPPORT")
        if "thread_ts" not in c.args
    ]


def first_shown(standin: SlackStandIn, title: str) -> float | None:
    """When the title first appeared in a top-level support-channel message: its own post, or the queue
    message (bot/outbox/queue.py) posted or updated to list it; the stand-in's arrival time."""
    pattern = re.compile(rf"\b{re.escape(title)}\b")
    for call in standin.calls:
        if call.failed or call.method not in ("chat.postMessage", "chat.update"):
            continue
        if call.args.get("channel") != "C0SUPPORT" or "thread_ts" in call.args:
            continue
        if pattern.search(str(call.args.get("text", "")) + json.dumps(call.args.get("blocks") or [])):
            return call.at
    return None


def confirmations(standin: SlackStandIn, jobs: list[Raise]) -> Counter[str]:
    """Title → how many "raised" confirmations its key user got (several can share one DM)."""
    counts: Counter[str] = Counter()
    for user in {j.user for j in jobs}:
        text = "\n".join(str(c.args.get("text", "")) for c in standin.posts_to(user))
        for job in jobs:
            if job.user == user:
                counts[job.title] += len(re.findall(re.escape(job.title), text))
    return counts


@dataclass
class Phase:
    name: str
    jobs: list[Raise]
    post_delay_s: list[float] = field(default_factory=list)
    visible_s: list[float] = field(default_factory=list)  # submission to first shown in the channel
    posted_once: bool = False
    confirmed_once: bool = False
    seconds: float = 0.0


async def run_phase(storm: Storm, name: str, jobs: list[Raise], gap: float) -> Phase:
    phase = Phase(name, jobs)
    t0 = time.perf_counter()
    tasks = []
    for i, job in enumerate(jobs):
        await asyncio.sleep(max(0.0, t0 + i * gap - time.perf_counter()))
        tasks.append(asyncio.create_task(storm.raise_one(job)))
    await asyncio.gather(*tasks)
    standin = storm.standin
    wanted = [j for j in jobs if j.submitted_at is not None and j.error is None]

    def done() -> bool:
        posted = {text for text, _ in channel_posts(standin)}
        if not all(any(j.title in text for text in posted) for j in wanted):
            return False
        return all(n >= 1 for n in (confirmations(standin, wanted)[j.title] for j in wanted))

    await standin.wait_until(done, DRAIN_TIMEOUT, f"{name}: every post and confirmation")
    phase.seconds = time.perf_counter() - t0
    await asyncio.sleep(SETTLE)
    posts = channel_posts(standin)
    for job in wanted:
        mine = [at for text, at in posts if job.title in text]
        phase.post_delay_s.append(min(mine) - (job.submitted_at or 0.0))
        shown = first_shown(standin, job.title)
        phase.visible_s.append((shown if shown is not None else math.inf) - (job.submitted_at or 0.0))
    phase.posted_once = all(sum(job.title in text for text, _ in posts) == 1 for job in wanted)
    counts = confirmations(standin, wanted)
    phase.confirmed_once = all(counts[j.title] == 1 for j in wanted)
    return phase


@asynccontextmanager
async def bots(
    standin: SlackStandIn, workdir: Path, policy: Path, postgres: bool
) -> AsyncIterator[list[str]]:
    if not postgres:
        bot = BotProcess(
            standin, workdir, policy, f"sqlite://{workdir}/secondline.sqlite3", signing_secret=SIGNING_SECRET
        )
        await bot.start()
        try:
            yield [bot.events_url]
        finally:
            await bot.stop()
        return
    async with fresh_database() as database_url, private_redis(workdir) as redis_url:
        replicas = [
            BotProcess(standin, workdir, policy, database_url, redis_url, signing_secret=SIGNING_SECRET)
            for _ in range(2)
        ]
        try:
            for replica in replicas:
                await replica.start()
            yield [r.events_url for r in replicas]
        finally:
            for replica in replicas:
                await replica.stop()


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    name = f"bench_storm_{uuid.uuid4().hex[:8]}"
    admin_dsn = "postgresql://" + ADMIN_URL.split("://", 1)[1]
    admin = await asyncpg.connect(admin_dsn, timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@asynccontextmanager
async def private_redis(workdir: Path) -> AsyncIterator[str]:
    """A redis-server of our own, so nothing is flushed on the machine's shared one."""
    port = free_port()
    server = await asyncio.create_subprocess_exec(
        shutil.which("redis-server") or "redis-server",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        stdout=asyncio.subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        await server.wait()


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def summary(values: Sequence[float]) -> str:
    if not values:
        return "(none)"
    median = statistics.median(values)
    return f"median {median:8.1f}  p95 {percentile(values, 95):8.1f}  max {max(values):8.1f}"


def report(phases: list[Phase], storm: Storm, args: argparse.Namespace, seconds: float) -> int:
    standin = storm.standin
    mode = "2 processes, PostgreSQL + Redis" if args.postgres else "1 process, SQLite, no Redis"
    print()
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; {mode}")
    medians = {}
    for phase in phases:
        jobs = phase.jobs
        first = [j.slash_ms[0] for j in jobs if j.slash_ms]
        submit = [j.submit_ms for j in jobs if j.submit_ms is not None]
        delays = [d * 1000 for d in phase.post_delay_s]
        visible = [d * 1000 for d in phase.visible_s]
        retyped = sum(1 for j in jobs if j.tries > 1)
        failed = [j for j in jobs if j.error]
        print(f"\n{phase.name}: {len(jobs)} tickets, all posted and confirmed after {phase.seconds:.0f} s")
        print(f"  /support ack, ms (first try)      {summary(first)}")
        print(f"  submission ack, ms                {summary(submit)}")
        print(f"  submission to channel post, ms    {summary(delays)}")
        print(f"  submission to visible, ms         {summary(visible)}")
        within = sum(1 for v in phase.visible_s if v <= VISIBLE_WITHIN)
        print(f"  visible within {VISIBLE_WITHIN:.0f} s               {within} of {len(phase.visible_s)}")
        print(f"  typed /support again (no modal)   {retyped} people, {sum(j.tries for j in jobs)} commands")
        print(f"  posted exactly once: {phase.posted_once}; each confirmation once: {phase.confirmed_once}")
        for job in failed:
            print(f"  FAILED {job.title}: {job.error}")
        medians[phase.name] = (
            statistics.median(first),
            statistics.median(submit),
            statistics.median(delays),
            statistics.median(visible),
        )
    base, loaded = medians["baseline"], medians["storm"]
    print(
        f"\nstorm/baseline medians: /support ack {loaded[0] / base[0]:.2f}x, submission ack "
        f"{loaded[1] / base[1]:.2f}x, submission to post {loaded[2] / base[2]:.1f}x, "
        f"submission to visible {loaded[3] / base[3]:.1f}x"
    )
    calls = Counter(c.method for c in standin.calls)
    limited = Counter(c.method for c in standin.calls if c.rate_limited)
    share = standin.rate_limited_share
    print(f"stand-in: {standin.rate_limited} answered 429 of {len(standin.calls)} calls ({share:.1%})")
    for method, n in sorted(calls.items()):
        print(f"  {method:<22} {n:5d} calls, {limited[method]:4d} answered 429")
    print(f"/support answered other than 200 (no ack within Bolt's 3 s): {storm.refused}")
    told = Counter(r.text for r in standin.responses)
    for text, n in told.most_common(3):
        print(f"  told {n} times through response URLs: {text[:120]!r}")
    print(f"wall time {seconds:.0f} s")
    ok = all(p.posted_once and p.confirmed_once and not any(j.error for j in p.jobs) for p in phases)
    return 0 if ok else 1


async def measure(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    policy_text = storm_policy(f"{args.first_response}s")
    people = [key_user(c, k) for k in range(KEY_USERS_PER_CUSTOMER) for c in range(CUSTOMERS)]
    names = titles(BASELINE_TICKETS + args.tickets)
    jobs = [Raise(people[i % len(people)], title) for i, title in enumerate(names)]
    with tempfile.TemporaryDirectory(prefix="bench-storm-") as tmp:
        workdir = Path(tmp)
        policy = workdir / "policy.yml"
        policy.write_text(policy_text)
        async with SlackStandIn(token=BOT_TOKEN) as standin:
            standin.seed_from_policy(parse_config(policy_text))
            async with (
                bots(standin, workdir, policy, args.postgres) as urls,
                aiohttp.ClientSession() as session,
            ):
                storm = Storm(standin, session, urls)
                baseline = await run_phase(storm, "baseline", jobs[:BASELINE_TICKETS], BASELINE_GAP)
                print(f"baseline done: {summary([j.submit_ms or 0 for j in baseline.jobs])}", flush=True)
                await asyncio.sleep(5)  # the channel's and the DMs' budgets fill up again
                gap = args.seconds / args.tickets
                stormed = await run_phase(storm, "storm", jobs[BASELINE_TICKETS:], gap)
            return report([baseline, stormed], storm, args, time.perf_counter() - started)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=150, help="tickets in the storm")
    parser.add_argument("--seconds", type=float, default=30.0, help="the storm's slash commands span this")
    parser.add_argument("--first-response", type=int, default=900, help="SLA target in seconds")
    parser.add_argument("--postgres", action="store_true", help="two processes on PostgreSQL and Redis")
    return asyncio.run(measure(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
