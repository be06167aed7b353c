"""Crashes and replicas, with real bot processes: every page arrives exactly once."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import redis.asyncio as aioredis

from bot.ids import Callback
from bot.policy import parse_config
from bot.standin import SlackStandIn
from bot.standin.payloads import SlackClient, slash_command, view_submission
from tests.conftest import BOT_TOKEN, REDIS_URL, SIGNING_SECRET, seed_workspace, service_missing
from tests.e2e.journey import raise_values
from tests.e2e.processes import FAST_POLICY, BotProcess

PAGED = ("U0LEAD", "U0MGR", "U0EXEC1", "U0EXEC2")


async def raise_via(bot: BotProcess, standin: SlackStandIn, title: str) -> None:
    async with aiohttp.ClientSession() as session:
        slack = SlackClient(session, bot.events_url, SIGNING_SECRET)
        before = len(standin.calls_to("views.open"))
        status, _ = await slack.send(*slash_command("U0KEY1"))
        assert status == 200
        view = (await standin.wait_for("views.open", count=before + 1))[-1].args["view"]
        status, body = await slack.send(
            *view_submission(
                "U0KEY1",
                Callback.RAISE_MODAL,
                raise_values(title=title),
                private_metadata=view["private_metadata"],
            )
        )
        assert status == 200 and body in ("", "{}"), body


def page_counts(standin: SlackStandIn) -> Counter[tuple[str, str]]:
    """(ticket reference, person) → how many escalation DMs that person got for it."""
    counts: Counter[tuple[str, str]] = Counter()
    for person in PAGED:
        for call in standin.posts_to(person):  # a DM may list several pages due together
            for ref in re.findall(r"Escalation (SUP-\d+)", call.args.get("text", "")):
                counts[(ref, person)] += 1
    return counts


async def wait_for_pages(standin: SlackStandIn, expected: int) -> None:
    await standin.wait_until(
        lambda: sum(page_counts(standin).values()) >= expected, timeout=30, what=f"{expected} pages"
    )


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    """Real bot processes run on real time, and so do the stand-in's rate limits here."""
    async with SlackStandIn(token=BOT_TOKEN) as server:
        seed_workspace(server, parse_config(FAST_POLICY))
        yield server


@pytest.fixture
def fast_policy(tmp_path: Path) -> Path:
    path = tmp_path / "policy.yml"
    path.write_text(FAST_POLICY)
    return path


async def test_kill_9_before_steps_are_due_then_restart_pages_everyone_exactly_once(
    standin: SlackStandIn, tmp_path: Path, fast_policy: Path
) -> None:
    database = f"sqlite://{tmp_path}/secondline.sqlite3"
    first = BotProcess(standin, tmp_path, fast_policy, database)
    await first.start()
    titles = ["Checkout down", "Invoices missing", "Login loops"]
    for title in titles:
        await raise_via(first, standin, title)
    await standin.wait_for("chat.postMessage", count=2 * len(titles))  # channel posts and confirmations
    first.kill()  # before the first step (4 s) is due
    await first.process.wait()  # type: ignore[union-attr]
    assert page_counts(standin) == Counter()
    await asyncio.sleep(9)  # every step is overdue now
    second = BotProcess(standin, tmp_path, fast_policy, database)
    try:
        await second.start()
        await wait_for_pages(standin, expected=len(titles) * len(PAGED))
        await asyncio.sleep(2)  # room for a duplicate to show up, if there were one
    finally:
        await second.stop()
    counts = page_counts(standin)
    assert len(counts) == len(titles) * len(PAGED) and set(counts.values()) == {1}, counts
    late = sum(json.dumps(c.args).count("This page is late") for p in PAGED for c in standin.posts_to(p))
    assert late == len(titles) * len(PAGED)  # each page marked late, in DMs listing a person's pages


@pytest.mark.postgres
@pytest.mark.redis
async def test_two_replicas_on_postgres_and_redis_page_each_person_once(
    standin: SlackStandIn, tmp_path: Path, fast_policy: Path, postgres_url: str
) -> None:
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (OSError, aioredis.ConnectionError) as exc:
        service_missing("Redis", exc)
    finally:
        await client.aclose()
    replicas = [BotProcess(standin, tmp_path, fast_policy, postgres_url, REDIS_URL) for _ in range(2)]
    for replica in replicas:
        await replica.start()
    try:
        titles = [
            "Checkout down",
            "Invoices missing",
            "Login loops",
            "Search is slow",
            "Exports fail",
            "Emails bounce",
        ]  # distinct, or the duplicate check would step in
        for n, title in enumerate(titles):
            await raise_via(replicas[n % 2], standin, title)
        await wait_for_pages(standin, expected=len(titles) * len(PAGED))
        await asyncio.sleep(3)
    finally:
        for replica in replicas:
            await replica.stop()
    counts = page_counts(standin)
    assert len(counts) == len(titles) * len(PAGED) and set(counts.values()) == {1}, counts
    posts = [c for c in standin.posts_to("C0SUPPORT") if "thread_ts" not in c.args]
    assert len(posts) == len(titles)  # each ticket posted once too
