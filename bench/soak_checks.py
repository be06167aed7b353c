"""The soak's verdict, from the database and the stand-in's record: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from tortoise import Tortoise
from tortoise.expressions import Q

from bot.db import tortoise_config
from bot.ids import Action
from bot.standin.processes import ROOT
from models import Job, Page, Ticket, TicketEvent, TimeEntry
from models.jobs import JobStatus

if TYPE_CHECKING:
    from soak import Soak
    from soak_traffic import Traffic

DRAIN_LIMIT = 300.0  # seconds to wait, after traffic stops, for every due job to run
GRACE = timedelta(seconds=2)  # a step that started just before a claim may still page: not "moved on"
LATE_AFTER = timedelta(minutes=1)  # bot/services/ladder.py: a page made or sent later than this is late
DRAWN_TO_ARRIVED = 5.0  # seconds from a page's DM being drawn (its late mark decided) to Slack having it
EXPLAINED_AFTER = 150.0  # a fault's effects may last this long after it ends (lease 60 s, then backoff)
MEMORY_BOUND_KB = 40 * 1024  # growth of the replica that ran throughout, start (warm) to end


@dataclass
class Findings:
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    def check(self, name: str, ok: bool, detail: str) -> None:
        self.checks.append((name, ok, detail))
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {detail}", file=sys.stderr)

    @property
    def ok(self) -> bool:
        return all(ok for _, ok, _ in self.checks)

    def markdown(self, command: str) -> str:
        lines = [f"Command: `{command}`", "", "| check | holds | detail |", "| --- | --- | --- |"]
        lines += [f"| {name} | {'yes' if ok else '**no**'} | {detail} |" for name, ok, detail in self.checks]
        lines += ["", "| figure | value |", "| --- | --- |"]
        lines += [f"| {name} | {value} |" for name, value in self.figures]
        for table in self.tables:
            lines += ["", table]
        return "\n".join(lines) + "\n"


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.median(ordered) * 1000:.0f} / {p95 * 1000:.0f} / {ordered[-1] * 1000:.0f}"


# Redraws only refresh what a message shows, and open tickets' SLA timers keep queuing them at the
# chat.update budget's pace long after traffic stops: the drain waits for them only when they are due.
REFRESHES = ("redraw_ticket", "redraw_page")


def _unfinished() -> Any:
    """Pending jobs the drain waits for: those due now (a lease a killed replica held runs out within
    60 s, then another replica runs the job), and those waiting on a retry's backoff or a rate budget,
    whatever their due time (a post deferred behind the channel's pace, or answered 429, is due again
    later, and still has to arrive)."""
    waiting = Q(last_error__isnull=False) & ~Q(kind__in=REFRESHES)
    return Job.filter(Q(due_at__lte=datetime.now(UTC)) | waiting, status=JobStatus.PENDING)


async def drain(findings: Findings) -> float:
    """Wait until no job is due and unrun and none waits on a retry (the replicas keep working meanwhile);
    returns how long it took. What is still unfinished after DRAIN_LIMIT is listed in the findings."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_LIMIT:
        if await _unfinished().count() == 0:
            break
        await asyncio.sleep(2)
    left = Counter(str(kind) for kind in await _unfinished().values_list("kind", flat=True))
    findings.check(
        "every due or retried job ran before the checks",
        not left,
        f"still pending after {DRAIN_LIMIT:.0f} s: {dict(left)}" if left else "none left",
    )
    return time.monotonic() - started


async def check_everything(soak: Soak, traffic: Traffic, started: float) -> Findings:
    findings = Findings()
    await Tortoise.init(config=tortoise_config(soak.postgres.url))
    try:
        drained = await drain(findings)
        wall = time.time() - time.monotonic()  # monotonic → epoch seconds
        findings.figures.append(
            ("run", f"{(time.monotonic() - started) / 60:.1f} min, drained in {drained:.0f} s")
        )
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("tickets", lambda: _raised_and_posted(findings, soak, traffic)),
            ("pages", lambda: _pages(findings, soak, wall)),
            ("time", lambda: _time(findings, soak, traffic)),
            ("jobs", lambda: _jobs(findings)),
            ("memory", lambda: _memory(findings, soak)),
            ("requests", lambda: _gestures(findings, soak, traffic)),
            ("slack", lambda: _slack(findings, soak)),
        ]
        for name, step in steps:
            try:
                result = step()
                if asyncio.iscoroutine(result):
                    await result
            except Exception as exc:  # one broken check must not cost the other findings of a long run
                findings.check(f"{name} checks ran", False, f"{type(exc).__name__}: {exc}")
    finally:
        await Tortoise.close_connections()
    return findings


