"""An account at a glance through the real endpoint (`/support account`) and on the command line."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.clock import FakeClock
from bot.ids import Action
from bot.policy import Policy
from bot.standin import SlackStandIn
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import advance, click, command, raise_ticket
from tests.e2e.test_paid_support import cli

PNG = b"\x89PNG\r\n\x1a\n"


async def acme_history(running: RunningBot) -> tuple[int, int]:
    """Two Acme P1s, one claimed in time, one left to page the lead; a paid P3; two hours logged."""
    claimed = await raise_ticket(running, user="U0KEY1", priority="P1", title="Claimed in time")
    await click(running, "U0ENG1", Action.CLAIM, claimed)
    await command(running, "U0ENG1", f"log SUP-{claimed.id} 1h30m")
    ignored = await raise_ticket(running, user="U0KEY1", priority="P1", title="Left unclaimed")
    paid = await raise_ticket(running, user="U0KEY1", priority="P3", category="customization", paid=True)
    await command(running, "U0ENG1", f"log SUP-{paid.id} 30m")
    await raise_ticket(running, user="U0KEY2", priority="P1", title="Globex's own")  # another customer
    await advance(running, timedelta(minutes=40), step=timedelta(minutes=5))  # acme's 30m targets pass
    return claimed.id, ignored.id


async def test_account_in_slack_for_the_account_manager_and_leads(running: RunningBot) -> None:
    claimed, ignored = await acme_history(running)
    answer = await command(running, "U0AM1", "account")  # Acme's account manager: Acme by default
    assert answer == "Acme Corp's account, the last 30 days: the figures and a chart are in your DM with me."
    message = running.standin.posts_to("U0AM1")[-1].args["text"]
    assert "*Acme Corp: the account, the last 30 days*" in message
    assert "*Tickets raised:* 3 (P1 2, P3 1); 1 paid request" in message
    assert "first response: 1 met, 2 breached" in message
    assert "*Pages sent:* lead 2" in message  # the unclaimed P1 and the paid P3 paged the lead
    assert "*Time recorded:* 2h" in message
    # Acme's contract has no add-on rate: its paid request was debited from the bank with the rest.
    assert "*Bank of hours:* 18h left of 20 hours, expiring 31 Oct 2027" in message
    assert "*Charges in 2026-11 so far:* €0.00" in message
    assert f"*SUP-{ignored}* P1" in message and f"*SUP-{claimed}* P1" in message
    assert "resolution due <!date^" in message and "Globex" not in message
    (png,) = [f for f in running.standin.files.values() if "D0AM1" in f.channels]
    assert png.filename == "account-acme.png" and (png.content or b"").startswith(PNG)
    lead = await command(running, "U0LEAD", "account acme --from 2026-11-01 --to 2026-11-17")
    assert "1 Nov 2026 to 16 Nov 2026" in lead
    assert "*Tickets raised:* 0 (none)" in running.standin.posts_to("U0LEAD")[-1].args["text"]
    # Key users, engineers and anyone else are refused; bad input is explained.
    assert "Only leads, managers and executives" in await command(running, "U0KEY1", "account acme")
    assert "Only leads, managers and executives" in await command(running, "U0ENG1", "account acme")
    assert "Only leads, managers and executives" in await command(running, "U0OTHER", "account acme")
    assert "There is no customer 'wayne'" in await command(running, "U0LEAD", "account wayne")
    assert "not a date like 2026-11-01" in await command(running, "U0LEAD", "account acme --from 1 Nov")
    assert "must be after" in await command(
        running, "U0LEAD", "account acme --from 2026-11-10 --to 2026-11-01"
    )
    assert "Write `/support account acme" in await command(running, "U0LEAD", "account")


async def test_account_on_the_command_line(
    sqlite_url: str, standin: SlackStandIn, clock: FakeClock, policy: Policy
) -> None:
    async for running in start_bot(standin, sqlite_url, clock, policy):
        await acme_history(running)
    result = cli(
        sqlite_url,
        "account",
        "--customer",
        "acme",
        "--from",
        "2026-11-01",
        "--to",
        "2026-12-01",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["customer"] == "acme" and document["tickets"] == {"P1": 2, "P2": 0, "P3": 1, "P4": 0}
    assert document["first_response"] == {"met": 1, "breached": 2}
    assert document["pages"] == {"lead": 2, "manager": 0, "executive": 0}
    assert (document["paid_requests"], document["minutes_recorded"]) == (1, 120)
    assert document["bank"] == {"purchased_minutes": 1200, "left_minutes": 1080, "expiring_on": "2027-10-31"}
    assert document["deposit"] is None and document["currency"] == "EUR"
    assert [t["title"] for t in document["open_tickets"]] == [
        "Claimed in time",
        "Left unclaimed",
        "Checkout fails",
    ]
    text = cli(sqlite_url, "account", "--customer", "acme", "--from", "2026-11-01", "--to", "2026-12-01")
    assert text.returncode == 0 and "*Tickets raised:* 3 (P1 2, P3 1)" in text.stdout
    unknown = cli(sqlite_url, "account", "--customer", "wayne")
    assert unknown.returncode == 2 and "no customer 'wayne'" in unknown.stderr
    bad = cli(sqlite_url, "account", "--customer", "acme", "--from", "Nov 1")
    assert (
        bad.returncode == 2
        and "--from: 'Nov 1' is not a date" in bad.stderr
        and "Traceback" not in bad.stderr
    )
