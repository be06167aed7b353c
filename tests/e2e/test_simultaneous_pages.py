"""Pages due together to one person, with real bot processes (issue 17 item 3): two replicas on PostgreSQL
sharing a Redis; one replica is killed, and Redis with it; four P1s whose ladders fall due in the same
second page the same manager. Every page arrives within a second of its due time, in one DM (or a few)
with each ticket's own Acknowledge and Take ticket, none twice.

Real processes run on real time, so the stand-in does too: its calls' times and its messages' timestamps
are epoch seconds, compared with the pages' due times in the database.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot import db
from bot.ids import Action, Callback
from bot.policy import parse_config
from bot.standin import Call, SlackStandIn
from bot.standin.payloads import SlackClient, slash_command, view_submission
from models import Page
from tests.bot.slack.conftest import PrivateRedis, _redis_server, _until_up
from tests.conftest import BOT_TOKEN, SIGNING_SECRET, seed_workspace
from tests.e2e.journey import raise_values
from tests.e2e.processes import BotProcess, free_port

FIRST_RESPONSE_SECONDS = 8  # room to raise the tickets and kill a replica and Redis before the pages fall due
POLICY = f"""
support_channel: C0SUPPORT
calendars:
  always: {{timezone: UTC, hours: 24x7}}
plans:
  enterprise:
    calendar: always
    first_response: {{P1: {FIRST_RESPONSE_SECONDS}s, P2: 1h, P3: 1h, P4: 1h}}
escalation:
  levels:
    lead: [U0LEAD]
    manager: [U0MGR]
    executive: [U0EXEC1]
  ladder:
    P1:
      - {{page: manager, after: first_response, unless: claimed}}
    default:
      - {{page: lead, after: first_response, unless: claimed}}
engineers: [U0ENG1]
customers:
  acme: {{name: Acme Corp, plan: enterprise, key_users: [U0KEY1]}}
"""
TITLES = ("Checkout down", "Invoices missing", "Login loops", "Exports fail")


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn(token=BOT_TOKEN, clock=time.time) as server:
        seed_workspace(server, parse_config(POLICY))
        yield server


@pytest.fixture
async def redis_server() -> AsyncIterator[PrivateRedis]:
    """A redis-server of this test's own, on a free port: the test kills it (never the machine's)."""
    port = free_port()
    server = PrivateRedis(f"redis://127.0.0.1:{port}/0", await _redis_server(port))
    try:
        await _until_up(server.url)
        yield server
    finally:
        await server.kill()


async def raise_together(replicas: list[BotProcess], standin: SlackStandIn) -> None:
    """Open four raise forms, then submit them all at once (through both replicas)."""
    async with aiohttp.ClientSession() as session:
        clients = [SlackClient(session, replica.events_url, SIGNING_SECRET) for replica in replicas]
        forms = []
        for n in range(len(TITLES)):
            status, _ = await clients[n % 2].send(*slash_command("U0KEY1"))
            assert status == 200
            view = (await standin.wait_for("views.open", count=n + 1))[-1].args["view"]
            forms.append(view["private_metadata"])

        async def submit(n: int) -> None:
            values = raise_values(title=TITLES[n], priority="P1")
            body = view_submission("U0KEY1", Callback.RAISE_MODAL, values, private_metadata=forms[n])
            status, answer = await clients[n % 2].send(*body)
            assert status == 200 and answer in ("", "{}"), answer

        await asyncio.gather(*(submit(n) for n in range(len(TITLES))))


def page_dms(standin: SlackStandIn) -> list[Call]:
    return [c for c in standin.posts_to("U0MGR") if "Escalation" in str(c.args.get("text"))]


def buttons(call: Call) -> list[tuple[str, str]]:
    """(action id, page id) of every button of a posted message."""
    return [
        (element["action_id"], element["value"])
        for block in call.args.get("blocks") or []
        if block["type"] == "actions"
        for element in block["elements"]
    ]


async def pages_written_down(database_url: str) -> dict[int, Page]:
    await db.start_database(database_url)
    try:
        return {page.id: page for page in await Page.filter(recipient="U0MGR")}
    finally:
        await db.stop_database()


@pytest.mark.postgres
@pytest.mark.redis
async def test_pages_due_together_arrive_within_a_second_with_a_replica_and_redis_killed(
    standin: SlackStandIn, redis_server: PrivateRedis, tmp_path: Path, postgres_url: str
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(POLICY)
    doomed = BotProcess(standin, tmp_path, policy, postgres_url, redis_server.url)
    survivor = BotProcess(standin, tmp_path, policy, postgres_url, redis_server.url)
    await doomed.start()
    await survivor.start()  # it counts the replicas as it starts: two, the doomed one included
    try:
        await raise_together([survivor, doomed], standin)
        await standin.wait_until(
            lambda: len([c for c in standin.posts_to("C0SUPPORT") if "thread_ts" not in c.args]) == 4,
            timeout=FIRST_RESPONSE_SECONDS,
            what="the four tickets in the support channel",
        )
        doomed.kill()
        await redis_server.kill()
        await doomed.process.wait()  # type: ignore[union-attr]
        killed_at = time.time()
        await standin.wait_until(
            lambda: sum(len(buttons(c)) for c in page_dms(standin)) >= 8,
            timeout=3 * FIRST_RESPONSE_SECONDS,
            what="four pages to the manager",
        )
        await asyncio.sleep(2)  # room for a doubled page to show up, if there were one
    finally:
        await survivor.stop()
        await doomed.stop()

    pages = await pages_written_down(postgres_url)
    assert len(pages) == 4
    assert killed_at < min(p.due_at.timestamp() for p in pages.values()), "killed too late to test anything"
    dms = page_dms(standin)
    assert 1 <= len(dms) <= 2, [c.args["text"] for c in dms]  # one DM, or a few: never one per ticket
    shown = [b for call in dms for b in buttons(call)]
    assert sorted(shown) == sorted((a, str(i)) for i in pages for a in (Action.ACKNOWLEDGE, Action.TAKE))
    refs = [ref for c in dms for ref in re.findall(r"Escalation (SUP-\d+)", c.args["text"])]
    assert len(refs) == len(set(refs)) == 4  # no page doubled
    for call in dms:
        for page in (pages[int(value)] for action, value in buttons(call) if action == Action.TAKE):
            late = call.at - page.due_at.timestamp()
            assert 0 <= late <= 1.0, f"SUP-{page.ticket_id} arrived {late:.2f} s after it was due"
            assert page.message_ts == call.response["ts"]
    assert not [c for c in standin.calls if c.status == 429 or c.rate_limited]
    assert "Redis unreachable" in survivor.log.read_text()  # the pages went out while Redis was down