async def _raised_and_posted(findings: Findings, soak: Soak, traffic: Traffic) -> None:
    raises = [g for g in traffic.gestures if g.kind == "raise"]
    acked = {g.detail for g in raises if g.status == 200 and g.answer.strip() in ("", "{}")}
    offers = sum('"response_action": "update"' in g.answer for g in raises if g.status == 200)
    findings.figures.append(("similar tickets offered (raised as new ones anyway)", str(offers)))
    unanswered = {g.detail for g in traffic.gestures if g.kind == "raise" and g.status is None}
    tickets = await Ticket.all()
    titles = Counter(t.title for t in tickets)
    missing = acked - set(titles)
    findings.check(
        "every acknowledged raise is a ticket", not missing, f"{len(acked)} raised, {len(missing)} missing"
    )
    doubled = [t for t, n in titles.items() if n > 1]
    findings.check("no ticket raised twice", not doubled, f"{len(tickets)} tickets, {len(doubled)} doubled")
    extra = set(titles) - acked
    findings.figures.append(("raises Slack would have shown as failed (no ack in 3 s)", str(len(unanswered))))
    findings.figures.append(("... of which the ticket was raised all the same", str(len(extra & unanswered))))
    posts: Counter[int] = Counter()
    for call in soak.standin.posts_to("C0SUPPORT"):
        if "thread_ts" not in call.args and (m := re.match(r"SUP-(\d+)\b", str(call.args.get("text", "")))):
            posts[int(m.group(1))] += 1
    keys: Counter[str] = Counter()
    for call in soak.standin.calls_to("chat.postMessage"):
        if not call.failed and call.response is not None and isinstance(call.args.get("metadata"), dict):
            keys[str((call.args["metadata"].get("event_payload") or {}).get("key"))] += 1
    doubled_keys = [key for key, n in keys.items() if n > 1]
    findings.check("no job's message posted twice (ticket posts, notes, pages, news)", not doubled_keys,
                   f"{len(keys)} messages; doubled {doubled_keys[:10]}")  # fmt: skip
    unposted = [t.ref for t in tickets if posts[t.id] == 0]
    twice = [t.ref for t in tickets if posts[t.id] > 1]
    findings.check(
        "every ticket posted in the channel exactly once",
        not unposted and not twice,
        f"{len(tickets)} tickets; unposted {unposted[:10]}, posted more than once {twice[:10]}",
    )


LATE_LINE = "This page is late"  # bot/blocks/pages.py: the line a late page's part shows


def _page_parts(blocks: list[Any]) -> list[list[Any]]:
    """A page message's parts, one per page (bot/blocks/pages.py): the blocks between dividers in a message
    of several pages, its heading left out; the whole message when it carries one page."""
    if not any(isinstance(block, dict) and block.get("type") == "divider" for block in blocks):
        return [blocks]
    found: list[list[Any]] = []
    for block in blocks:
        if isinstance(block, dict) and block.get("type") == "divider":
            found.append([])
        elif found:
            found[-1].append(block)
    return found


def _buttons(blocks: list[Any], *actions: str) -> list[str]:
    """Page ids on the buttons of `blocks` with these action ids, in order."""
    return [
        str(element.get("value"))
        for block in blocks
        if isinstance(block, dict)
        for element in block.get("elements", [])
        if isinstance(element, dict) and element.get("action_id") in actions
    ]


@dataclass
class PageMessages:
    """What the stand-in shows of pages: a message may carry several, each in its own part."""

    delivered: Counter[str] = field(default_factory=Counter)  # page id → posts carrying its Acknowledge
    arrived: dict[str, float] = field(default_factory=dict)  # page id → when its post reached Slack (Call.at)
    # page id → whether its own part says it is late, in its post, then in each redraw of that message
    # (None: no part of its own to tell, which no page should lack).
    says_late: defaultdict[str, list[bool | None]] = field(default_factory=lambda: defaultdict(list))


