"""Re-pages survive a crash: a real bot process is killed -9 between a ladder step's page and its first
repeat (or between an acknowledgement and its `ack_timeout`); after a restart each repeat (or the ack
timeout's page) arrives exactly once, marked as such. Real time (a process has no fake clock), so the
policy's durations are seconds: `repeat: {every: 4s, times: 2}` plays `{every: 1m,
times: 2}` at 1/15 scale."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.ids import Action, Block
from bot.policy import parse_config
from bot.standin import SlackStandIn
from bot.standin.payloads import SlackClient, block_actions
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, seed_workspace
from tests.e2e.processes import BotProcess
from tests.e2e.test_processes import raise_via

POLICY = """
support_channel: C0SUPPORT
calendars:
  always: {timezone: UTC, hours: 24x7}
plans:
  enterprise:
    calendar: always
    first_response: {P1: 3s, P2: 3s, P3: 3s, P4: 3s}
escalation:
  levels:
    lead: [U0LEAD]
  ladder:
    default:
      - {page: lead, after: first_response, unless: claimed, repeat: {every: 4s, times: 2}}
engineers: [U0ENG1]
customers:
  acme: {name: Acme Corp, plan: enterprise, key_users: [U0KEY1]}
"""
TITLES = ("Checkout down", "Invoices missing")


def lead_pages(standin: SlackStandIn) -> Counter[tuple[str, int]]:
    """(ticket reference, repeat: 0 for the page itself) → how many times the lead was paged for it."""
    counts: Counter[tuple[str, int]] = Counter()
    for call in standin.posts_to("U0LEAD"):  # a DM may list several pages due together
        blocks = json.dumps(call.args.get("blocks"))
        for ref, again in re.findall(r"Escalation (SUP-\d+) [^:\n]*?( \(again\))?:", call.args["text"]):
            marked = re.findall(rf"Escalation: {ref}\*[^\"]*?paged again \((\d)\)", blocks)
            if not again:
                counts[(ref, 0)] += 1
            else:  # a repeat says so, and which one, in its text and its blocks
                assert len(marked) == 1, blocks
                counts[(ref, int(marked[0]))] += 1
    return counts


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(token=BOT_TOKEN) as server:
        seed_workspace(server, parse_config(POLICY))
        yield server


async def test_repeats_after_a_kill_9_arrive_once_each(standin: SlackStandIn, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    database = f"sqlite://{tmp_path}/secondline.sqlite3"
    first = BotProcess(standin, tmp_path, policy, database)
    await first.start()
    try:
        for title in TITLES:
            await raise_via(first, standin, title)
        await standin.wait_until(  # the step pages at 3 s; its first repeat is due at 7 s
            lambda: sum(lead_pages(standin).values()) >= len(TITLES), timeout=15, what="the first pages"
        )
        first.kill()
        await first.process.wait()  # type: ignore[union-attr]
    finally:
        await first.stop()
    assert lead_pages(standin) == Counter({(ref, 0): 1 for ref in ("SUP-1", "SUP-2")})

    second = BotProcess(standin, tmp_path, policy, database)
    await second.start()
    try:
        await standin.wait_until(
            lambda: sum(lead_pages(standin).values()) >= 3 * len(TITLES), timeout=30, what="the repeats"
        )
        await asyncio.sleep(2)  # room for a duplicate to show up, if there were one
    finally:
        await second.stop()
    expected = {(ref, n): 1 for ref in ("SUP-1", "SUP-2") for n in (0, 1, 2)}
    assert lead_pages(standin) == Counter(expected)


async def test_an_ack_timeout_after_a_kill_9_pages_once(standin: SlackStandIn, tmp_path: Path) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(
        POLICY.replace("repeat: {every: 4s, times: 2}}", "ack_timeout: 4s}")  # 30m at 1/450 scale
    )
    database = f"sqlite://{tmp_path}/secondline.sqlite3"
    first = BotProcess(standin, tmp_path, policy, database)
    await first.start()
    try:
        await raise_via(first, standin, TITLES[0])
        await standin.wait_until(lambda: bool(lead_pages(standin)), timeout=15, what="the page")
        (paged,) = standin.posts_to("U0LEAD")
        (page_id,) = [
            element["value"]
            for block in paged.args["blocks"]
            for element in block.get("elements", [])
            if element.get("action_id") == Action.ACKNOWLEDGE
        ]
        updates = len(standin.calls_to("chat.update"))
        async with aiohttp.ClientSession() as session:  # the lead acknowledges, then does nothing
            slack = SlackClient(session, first.events_url, SIGNING_SECRET)
            body = block_actions(
                "U0LEAD", Action.ACKNOWLEDGE, page_id, block_id=Block.PAGE_ACTIONS, channel_id="D0LEAD",
                message_ts=str((paged.response or {}).get("ts", "1700000000.000100")),
            )  # fmt: skip
            assert (await slack.send(*body))[0] == 200
        await standin.wait_for("chat.update", count=updates + 1)  # the page shows who acknowledged
        first.kill()  # before the ack timeout (4 s after the acknowledgement) is due
        await first.process.wait()  # type: ignore[union-attr]
    finally:
        await first.stop()
    assert len(standin.posts_to("U0LEAD")) == 1

    second = BotProcess(standin, tmp_path, policy, database)
    await second.start()
    try:
        await standin.wait_until(
            lambda: len(standin.posts_to("U0LEAD")) >= 2, timeout=30, what="the ack timeout's page"
        )
        await asyncio.sleep(2)  # room for a duplicate to show up, if there were one
    finally:
        await second.stop()
    posts = standin.posts_to("U0LEAD")
    assert len(posts) == 2, [p.args["text"] for p in posts]
    again = json.dumps(posts[1].args)
    assert "acknowledged by <@U0LEAD> but not moved on within" in again and "(ack timeout)" in again
