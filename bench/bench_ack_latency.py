"""Acknowledgement latency of /support, of the raise form's submission and of a Claim click, the bot beside
a bare Bolt app.

    V/bin/python bench/bench_ack_latency.py [--requests 1000] [--concurrency 50] [--rounds 3] [--postgres]

Two processes, one per core of a small machine:

* the "Slack" process (this one): the Web API stand-in (bot.standin.SlackStandIn) and the load
  generator, which sends Slack-signed requests (bot.standin.payloads) with `--concurrency` in flight and
  times each one from send to HTTP response;
* the "app" process (this script with --serve-app): the real bot (bot.app.build + web_app, SQLite in a temp
  dir, or with --postgres a fresh database on BENCH_POSTGRES_URL's server; config/support.example.yml,
  FakeClock on a Tuesday at 10:00 US Central, no background worker) and a
  bare Bolt AsyncApp with the same signing secret and Web API client whose listeners only `await ack()`,
  both served by aiohttp web.AppRunner on 127.0.0.1, plus a small control server (prepare tickets, wait
  for listeners still running after their ack, shut down).

Scenarios: `/support` from a key user (the bot acks, then calls views.open), `/support` from someone who
is not a key user and `/support list` from an engineer (both acknowledged at once; the answer follows
through the command's response URL, checked after each run), the raise form submitted by key users (the
bot validates and saves the ticket before it acknowledges, so a refusal shows on the form; each submission
a different problem, so each one raises a ticket, counted after each run), and Claim clicks (each on a
different, freshly posted ticket, so each one is a real claim).
Rounds interleave the bot and the bare app, alternating which goes first. Before timing, each app gets
a warm-up per scenario. Between runs, listeners still working after their ack are waited for (untimed),
so one run's leftovers never land in the next.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from aiohttp import web
from bench_common import BOT_TOKEN, ROOT, SIGNING_SECRET, raise_values
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.ids import COMMAND, Action, Block, Callback
from bot.policy import load_config
from bot.standin import SlackStandIn
from bot.standin.bolt_tasks import track_bolt_tasks
from bot.standin.payloads import Body, SlackClient, block_actions, slash_command, view_submission

POLICY = ROOT / "config" / "support.example.yml"
SCRIPT = Path(__file__).resolve()
NOW = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)  # Tuesday 10:00 America/Chicago: Standard hours
ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test")
SCENARIOS = ("support_key_user", "support_not_key_user", "support_list", "raise", "claim")
LABELS = {
    "raise": "raise form submitted (validate + save, then ack)",
    "support_key_user": "/support, key user (ack, then views.open)",
    "support_not_key_user": "/support, not a key user (ack, then the answer)",
    "support_list": "/support list, engineer (ack, then the queue)",
    "claim": "Claim click (ack, then the claim)",
}
BASELINE_TICKETS = 200  # open tickets in the database before anything is timed
# Key users raising (customer, priorities their plan offers), and syllables for titles that read unlike
# each other, so no submission is offered a similar open ticket instead (each one raises a ticket).
RAISERS = {
    "U0KEY1": ("acme", "P1 P2 P3 P4"),
    "U0KEY2": ("globex", "P1 P2 P3 P4"),
    "U0KEY3": ("initech", "P2 P3 P4"),
}
SYLLABLES = [c + v for c in "bdfklmnprstvz" for v in "aeio"]


# ====================================================================== the app process


def bare_app(standin_url: str) -> AsyncApp:
    """The baseline: Bolt with the same client and secret, listeners that only acknowledge."""
    client = AsyncWebClient(token=BOT_TOKEN, base_url=standin_url, timeout=10)
    app = AsyncApp(client=client, signing_secret=SIGNING_SECRET)

    @app.command(COMMAND)
    async def support(ack: AsyncAck) -> None:
        await ack()

    @app.action(Action.CLAIM)
    async def claim(ack: AsyncAck) -> None:
        await ack()

    @app.view(Callback.RAISE_MODAL)
    async def raise_ticket(ack: AsyncAck) -> None:
        await ack()

    return app


def bolt_web_app(bolt: AsyncApp) -> web.Application:
    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


async def serve_app(standin_url: str, database_url: str) -> None:
    from bot.app import build
    from bot.clock import FakeClock
    from bot.jobs.kinds import NotifyReporter, PostTicket, RedrawTicket, ScheduleTicket, ThreadNote
    from bot.policy import load_config
    from bot.services.intake import TicketDraft
    from bot.settings import Settings
    from bot.web import web_app
    from models import Job, Ticket

    tasks = track_bolt_tasks()
    policy = load_config(POLICY)
    tmp = tempfile.TemporaryDirectory(prefix="bench-ack-")
    settings = Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        support_config=POLICY,
        database_url=database_url or f"sqlite://{tmp.name}/secondline.sqlite3",
        slack_api_url=standin_url,
    )
    bot = build(settings, policy, FakeClock(NOW), run_worker=False)
    sequence = 0

    async def raise_tickets(n: int, *, spread: bool) -> list[Ticket]:
        nonlocal sequence
        raised = []
        customers = [("acme", "U0KEY1"), ("globex", "U0KEY2"), ("initech", "U0KEY3")]
        for i in range(n):
            sequence += 1
            customer, reporter = customers[i % 3] if spread else customers[0]
            priority = ("P1", "P2", "P3", "P4")[sequence % 4]
            if priority == "P1" and customer == "initech":
                priority = "P2"  # Initech's Basic plan offers no P1
            draft = TicketDraft(
                reporter_id=reporter,
                customer=customer,
                priority=priority,
                environment="production",
                title=f"Bench ticket {sequence}",
                description="Invoices export as empty PDFs since the upgrade.",
                tried="Re-ran the export; cleared the cache.",
                category="incident",  # the example policy has a scope: the form asks what it is about
            )
            raised.append(await bot.deps.intake.raise_ticket(draft))
        # Post them, so each has its message_ts. Only the post jobs run: the key users' "raised" DMs are
        # dropped (queued by each ticket's ScheduleTicket job, run here first), which halves the set-up
        # time and changes nothing on the ack path.
        for job in await Job.filter(kind=ScheduleTicket.kind):
            await bot.deps.intake.schedule(ScheduleTicket.from_job(job), job)
        await Job.filter(kind=NotifyReporter.kind).delete()
        await bot.worker.run_due()
        return raised

    async def prepare(request: web.Request) -> web.Response:
        # The follow-ups earlier claims queued (redraws, thread notes, DMs) are not on any ack path, and
        # this benchmark runs no worker: drop them so run_due below only posts the new tickets.
        await Job.filter(kind__in=[RedrawTicket.kind, ThreadNote.kind, NotifyReporter.kind]).delete()
        fresh = await raise_tickets(int(request.query["n"]), spread=False)
        posted = await Ticket.filter(id__in=[t.id for t in fresh]).values_list("id", "message_ts")
        return web.json_response({"tickets": posted})

    async def settle(request: web.Request) -> web.Response:
        # Tickets a run left unclaimed (raised by the raise scenario, or prepared for the bare app's
        # claim run) are taken by an engineer and their posts dropped (untimed), so the unclaimed queue
        # /support list reads stays the 80 tickets of the set-up and no post piles up.
        left = Ticket.filter(owner_id__isnull=True, id__gt=set_up[-1].id)
        ids = await left.values_list("id", flat=True)
        await Job.filter(
            ticket_id__in=ids, kind__in=[ScheduleTicket.kind, PostTicket.kind, NotifyReporter.kind]
        ).delete()
        await Ticket.filter(id__in=ids).update(owner_id="U0ENG3")
        return web.json_response({"settled": len(ids)})

    async def drain(request: web.Request) -> web.Response:
        drained = await tasks.drain()
        claimed = await Ticket.filter(owner_id__isnull=False).count()
        tickets = await Ticket.all().count()
        answer = {
            "drained": drained,
            "claimed": claimed,
            "tickets": tickets,
            "cpu": time.process_time(),
        }
        return web.json_response(answer)

    stopping = asyncio.Event()

    async def shutdown(request: web.Request) -> web.Response:
        stopping.set()
        return web.json_response({"ok": True})

    control = web.Application()
    control.router.add_post("/prepare", prepare)
    control.router.add_post("/drain", drain)
    control.router.add_post("/settle", settle)
    control.router.add_post("/shutdown", shutdown)

    runners = []
    ports = {}
    apps = {"bot": web_app(bot), "bare": bolt_web_app(bare_app(standin_url)), "control": control}
    for name, app in apps.items():
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()  # the bot's start-up runs here: migrations and the database check
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        ports[name] = int(runner.addresses[0][1])

    # A realistic queue: open tickets for every customer, most of them already claimed.
    baseline = set_up = await raise_tickets(BASELINE_TICKETS, spread=True)
    for i, ticket in enumerate(baseline):
        if i % 5 < 3:
            await bot.deps.transitions.claim(ticket.id, ("U0ENG1", "U0ENG2")[i % 2])
    await Job.filter(kind__in=[RedrawTicket.kind, ThreadNote.kind, NotifyReporter.kind]).delete()

    print(json.dumps({"ports": ports, "python": platform.python_version()}), flush=True)
    await stopping.wait()
    await asyncio.sleep(0.05)  # let the shutdown answer go out
    for runner in reversed(runners):
        await runner.cleanup()
    tmp.cleanup()


# ====================================================================== the Slack process


@dataclass
class Run:
    target: str  # bot | bare
    scenario: str
    latencies_ms: list[float]
    seconds: float
    errors: int
    app_cpu_ms: float  # app process CPU per request, the listeners' work after the ack included
    drain_s: float  # how long listeners kept working after the last ack had arrived
    slack_cpu: float  # share of one core the load generator and stand-in process used

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)


@dataclass
class Results:
    runs: list[Run] = field(default_factory=list)

    def of(self, target: str, scenario: str) -> list[Run]:
        return [r for r in self.runs if r.target == target and r.scenario == scenario]


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


class Harness:
    def __init__(self, session: aiohttp.ClientSession, ports: dict[str, int], standin: SlackStandIn) -> None:
        self.session = session
        self.standin = standin
        self.control = f"http://127.0.0.1:{ports['control']}"
        self.clients = {
            target: SlackClient(session, f"http://127.0.0.1:{ports[target]}/slack/events", SIGNING_SECRET)
            for target in ("bot", "bare")
        }
        self.claimed = 0
        self.tickets = 0
        self.raised = 0  # submissions sent, for titles that never repeat

    async def _control(self, path: str, **query: int) -> dict[str, Any]:
        async with self.session.post(self.control + path, params=query) as response:
            response.raise_for_status()
            answer: dict[str, Any] = await response.json()
            return answer

    async def bodies(self, scenario: str, n: int) -> list[Body]:
        """Requests for one run, built before timing (signing happens at send time, as for Slack)."""
        if scenario == "support_key_user":
            return [slash_command("U0KEY1") for _ in range(n)]
        if scenario == "support_not_key_user":
            return [self._command(f"U0GUEST{i % 7}") for i in range(n)]
        if scenario == "support_list":
            return [self._command(("U0ENG1", "U0ENG2")[i % 2], "list") for i in range(n)]
        if scenario == "raise":
            return [self._submission() for _ in range(n)]
        tickets = (await self._control("/prepare", n=n))["tickets"]
        return [
            block_actions(
                ("U0ENG1", "U0ENG2")[i % 2],
                Action.CLAIM,
                str(ticket_id),
                block_id=Block.TICKET_ACTIONS,
                channel_id="C0SUPPORT",
                message_ts=ts,
                action_text="Claim",
            )
            for i, (ticket_id, ts) in enumerate(tickets)
        ]

    def _submission(self) -> Body:
        """A key user's filled-in raise form, about a problem no earlier submission described."""
        self.raised += 1
        n = self.raised
        user = sorted(RAISERS)[n % len(RAISERS)]
        customer, priorities = RAISERS[user]
        rng = random.Random(n)
        title = " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(4))
        priority = priorities.split()[n % len(priorities.split())]
        values = raise_values(title=title, priority=priority, description=f"Case {n}: {title}, since today.")
        metadata = json.dumps({"customers": [customer]})
        return view_submission(user, Callback.RAISE_MODAL, values, private_metadata=metadata)

    def _command(self, user: str, text: str = "") -> tuple[bytes, str]:
        """A slash command whose response URL the stand-in serves, so its later answer can be read."""
        return slash_command(user, text, response_url=self.standin.new_response_url(user, "C0GENERAL"))

    async def run(self, target: str, scenario: str, n: int, concurrency: int) -> Run:
        bodies = await self.bodies(scenario, n)
        client = self.clients[target]
        latencies: list[float] = []
        errors = 0
        views_before = len(self.standin.calls_to("views.open"))
        answers_before = len(self.standin.responses)
        cpu_before = (await self._control("/drain"))["cpu"]
        own_before = time.process_time()
        queue = iter(bodies)

        async def worker() -> None:
            nonlocal errors
            for body, content_type in queue:  # a shared iterator: each request is sent once
                t0 = time.perf_counter()
                status, text = await client.send(body, content_type)
                latencies.append((time.perf_counter() - t0) * 1000)
                if status != 200 or not self._expected(target, scenario, text):
                    if not errors:
                        print(f"  unexpected answer from {target}: {status} {text[:300]}", file=sys.stderr)
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - t0
        own_cpu = time.process_time() - own_before
        after = await self._control("/drain")  # listeners still working after their ack finish here
        drain_s = time.perf_counter() - t0 - seconds
        if target == "bot" and scenario == "claim":
            won = after["claimed"] - self.claimed
            if won != n:
                print(f"  warning: {won} of {n} claims won", file=sys.stderr)
        if target == "bot" and scenario == "raise":
            raised = after["tickets"] - self.tickets
            errors += abs(n - raised)  # each submission must have saved exactly one ticket
        settled = await self._control("/settle")
        self.claimed = after["claimed"] + settled["settled"]  # taken by the settle, not by claim clicks
        self.tickets = after["tickets"]
        if target == "bot" and scenario == "support_key_user":
            await self.standin.wait_until(
                lambda: len(self.standin.calls_to("views.open")) >= views_before + n, 30, "views.open calls"
            )
        if target == "bot" and scenario in ("support_not_key_user", "support_list"):
            wanted = "key users" if scenario == "support_not_key_user" else "Unclaimed, most urgent first"
            await self.standin.wait_until(
                lambda: len(self.standin.responses) >= answers_before + n, 30, "response URL answers"
            )
            errors += sum(wanted not in r.text for r in self.standin.responses[answers_before:])
        app_cpu_ms = (after["cpu"] - cpu_before) * 1000 / n
        return Run(target, scenario, latencies, seconds, errors, app_cpu_ms, drain_s, own_cpu / seconds)

    @staticmethod
    def _expected(target: str, scenario: str, text: str) -> bool:
        return text in ("", "{}")  # every scenario acknowledges first; answers come by response URL