def _page_messages(soak: Soak) -> PageMessages:
    seen = PageMessages()
    order: dict[tuple[str, str], list[str | None]] = {}  # (channel, ts) → the page of each of its parts
    for call in soak.standin.calls_to("chat.postMessage"):
        if call.failed or call.response is None:
            continue
        blocks = call.args.get("blocks") or []
        seen.delivered.update(_buttons(blocks, Action.ACKNOWLEDGE))
        for page in _buttons(blocks, Action.ACKNOWLEDGE):
            seen.arrived.setdefault(page, call.at)
        if not _buttons(blocks, Action.ACKNOWLEDGE, Action.TAKE):
            continue
        pages: list[str | None] = []
        for part in _page_parts(blocks):
            ids = set(_buttons(part, Action.ACKNOWLEDGE, Action.TAKE))
            pages.append(next(iter(ids)) if len(ids) == 1 else None)
            for page in ids:
                seen.says_late[page].append(LATE_LINE in json.dumps(part) if len(ids) == 1 else None)
        order[(str(call.response.get("channel")), str(call.response.get("ts")))] = pages
    for call in soak.standin.calls_to("chat.update"):
        pages = order.get((str(call.args.get("channel")), str(call.args.get("ts"))), [])
        if call.failed or call.response is None or not pages:
            continue
        # A redraw draws the parts in the order they were posted in (bot/outbox/pages.py, IN_ORDER); an
        # acknowledged part may have no button left to name its page.
        drawn = _page_parts(call.args.get("blocks") or [])
        if len(drawn) != len(pages):  # a part lost or added: no page of it can be said to be shown right
            for lost in filter(None, pages):
                seen.says_late[lost].append(None)
            continue
        for shown, part in zip(pages, drawn, strict=True):
            if shown is not None:
                seen.says_late[shown].append(LATE_LINE in json.dumps(part))
    return seen


async def _pages(findings: Findings, soak: Soak, wall: float) -> None:
    pages = await Page.all()
    shown = _page_messages(soak)
    delivered = shown.delivered
    arrived_late = LATE_AFTER.total_seconds() + DRAWN_TO_ARRIVED
    unsent = [p.id for p in pages if p.sent_at is None]
    wrong = {str(p.id): delivered[str(p.id)] for p in pages if p.sent_at and delivered[str(p.id)] != 1}
    findings.check(
        "every page sent exactly once",
        not unsent and not wrong,
        f"{len(pages)} pages; unsent {unsent[:10]}, delivered ≠ once {dict(list(wrong.items())[:10])}",
    )
    stray = set(delivered) - {str(p.id) for p in pages}
    findings.check("no page message without its page", not stray, f"{len(stray)} stray")
    badly_marked = [
        p.id
        for p in pages
        if p.sent_at
        and (
            # Late when its step ran over a minute late, or its DM reached Slack over a minute late.
            (p.created_at - p.due_at > LATE_AFTER and not p.late)
            or (shown.arrived.get(str(p.id), 0.0) + wall - p.due_at.timestamp() > arrived_late and not p.late)
            # Its own part of the message, not the others': pages due together share one DM.
            or any(says != p.late for says in shown.says_late.get(str(p.id)) or [False])
        )
    ]
    findings.check(
        "late pages marked late, and only those",
        not badly_marked,
        f"{sum(p.late for p in pages)} late; wrongly marked {badly_marked[:10]}",
    )
    moved_on = await _paged_after_moving_on(pages)
    findings.check(
        "no page for a ticket that had moved on", not moved_on, f"{len(moved_on)}: {moved_on[:10]}"
    )
    lateness = [((p.sent_at - p.due_at).total_seconds(), p) for p in pages if p.sent_at]
    windows = [(w.start + wall, w.end + wall + EXPLAINED_AFTER) for w in soak.windows]
    unexplained = [
        p.id
        for late, p in lateness
        if late > 10
        and not any(start <= p.sent_at.timestamp() and p.due_at.timestamp() <= end for start, end in windows)
    ]
    findings.check(
        "pages more than 10 s late only around a fault",
        not unexplained,
        f"{len(unexplained)} unexplained: {unexplained[:10]}",
    )
    quiet = [
        late
        for late, p in lateness
        if not any(start <= p.sent_at.timestamp() and p.due_at.timestamp() <= end for start, end in windows)
    ]
    findings.figures.append(
        ("page delay after its due time, away from faults: median / p95 / max ms", _ms(quiet))
    )
    findings.figures.append(("page delay, all: median / p95 / max ms", _ms([late for late, _ in lateness])))


