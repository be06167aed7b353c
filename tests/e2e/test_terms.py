"""The rest of the vendors' terms through the real endpoint: a prepaid deposit that blocks key users when it
runs low (until a payment in the policy, after a restart), its alerts sent once, and premium add-ons that
cover a category for the customers who bought them only."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.clock import FakeClock
from bot.ids import Action, Block, Callback
from bot.policy import parse_config
from bot.standin import SlackStandIn
from bot.standin.payloads import select_value, text_value, view_submission
from models import DepositAlert, Ticket, TimeEntry
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.conftest import EXAMPLE_POLICY, RunningBot, start_bot
from tests.e2e.journey import channel_message, click, command, open_modal, raise_ticket, raise_values

# Initech (per minute, with a deposit) gets an account manager of its own: the one to ask for a top-up.
EXAMPLE = EXAMPLE_POLICY.read_text().replace(
    "contract: initech-minute}", "contract: initech-minute, account_manager: U0AM2}"
)
PAID = '      payments: [{date: "2026-10-30", amount: "500.00"}]'
TOPPED_UP = '      payments: [{date: "2026-10-30", amount: "500.00"}, {date: "2026-11-17", amount: "200.00"}]'
BLOCKED = "prepaid deposit is below its minimum"


async def send_form(running: RunningBot, user: str, view: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = view_submission(
        user, Callback.RAISE_MODAL, raise_values(**fields), private_metadata=view["private_metadata"]
    )
    status, text = await running.slack.send(*body)
    assert status == 200
    return json.loads(text) if text.strip() else {}


def dms(running: RunningBot, user: str, words: str) -> list[str]:
    return [c.args["text"] for c in running.standin.posts_to(user) if words in c.args["text"]]


async def test_a_low_deposit_blocks_key_users_until_a_payment_in_the_policy_and_alerts_come_once(
    standin: SlackStandIn, database_url: str, clock: FakeClock
) -> None:
    assert PAID in EXAMPLE
    standin.add_user("U0AM2")  # the workspace was seeded from the example policy, which names no U0AM2
    async for running in start_bot(standin, database_url, clock, parse_config(EXAMPLE)):
        ticket = await raise_ticket(running, user="U0KEY3", priority="P2")  # Initech: 2.50 a minute
        assert "$500.00 left of $500.00 paid" in await command(running, "U0AM2", "hours")
        await command(running, "U0ENG1", f"log SUP-{ticket.id} 1h40m")  # 250.00: at 50 %, not below it
        await running.settle()
        assert dms(running, "U0KEY3", "deposit") == []
        # 185 minutes more: 37.50 → below 50 % and 20 % of the 500.00 paid, and below the 37.50 minimum
        await command(running, "U0ENG1", f"log SUP-{ticket.id} 1h25m")
        await command(running, "U0ENG1", f"log SUP-{ticket.id} 1m")
        await running.settle()
        for person in ("U0KEY3", "U0KEY9", "U0AM2"):  # the key users and the account manager
            assert len(dms(running, person, "below 50 % of its last payment of $500.00")) == 1, person
            assert len(dms(running, person, "below 20 %")) == 1, person
        assert dms(running, "U0KEY3", "fallen below its minimum") == []  # the account manager's to arrange
        (minimum,) = dms(running, "U0AM2", "fallen below its minimum of $37.50")
        assert "$35.00 left" in minimum
        # The engineer was warned, and the time is recorded all the same.
        assert any("your time is recorded" in text for text in dms(running, "U0ENG1", BLOCKED))
        assert await TimeEntry.filter(ticket_id=ticket.id).count() == 3
        # /support says why and whom to ask, and opens no form.
        opened = len(running.standin.calls_to("views.open"))
        answer = await command(running, "U0KEY3")
        assert BLOCKED in answer and "$35.00 left" in answer and "<@U0AM2>" in answer
        assert len(running.standin.calls_to("views.open")) == opened
        # A form opened earlier is refused on submit, and nothing is raised.
        view = await open_modal(running, "U0KEY9")  # Globex and Initech: the form opens, for Globex
        answer = await send_form(running, "U0KEY9", view, customer="initech", priority="P2")
        assert (
            BLOCKED in answer["errors"][Block.CUSTOMER]
            and "Nothing was raised" in answer["errors"][Block.CUSTOMER]
        )
        assert await Ticket.all().count() == 1
        assert await send_form(running, "U0KEY9", view, customer="globex", priority="P2") == {}
        hours = await command(running, "U0KEY3", "hours")
        assert "*Deposit:* $35.00 left of $500.00 paid" in hours and "cannot be raised" in hours
        await command(running, "U0ENG1", f"log SUP-{ticket.id} 2m")  # more time: no alert is sent again
        await running.settle()
        assert len(dms(running, "U0KEY3", "below 50 %")) == 1
    # Restarted with the same database and policy: still blocked, and nothing is sent twice.
    async for running in start_bot(standin, database_url, clock, parse_config(EXAMPLE)):
        await command(running, "U0ENG2", f"log SUP-{ticket.id} 1m")
        await running.settle()
        assert len(dms(running, "U0AM2", "fallen below its minimum")) == 1
        assert len(dms(running, "U0KEY9", "below 20 %")) == 1
        assert BLOCKED in await command(running, "U0KEY3")
        assert await DepositAlert.filter(customer="initech").count() == 3  # 50 %, 20 %, the minimum
    # A payment added to the policy counts once the bot starts with it.
    async for running in start_bot(
        standin, database_url, clock, parse_config(EXAMPLE.replace(PAID, TOPPED_UP))
    ):
        again = await raise_ticket(running, user="U0KEY3", priority="P2", title="After the top-up")
        assert again.customer == "initech"
        assert "*Deposit:* $227.50 left of $700.00 paid" in await command(running, "U0KEY3", "hours")
        # The 200.00 brings new levels: below 100.00 (50 %) is a new crossing, told once.
        await command(running, "U0ENG1", f"log SUP-{again.id} 55m")  # 137.50: 90.00 left
        await running.settle()
        (alert,) = dms(running, "U0KEY3", "below 50 % of its last payment of $200.00")
        assert "$90.00 left" in alert
        # The statement lists the payment of the month and carries the balance.
        running.clock.advance(10)
        answer = await command(running, "U0AM2", "statement initech 2026-11")
        assert "deposit balance $90.00" in answer and "$200.00 paid into the deposit" in answer
        shared = list(running.standin.files.values())[-1]
        rows = list(csv.DictReader(io.StringIO((shared.content or b"").decode())))
        payment = rows[-1]
        assert {k: v for k, v in payment.items() if k not in ("customer", "contract", "currency")} == {
            "type": "payment",
            "ticket": "",
            "priority": "",
            "agent": "",
            "date": "2026-11-17",
            "minutes": "",
            "billable_minutes": "",
            "units": "",
            "rate": "",
            "amount": "-200.00",
            "waived": "false",
            "waiver_reason": "",
            "bank_minutes_left": "",
        }
        assert all(r["bank_minutes_left"] == "" for r in rows)


async def test_an_add_on_covers_a_category_for_the_customer_who_bought_it_only(running: RunningBot) -> None:
    acme_form = await open_modal(running, "U0KEY1")  # Acme bought System maintenance (no rate)
    assert_valid_view(acme_form)
    category = next(b for b in acme_form["blocks"] if b.get("block_id") == Block.CATEGORY)
    groups = {g["label"]["text"]: g["options"] for g in category["element"]["option_groups"]}
    covered = {
        o["value"]: o.get("description", {}).get("text") for o in groups["Covered by your add-on services"]
    }
    assert covered == {
        "our-servers": "System maintenance add-on",
        "configuration": "System maintenance add-on",
    }
    assert "our-servers" not in [o["value"] for o in groups["Premium add-on services (paid)"]]
    # Raised at once as covered work: no paid-request confirmation.
    assert await send_form(running, "U0KEY1", acme_form, category="our-servers") == {}
    ticket = await Ticket.get()
    assert (ticket.category, ticket.paid_request, ticket.addon) == (
        "our-servers",
        False,
        "system-maintenance",
    )
    await running.settle()
    posted = channel_message(running, ticket)
    assert "covered: System maintenance add-on" in posted and "paid request" not in posted
    # Globex did not buy it: the same category asks for confirmation as paid work.
    globex_form = await open_modal(running, "U0KEY2")
    category = next(b for b in globex_form["blocks"] if b.get("block_id") == Block.CATEGORY)
    assert "Covered by your add-on services" not in json.dumps(category)
    answer = await send_form(running, "U0KEY2", globex_form, category="our-servers")
    assert answer["response_action"] == "update" and Block.PAID_CONFIRM in json.dumps(answer["view"])
    assert await Ticket.all().count() == 1
    assert "System maintenance" in await command(running, "U0KEY1", "plan")
    assert "System maintenance" not in await command(running, "U0KEY2", "plan")


async def test_an_add_on_with_a_rate_is_paid_work_at_that_rate_without_confirmation(
    running: RunningBot,
) -> None:
    form = await open_modal(running, "U0KEY4")  # Umbrella bought Service Ownership at 95.00 an hour
    assert await send_form(running, "U0KEY4", form, category="customization") == {}
    ticket = await Ticket.get()
    assert (ticket.paid_request, ticket.addon) == (True, "service-ownership")
    await running.settle()
    raised = running.standin.posts_to("U0KEY4")[0]
    assert_valid_message(raised.args)
    said = raised.args["text"] + json.dumps(raised.args["blocks"])
    assert "Service Ownership add-on, billed at $95.00 an hour" in said
    assert "$120.00" not in said  # not the contract's rate for paid requests
    assert "paid request: Service Ownership add-on" in channel_message(running, ticket)
    plan = await command(running, "U0KEY4", "plan")
    assert "Service Ownership add-on, billed at $95.00 an hour" in plan and "Our own customizations" in plan
    await command(running, "U0ENG1", f"log SUP-{ticket.id} 30m")
    running.clock.advance(10)
    await command(running, "U0LEAD", "statement umbrella 2026-11")
    rows = list(
        csv.DictReader(io.StringIO((list(running.standin.files.values())[-1].content or b"").decode()))
    )
    (line,) = rows
    assert (line["type"], line["units"], line["rate"], line["amount"]) == ("addon", "30", "95.00", "47.50")


INCIDENT_DEPOSIT = (
    EXAMPLE_POLICY.read_text()
    .replace("contract: globex-incident}", "contract: globex-incident, account_manager: U0AM1}")
    .replace(
        "    block: 2h\n",
        '    block: 2h\n    deposit: {payments: [{date: "2026-11-01", amount: "600.00"}], minimum: "100.00", '
        "alert_at: [50]}\n",
    )
)


async def test_a_per_incident_deposit_is_drawn_down_when_the_ticket_is_resolved(
    standin: SlackStandIn, database_url: str, clock: FakeClock
) -> None:
    async for running in start_bot(standin, database_url, clock, parse_config(INCIDENT_DEPOSIT)):
        ticket = await raise_ticket(running, user="U0KEY2", priority="P2")  # Globex: 250.00 per 2h started
        await command(running, "U0ENG1", f"log SUP-{ticket.id} 2h1m")  # 2 incidents, charged once resolved
        await running.settle()
        assert dms(running, "U0KEY2", "deposit") == []
        await open_modal(running, "U0KEY2")  # not blocked: /support opens the form
        await click(running, "U0ENG1", Action.CLAIM, ticket)
        await click(running, "U0ENG1", Action.RESOLVE, ticket)
        values = {
            Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")},
            Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("Patched")},
            Block.TIME_SPENT: {Action.TIME_SPENT: text_value(None)},
            Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
        }
        status, _ = await running.slack.send(
            *view_submission("U0ENG1", Callback.RESOLVE_MODAL, values, private_metadata=str(ticket.id))
        )
        assert status == 200
        await running.settle()
        # 500.00 charged on resolving: 100.00 left, below 50 % of 600.00, not below the 100.00 minimum.
        for person in ("U0KEY2", "U0KEY9", "U0AM1"):
            assert len(dms(running, person, "below 50 % of its last payment of $600.00: $100.00 left")) == 1
        assert dms(running, "U0AM1", "fallen below its minimum") == []
        await open_modal(running, "U0KEY2")  # 100.00 is not below the 100.00 minimum
        assert "*Deposit:* $100.00 left of $600.00 paid" in await command(running, "U0KEY2", "hours")


async def test_reclassifying_into_an_add_on_category_says_which_add_on_covers_it(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1", category="bug", title="VPN drops")  # Acme
    await click(running, "U0ENG1", Action.RECLASSIFY, ticket)

    async def reclassify(category: str, reason: str) -> Ticket:
        values = {
            Block.CATEGORY: {Action.CATEGORY: select_value(category)},
            Block.RECLASSIFY_REASON: {Action.RECLASSIFY_REASON: text_value(reason)},
        }
        body = view_submission("U0ENG1", Callback.RECLASSIFY_MODAL, values, private_metadata=str(ticket.id))
        status, text = await running.slack.send(*body)
        assert status == 200 and text.strip() in ("", "{}"), text
        await running.settle()
        return await Ticket.get(id=ticket.id)

    fresh = await reclassify("configuration", "It is their VPN set-up")
    assert (fresh.category, fresh.paid_request, fresh.addon) == ("configuration", False, "system-maintenance")
    news = [c.args["text"] for c in running.standin.posts_to("U0KEY1")]
    assert any("Covered by your System maintenance add-on" in text for text in news)
    assert "covered: System maintenance add-on" in channel_message(running, ticket)
    fresh = await reclassify("customization", "Their own plug-in after all")  # no add-on of Acme's covers it
    assert (fresh.paid_request, fresh.addon) == (True, None)