async def start_app_process(
    standin_url: str, database_url: str
) -> tuple[asyncio.subprocess.Process, dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(SCRIPT),
        "--serve-app",
        standin_url,
        "--database-url",
        database_url,
        stdout=asyncio.subprocess.PIPE,
        cwd=str(ROOT),
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 300)
    if not line:
        raise RuntimeError(f"the app process exited ({await process.wait()}) before it was ready")
    return process, json.loads(line)


def progress(round_no: int, run: Run) -> None:
    n = len(run.latencies_ms)
    print(
        f"round {round_no} {run.scenario:<21} {run.target:<4} median {run.median:6.1f} ms"
        f"  p99 {run.p99:6.1f} ms  {n / run.seconds:5.0f} req/s  app CPU {run.app_cpu_ms:4.2f} ms/req"
        f"  drained {run.drain_s:4.1f} s later  load gen {run.slack_cpu:4.0%} of a core"
        + (f"  {run.errors} unexpected answers" if run.errors else ""),
        flush=True,
    )


async def measure(args: argparse.Namespace) -> Results:
    results = Results()
    # Limits off: the load is far beyond what one Slack workspace allows by design, and what is measured is
    # the acknowledgement, which goes out before any Web API call.
    async with SlackStandIn(token=BOT_TOKEN, enforce_limits=False) as standin:
        standin.seed_from_policy(load_config(POLICY))
        t0 = time.perf_counter()
        process, hello = await start_app_process(standin.base_url, args.database_url)
        print(f"app process ready in {time.perf_counter() - t0:.1f} s (Python {hello['python']})")
        connector = aiohttp.TCPConnector(limit=args.concurrency * 2)
        try:
            async with aiohttp.ClientSession(connector=connector) as session:
                harness = Harness(session, hello["ports"], standin)
                for scenario in args.scenarios:
                    for target in ("bot", "bare"):
                        await harness.run(target, scenario, args.warmup, args.concurrency)
                for round_no in range(args.rounds):
                    for index, scenario in enumerate(args.scenarios):
                        order = ("bot", "bare") if (round_no + index) % 2 == 0 else ("bare", "bot")
                        for target in order:
                            run = await harness.run(target, scenario, args.requests, args.concurrency)
                            results.runs.append(run)
                            progress(round_no + 1, run)
                await harness._control("/shutdown")
        finally:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
    return results


