"""Soak: real `python -m bot` replicas on a private PostgreSQL and Redis, against the Slack stand-in
enforcing Slack's rate limits, under mixed traffic and scheduled faults; then "nothing lost, nothing
doubled" is checked from the database and the stand-in's record.

    V/bin/python bench/soak.py                  # 60 minutes, three replicas (docs/soak.md)
    V/bin/python bench/soak.py --minutes 5      # the quick check

Exit status 0 when every check holds, 1 otherwise. The report (Markdown) goes to stdout and, with
--report, to a file. Needs PostgreSQL's server binaries and redis-server installed; it starts its own
(never the machine's) and removes them afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench_common import BOT_TOKEN, SIGNING_SECRET, seed_workspace  # first: the repository on the path
from soak_checks import Findings, check_everything
from soak_services import PrivatePostgres, PrivateRedis
from soak_traffic import Replica, Traffic

from bot.policy import parse_config
from bot.standin import SlackStandIn
from bot.standin.processes import BotProcess

# 24x7 plans with targets and ladder steps of seconds, so ladders run out within the soak.
SOAK_POLICY = """
support_channel: C0SUPPORT
calendars:
  always: {timezone: UTC, hours: 24x7}
plans:
  enterprise:
    calendar: always
    first_response: {P1: 20s, P2: 30s, P3: 45s, P4: 60s}
    resolution: {P1: 4m, P2: 6m, P3: 8m, P4: 10m}
    rank: 0
  standard:
    calendar: always
    first_response: {P2: 40s, P3: 60s, P4: 90s}
    resolution: {P2: 8m, P3: 10m, P4: 15m}
    rank: 3
escalation:
  levels:
    lead: [U0LEAD]
    manager: [U0MGR]
    executive: [U0EXEC1, U0EXEC2]
  ladder:
    P1:
      - {page: lead, after: first_response, unless: claimed}
      - {page: manager, after: 60s, unless: resolved}
      - {page: executive, after: 90s, unless: resolved}
    default:
      - {page: lead, after: first_response, unless: claimed}
engineers: [U0ENG1, U0ENG2, U0ENG3]
customers:
  acme: {name: Acme Corp, plan: enterprise, key_users: [U0KEY1, U0KEY2], contract: acme-bank}
  globex: {name: Globex, plan: standard, key_users: [U0KEY3], contract: globex-minute}
  initech: {name: Initech, plan: enterprise, key_users: [U0KEY4]}
contracts:
  acme-bank:
    type: bank
    currency: EUR
    purchases:
      - {hours: 2000, from: 2026-01-01, expires: 2030-12-31, price: "240000.00"}
    on_empty: overage
    overage_rate: "150.00"
  globex-minute:
    type: per_minute
    currency: USD
    rate: "2.50"
