"""What operators read in the logs: one line per meaningful event, with the ticket's reference and never its
text; never a secret, at any level; one JSON object per line when asked; no library noise at start."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.ids import Action, Block, Callback
from bot.policy import load_config
from bot.standin import SlackStandIn
from bot.standin.payloads import SlackClient, select_value, slash_command, view_submission
from tests.conftest import BOT_TOKEN, EXAMPLE_POLICY, SIGNING_SECRET, RunningBot, seed_workspace
from tests.e2e.journey import advance, click, raise_ticket, raise_values
from tests.e2e.launch import Launch, bot_env

TITLE = "Zebra checkout meltdown"
DESCRIPTION = "Card 4111 1111 1111 1111 declined for Mrs Example"
TRIED = "Rebooted the payment gateway twice"


async def test_each_meaningful_event_is_one_line_with_the_reference_and_no_ticket_text(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ticket = await raise_ticket(running, title=TITLE, description=DESCRIPTION, tried=TRIED, priority="P1")
    ref = ticket.ref
    await advance(running, timedelta(minutes=31))  # Enterprise P1: 30 minutes to a first response
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    # The key user cannot be written to any more: their news fails for good.
    running.standin.fail_for(
        "chat.postMessage", lambda args: args.get("channel") == "U0KEY1", error="user_not_found"
    )
    await running.slack.send(
        *view_submission(
            "U0ENG1",
            Callback.RESOLVE_MODAL,
            {Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")}},
            private_metadata=str(ticket.id),
        )
    )
    await running.settle()

    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.levelno >= logging.INFO]
    expected = {
        "raised": ("INFO", rf"^{ref} raised by U0KEY1 for acme \(enterprise, P1\)$"),
        "posted": ("INFO", rf"^{ref} posted in C0SUPPORT$"),
        "breached": ("INFO", rf"^{ref} first response target breached$"),
        "paged": ("INFO", rf"^{ref} paged U0LEAD \(lead level, step [^)]+\)$"),
        "page delivered": ("INFO", rf"^{ref} page to U0LEAD delivered \w+ after it was due$"),
        "claimed": ("INFO", rf"^{ref} claimed by U0ENG1$"),
        "resolved": ("INFO", rf"^{ref} resolved by U0ENG1$"),
        "failed delivery": (
            "ERROR",
            rf"^job \d+ \(notify_reporter\) for {ref} failed for good .*user_not_found",
        ),
    }
    for what, (level, pattern) in expected.items():
        found = [line for line in lines if re.search(pattern, line[1])]
        assert [found_level for found_level, _ in found] == [level], (what, found, lines)
    for level, message in lines:
        for text in (TITLE, DESCRIPTION, TRIED, "4111"):
            assert text not in message, (level, message)


@pytest.mark.postgres
async def test_debug_json_logs_of_a_real_bot_show_no_secret_and_no_noise(
    postgres_url: str, tmp_path: Path
) -> None:
    password = "s3cr3t-Pa55word"  # PostgreSQL here trusts local connections, so any password works
    with_password = postgres_url.replace("postgres@", f"postgres:{password}@", 1)
    assert password in with_password
    async with SlackStandIn(token=BOT_TOKEN) as standin:
        seed_workspace(standin, load_config(EXAMPLE_POLICY))
        env = bot_env(standin.base_url, EXAMPLE_POLICY, with_password, LOG_LEVEL="DEBUG", LOG_FORMAT="json")
        bot = await Launch(tmp_path, env).start()
        try:
            await bot.healthy()
            async with aiohttp.ClientSession() as session:
                slack = SlackClient(session, f"http://127.0.0.1:{bot.port}/slack/events", SIGNING_SECRET)
                await raise_through(slack, standin)
                await standin.wait_until(lambda: len(standin.posts_to("C0SUPPORT")) == 1, timeout=10)
            exited = await bot.stop()
        finally:
            await bot.close()
    assert exited.returncode == 0
    output = exited.stderr
    for secret in (password, BOT_TOKEN, SIGNING_SECRET):
        assert secret not in output, secret
    entries = [json.loads(line) for line in exited.lines]  # every line is one JSON object
    assert all(isinstance(e, dict) and {"time", "level", "logger", "message"} <= e.keys() for e in entries)
    assert {e["level"] for e in entries} >= {"DEBUG", "INFO"}
    informative = [e["message"] for e in entries if e["level"] != "DEBUG"]
    assert any(re.fullmatch(r"SUP-\d+ raised by U0KEY1 for acme \(enterprise, P2\)", m) for m in informative)
    assert all(TITLE not in m for m in informative)
    for noise in ("As you gave `client` as well", "Tortoise-ORM started", "Tortoise-ORM shutdown"):
        assert noise not in output, noise


async def raise_through(slack: SlackClient, standin: SlackStandIn) -> None:
    status, _ = await slack.send(*slash_command("U0KEY1"))
    assert status == 200
    (opened,) = await standin.wait_for("views.open", timeout=10)
    values = raise_values(title=TITLE, description=DESCRIPTION, tried=TRIED, priority="P2")
    status, body = await slack.send(
        *view_submission(
            "U0KEY1", Callback.RAISE_MODAL, values, private_metadata=opened.args["view"]["private_metadata"]
        )
    )
    assert status == 200 and body in ("", "{}"), body