async def with_database(args: argparse.Namespace) -> Results:
    """Measure on SQLite (the app process makes its own), or on a fresh PostgreSQL database, dropped after."""
    if not args.postgres:
        args.database_url = ""
        return await measure(args)
    name = f"bench_ack_{os.getpid()}"
    admin = await asyncpg.connect("postgresql://" + ADMIN_URL.split("://", 1)[1], timeout=5)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        args.database_url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
        try:
            return await measure(args)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


def report(results: Results, args: argparse.Namespace, seconds: float) -> None:
    print()
    print(
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.requests} requests per run, {args.concurrency} in flight, {args.rounds} rounds; "
        f"the bot on {'PostgreSQL' if args.postgres else 'SQLite'}"
    )
    print("latency in ms over all rounds' requests; bot/bare = median of the per-round ratios")
    print(
        f"{'scenario':<46} {'bot med':>8} {'bot p99':>8} {'bare med':>8} {'bare p99':>8} "
        f"{'bot/bare med':>12} {'bot/bare p99':>12}"
    )
    for scenario in args.scenarios:
        bot, bare = results.of("bot", scenario), results.of("bare", scenario)
        bot_all = [x for r in bot for x in r.latencies_ms]
        bare_all = [x for r in bare for x in r.latencies_ms]
        print(
            f"{LABELS[scenario]:<46} {statistics.median(bot_all):8.1f} {percentile(bot_all, 99):8.1f} "
            f"{statistics.median(bare_all):8.1f} {percentile(bare_all, 99):8.1f} "
            f"{ratio(bot, bare, lambda r: r.median):>11.2f}x {ratio(bot, bare, lambda r: r.p99):>11.2f}x"
        )
    print()
    print("acks/s, app-process CPU per request (ms, post-ack work included), and how long the bot's")
    print("listeners kept working after the last ack of a run (s); medians over rounds")
    print(
        f"{'scenario':<46} {'bot req/s':>9} {'bare req/s':>10} {'bot CPU':>8} {'bare CPU':>8} "
        f"{'bot/bare CPU':>12} {'bot drain':>9}"
    )
    for scenario in args.scenarios:
        bot, bare = results.of("bot", scenario), results.of("bare", scenario)
        print(
            f"{LABELS[scenario]:<46} {statistics.median(args.requests / r.seconds for r in bot):9.0f} "
            f"{statistics.median(args.requests / r.seconds for r in bare):10.0f} "
            f"{statistics.median(r.app_cpu_ms for r in bot):8.2f} "
            f"{statistics.median(r.app_cpu_ms for r in bare):8.2f} "
            f"{ratio(bot, bare, lambda r: r.app_cpu_ms):>11.2f}x "
            f"{statistics.median(r.drain_s for r in bot):9.2f}"
        )
    busiest = max(r.slack_cpu for r in results.runs)
    errors = sum(r.errors for r in results.runs)
    print(f"load generator + stand-in process: at most {busiest:.0%} of a core in any run")
    print(f"unexpected answers: {errors}; wall time {seconds:.0f} s")


def ratio(bot: list[Run], bare: list[Run], value: Callable[[Run], float]) -> float:
    """The median over rounds of bot / bare (the two runs of a round are back to back)."""
    return statistics.median(value(b) / value(a) for b, a in zip(bot, bare, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=1000, help="timed requests per run")
    parser.add_argument("--concurrency", type=int, default=50, help="requests in flight at once")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=100, help="untimed requests per app and scenario")
    parser.add_argument(
        "--postgres", action="store_true", help="the bot on a fresh database on BENCH_POSTGRES_URL's server"
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help=f"comma-separated, of {', '.join(SCENARIOS)}"
    )
    parser.add_argument("--serve-app", metavar="STANDIN_URL", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    if args.serve_app:
        asyncio.run(serve_app(args.serve_app, args.database_url))
        return 0
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    t0 = time.perf_counter()
    results = asyncio.run(with_database(args))
    report(results, args, time.perf_counter() - t0)
    return 1 if any(r.errors for r in results.runs) else 0


if __name__ == "__main__":
    sys.exit(main())