def _step_unless(step_key: str) -> str | None:
    if step_key.startswith("request"):
        return None  # a key user's request pages at once, whatever the state
    return "claimed" if step_key.endswith(".0") else "resolved"


async def _paged_after_moving_on(pages: list[Page]) -> list[str]:
    events: dict[int, list[TicketEvent]] = defaultdict(list)
    for event in await TicketEvent.all().order_by("at", "id"):
        events[event.ticket_id].append(event)
    found = []
    for page in pages:
        unless = _step_unless(page.step_key)
        if unless is None:
            continue
        owned, resolved = False, False
        for event in events[page.ticket_id]:
            if event.at > page.created_at - GRACE:
                break
            if event.kind in ("claimed", "reassigned"):
                owned = True
            elif event.kind == "released":
                owned = False
            elif event.kind == "resolved":
                resolved = True
            elif event.kind == "reopened":
                resolved = False
        if resolved or (unless == "claimed" and owned):
            found.append(f"SUP-{page.ticket_id} {page.step_key} {page.recipient}")
    return found


async def _time(findings: Findings, soak: Soak, traffic: Traffic) -> None:
    entries = await TimeEntry.all()
    notes = {e.note: e for e in entries}
    answers = {r.url: r.text for r in soak.standin.responses}
    lost = []
    for gesture in traffic.gestures:
        if gesture.kind != "log" or gesture.status != 200 or gesture.detail in notes:
            continue
        answer = answers.get(gesture.response_url or "", "")
        if answer.startswith("Logged") or not answer:
            lost.append(f"{gesture.detail}: {answer or 'no answer'}")
    findings.check(
        "every acknowledged time log is recorded, or its author was told why not",
        not lost,
        f"{len(entries)} entries; lost {lost[:10]}",
    )
    env = {
        **os.environ,
        "DATABASE_URL": soak.postgres.url,
        "SUPPORT_CONFIG": str(soak.replicas[0].process.env["SUPPORT_CONFIG"]),
        "PYTHONPATH": str(ROOT),
    }
    missing: list[str] = []
    by_customer: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for entry in entries:
        by_customer[(entry.customer, entry.worked_on.strftime("%Y-%m"))][f"SUP-{entry.ticket_id}"] += (
            entry.minutes
        )
    for (customer, month), minutes in sorted(by_customer.items()):
        command = [
            sys.executable,
            "-m",
            "bot",
            "statement",
            "--customer",
            customer,
            "--month",
            month,
            "--format",
            "json",
        ]
        result = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            missing.append(f"{customer} {month}: {result.stderr.strip()[-200:]}")
            continue
        stated: Counter[str] = Counter()
        for line in json.loads(result.stdout)["lines"]:
            stated[str(line["ticket"])] += int(line["minutes"])
        if stated != minutes:
            missing.append(
                f"{customer} {month}: {sum(minutes.values())} min logged, {sum(stated.values())} stated"
            )
    findings.check(
        "every time entry in its customer's statement",
        not missing and bool(entries),
        f"{len(by_customer)} statements; {missing[:5]}",
    )


async def _jobs(findings: Findings) -> None:
    now = datetime.now(UTC)
    overdue = await Job.filter(status=JobStatus.PENDING, due_at__lte=now - timedelta(seconds=30)).count()
    failed = await Job.filter(status=JobStatus.FAILED).all()
    findings.check("no job left pending past its due time", overdue == 0, f"{overdue} overdue after draining")
    reasons = Counter(f"{j.kind}: {j.error_code}" for j in failed)
    findings.check("no job failed for good", not failed, f"{len(failed)} failed {dict(reasons)}")