"""
KEY_USERS = {
    "U0KEY1": ("acme", ("P1", "P2", "P3", "P4")),
    "U0KEY2": ("acme", ("P1", "P2", "P3", "P4")),
    "U0KEY3": ("globex", ("P2", "P3", "P4")),
    "U0KEY4": ("initech", ("P1", "P2", "P3", "P4")),
}
STEP_UNLESS = {"P1.0": "claimed", "P1.1": "resolved", "P1.2": "resolved"}  # other priorities: ".0" claimed


@dataclass
class Window:
    name: str
    start: float  # time.monotonic()
    end: float


@dataclass
class Soak:
    minutes: float
    replicas: list[Replica]
    standin: SlackStandIn
    postgres: PrivatePostgres
    redis: PrivateRedis
    windows: list[Window] = field(default_factory=list)
    memory: dict[int, list[tuple[float, int]]] = field(default_factory=dict)  # pid → (time, RSS kB)
    pids: dict[int, int] = field(default_factory=dict)  # pid → replica index

    # ------------------------------------------------------------------ faults

    def schedule(self) -> list[tuple[float, str, float]]:
        """(when, as a share of the run; fault; seconds). Slack is silent for a whole minute in any run."""
        scale = min(1.0, self.minutes / 60)
        return [
            (0.10, "kill -9 replica 2, restart after", max(10, 30 * scale)),
            (0.20, "Slack answers 429 to posts and updates", max(10, 30 * scale)),
            (0.30, "Redis killed, restarted after", max(15, 60 * scale)),
            (0.42, "PostgreSQL stopped, restarted after", max(10, 20 * scale)),
            (0.52, "Slack answers 500 to posts, updates and DMs", max(10, 30 * scale)),
            (0.62, "Slack answers nothing", max(20, 60)),
            (0.75, "kill -9 replica 3, restart after", max(10, 30 * scale)),
        ]

    async def inject(self, started: float) -> None:
        for share, name, seconds in self.schedule():
            await asyncio.sleep(max(0.0, started + share * self.minutes * 60 - time.monotonic()))
            window = Window(name, time.monotonic(), 0.0)
            print(f"[{time.monotonic() - started:7.1f} s] fault: {name} {seconds:.0f} s", file=sys.stderr)
            if name.startswith("kill -9"):
                replica = self.replicas[int(name.split()[3].rstrip(",")) - 1]
                replica.alive = False
                replica.process.kill()
                await asyncio.sleep(seconds)
                await replica.process.start()
                self.pids[replica.process.process.pid] = self.replicas.index(replica)  # type: ignore[union-attr]
                replica.alive = True
            elif name.startswith("Slack answers 4") or name.startswith("Slack answers 5"):
                status = 429 if "429" in name else 500
                methods = ["chat.postMessage", "chat.update"] + (
                    ["conversations.open"] if status == 500 else []
                )
                for method in methods:
                    self.standin.fail(method, status=status, times=None, retry_after=5)
                await asyncio.sleep(seconds)
                self.standin.reset_controls()
            elif name.startswith("Slack answers nothing"):
                self.standin.stall(seconds)
                await asyncio.sleep(seconds)
            elif name.startswith("Redis"):
                self.redis.kill()
                await asyncio.sleep(seconds)
                self.redis.start()
            elif name.startswith("PostgreSQL"):
                await asyncio.to_thread(self.postgres.stop)
                await asyncio.sleep(seconds)
                await asyncio.to_thread(self.postgres.start)
            window.end = time.monotonic()
            self.windows.append(window)

    # ------------------------------------------------------------------ memory

    async def sample_memory(self) -> None:
        while True:
            for replica in self.replicas:
                process = replica.process.process
                if replica.alive and process is not None and process.returncode is None:
                    rss = rss_kb(process.pid)
                    if rss:
                        self.memory.setdefault(process.pid, []).append((time.monotonic(), rss))
            await asyncio.sleep(5)


async def report_progress(traffic: Traffic, started: float) -> None:
    while True:
        await asyncio.sleep(60)
        raised = sum(k.id is not None for k in traffic.tickets.values())
        elapsed = time.monotonic() - started
        print(
            f"[{elapsed:7.1f} s] {len(traffic.gestures)} requests, {raised} tickets posted", file=sys.stderr
        )


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def run(minutes: float, replica_count: int, seed: int, mean_gap: float, workdir: Path) -> Findings:
    postgres, redis = PrivatePostgres(workdir), PrivateRedis(workdir)
    await asyncio.to_thread(postgres.init)
    redis.start()
    policy_path = workdir / "policy.yml"
    policy_path.write_text(SOAK_POLICY)
    try:
        async with SlackStandIn(token=BOT_TOKEN) as standin:
            seed_workspace(standin, parse_config(SOAK_POLICY))
            replicas = [
                Replica(
                    BotProcess(
                        standin, workdir, policy_path, postgres.url, redis.url, signing_secret=SIGNING_SECRET
                    )
                )
                for _ in range(replica_count)
            ]
            try:
                for replica in replicas:
                    await replica.process.start()
                soak = Soak(minutes, replicas, standin, postgres, redis)
                soak.pids = {r.process.process.pid: i for i, r in enumerate(replicas)}  # type: ignore[union-attr]
                traffic = Traffic(standin, replicas, KEY_USERS, random.Random(seed))
                started = time.monotonic()
                sampler = asyncio.create_task(soak.sample_memory())
                progress = asyncio.create_task(report_progress(traffic, started))
                faults = asyncio.create_task(soak.inject(started))
                await traffic.run(minutes * 60, mean_gap)
                await faults
                print(f"[{time.monotonic() - started:7.1f} s] traffic stopped; draining", file=sys.stderr)
                findings = await check_everything(soak, traffic, started)
                sampler.cancel()
                progress.cancel()
                return findings
            finally:
                for replica in replicas:
                    await replica.process.stop()
    finally:
        postgres.destroy()
        redis.destroy()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--gap", type=float, default=1.5, help="mean seconds between two gestures")
    parser.add_argument("--report", type=Path, help="also write the Markdown report here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (bot logs)")
    args = parser.parse_args()
    if args.replicas < 3:
        parser.error("--replicas: at least 3 (replica 1 is never killed: its memory is the measure)")
    workdir = Path(tempfile.mkdtemp(prefix="secondline-soak-"))
    try:
        findings = asyncio.run(run(args.minutes, args.replicas, args.seed, args.gap, workdir))
    finally:
        if args.keep:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    command = " ".join(["V/bin/python bench/soak.py", *sys.argv[1:]])
    report = findings.markdown(command)
    print(report)
    if args.report:
        args.report.write_text(report)
    return 0 if findings.ok else 1


if __name__ == "__main__":
    sys.exit(main())