def _memory(findings: Findings, soak: Soak) -> None:
    rows = [
        "| replica | process | RSS warm (MB) | RSS end (MB) | lived (min) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for pid, samples in soak.memory.items():
        first = samples[0][0]
        warm = next((rss for at, rss in samples if at - first >= 60), samples[0][1])
        rows.append(
            f"| {soak.pids.get(pid, 0) + 1} | {pid} | {warm / 1024:.1f} | {samples[-1][1] / 1024:.1f} | "
            f"{(samples[-1][0] - first) / 60:.1f} |"
        )
    soak_long = soak.memory.get(soak.replicas[0].process.process.pid, [])  # type: ignore[union-attr]
    if soak_long:
        first = soak_long[0][0]
        warm = next((rss for at, rss in soak_long if at - first >= 60), soak_long[0][1])
        growth = soak_long[-1][1] - warm
        findings.check(
            f"memory of the replica that ran throughout grew less than {MEMORY_BOUND_KB // 1024} MB",
            growth < MEMORY_BOUND_KB,
            f"{warm / 1024:.1f} MB warm → {soak_long[-1][1] / 1024:.1f} MB",
        )
    findings.tables.append("\n".join(rows))


def _gestures(findings: Findings, soak: Soak, traffic: Traffic) -> None:
    rows = [
        "| gesture | sent | acked 200 | no ack in 3 s | other status | ack median / p95 / max ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    by_kind: dict[str, list[Any]] = defaultdict(list)
    for gesture in traffic.gestures:
        by_kind[gesture.kind].append(gesture)
    for kind, gestures in sorted(by_kind.items()):
        ok = [g for g in gestures if g.status == 200]
        silent = sum(g.status is None for g in gestures)
        rows.append(
            f"| {kind} | {len(gestures)} | {len(ok)} | {silent} | {len(gestures) - len(ok) - silent} | "
            f"{_ms([g.latency for g in ok])} |"
        )
    findings.tables.append("\n".join(rows))
    outside = [
        g
        for g in traffic.gestures
        if g.status != 200 and not any(w.start - 3 <= g.at <= w.end + 5 for w in soak.windows)
    ]
    findings.check(
        "every request acknowledged outside fault windows",
        not outside,
        f"{len(outside)} not: {[(g.kind, g.status, g.answer[:80]) for g in outside[:5]]}",
    )
    five = [g for g in traffic.gestures if g.status is not None and g.status >= 500]
    findings.figures.append(("requests answered 5xx (all during faults, if any)", str(len(five))))


def _where_limited(soak: Soak) -> str:
    """Each 429 of Slack's own limits by conversation and by the fault it followed: a request held through
    Slack's silence arrived during it and was answered in the burst at its end, after its sender's
    timeout."""
    counts: Counter[str] = Counter()
    for call in soak.standin.calls:
        if not call.rate_limited:
            continue
        where = str(call.args.get("channel") or "-")
        before = [w for w in soak.windows if w.start <= call.at]
        if before and before[-1].name.startswith("Slack answers nothing") and call.at <= before[-1].end:
            when = "held through Slack's silence"
        elif before and call.at <= before[-1].end + EXPLAINED_AFTER:
            when = f"after: {before[-1].name}"
        else:
            when = "away from faults"
        counts[f"{call.method} {where}, {when}"] += 1
    return "; ".join(f"{key}: {n}" for key, n in counts.most_common()) or "none"


def _slack(findings: Findings, soak: Soak) -> None:
    calls = soak.standin.calls
    injected = sum(c.failed and c.status in (429, 500) and not c.rate_limited for c in calls)
    findings.figures.append(("Slack Web API calls", str(len(calls))))
    findings.figures.append(
        (
            "429s from Slack's own limits, share of calls",
            f"{soak.standin.rate_limited} ({soak.standin.rate_limited_share:.2%})",
        )
    )
    findings.figures.append(("failures injected (429 and 500 bursts)", str(injected)))
    limited = Counter(c.method for c in calls if c.rate_limited)
    in_faults = sum(
        c.rate_limited and any(w.start <= c.at <= w.end + EXPLAINED_AFTER for w in soak.windows)
        for c in calls
    )
    findings.figures.append(("429s from Slack's limits by method", str(dict(limited))))
    findings.figures.append(("429s from Slack's limits by where and when", _where_limited(soak)))
    findings.figures.append(("... of which during a fault or its aftermath", str(in_faults)))
    methods = Counter(c.method for c in calls)
    findings.figures.append(("calls by method", ", ".join(f"{m} {n}" for m, n in methods.most_common(8))))
    for window in soak.windows:
        findings.figures.append((f"fault: {window.name}", f"{window.end - window.start:.0f} s"))
