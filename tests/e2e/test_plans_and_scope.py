"""Plans as entitlements and what support covers, through the real endpoint: offered priorities, the paid
request confirmation, queue order by plan rank, reclassify, /support plan, and phone callbacks."""

from __future__ import annotations

import json
from typing import Any

from bot.ids import Action, Block, Callback
from bot.standin.payloads import block_actions, select_value, text_value, view_submission
from models import Ticket, TicketEvent
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.conftest import RunningBot
from tests.e2e.journey import (
    channel_message,
    click,
    command,
    open_modal,
    raise_ticket,
    raise_values,
    thread_notes,
    told,
)


def priorities_in(view: dict[str, Any]) -> list[str]:
    block = next(b for b in view["blocks"] if b.get("block_id") == Block.PRIORITY)
    return [o["value"] for o in block["element"]["options"]]


async def send_form(running: RunningBot, user: str, view: dict[str, Any], **fields: Any) -> tuple[int, dict]:
    body = view_submission(
        user, Callback.RAISE_MODAL, raise_values(**fields), private_metadata=view["private_metadata"]
    )
    status, text = await running.slack.send(*body)
    return status, json.loads(text) if text.strip() else {}


async def test_a_basic_key_user_never_sees_p1_and_a_forged_p1_is_refused(running: RunningBot) -> None:
    view = await open_modal(running, "U0KEY3")  # Initech, Basic: P2-P4 only
    assert priorities_in(view) == ["P2", "P3", "P4"]
    status, answer = await send_form(running, "U0KEY3", view, priority="P1")
    assert status == 200 and answer["response_action"] == "errors"
    assert answer["errors"] == {Block.PRIORITY: "P1 Emergency is not part of Initech's Basic plan."}
    assert await Ticket.all().count() == 0


async def test_a_key_user_of_two_customers_is_checked_against_the_one_chosen(running: RunningBot) -> None:
    view = await open_modal(running, "U0KEY9")  # Globex (Standard, P1-P4) and Initech (Basic)
    assert priorities_in(view) == ["P1", "P2", "P3", "P4"]
    _, answer = await send_form(running, "U0KEY9", view, priority="P1", customer="initech")
    assert Block.PRIORITY in answer["errors"]
    _, answer = await send_form(running, "U0KEY9", view, priority="P1", customer="globex")
    assert answer == {} and (await Ticket.get()).customer == "globex"


async def test_a_not_covered_category_needs_confirmation_then_raises_a_paid_request(
    running: RunningBot,
) -> None:
    view = await open_modal(running, "U0KEY1")  # Acme: a bank of hours
    status, answer = await send_form(running, "U0KEY1", view, category="customization")
    assert status == 200 and answer["response_action"] == "update" and await Ticket.all().count() == 0
    shown = answer["view"]
    assert_valid_view(shown)
    terms = json.dumps(shown["blocks"])
    assert "premium add-on work" in terms and "bank of hours" in terms and Block.PAID_CONFIRM in terms
    # Submitted again without ticking the box: an error on the box, still nothing raised.
    _, answer = await send_form(running, "U0KEY1", shown, category="customization")
    assert list(answer["errors"]) == [Block.PAID_CONFIRM] and await Ticket.all().count() == 0
    # Confirmed: a paid request with its category.
    _, answer = await send_form(running, "U0KEY1", shown, category="customization", paid=True)
    assert answer == {}
    ticket = await Ticket.get()
    assert ticket.paid_request and ticket.category == "customization"
    await running.settle()
    posted = channel_message(running, ticket)
    assert "paid request" in posted and "Our own customizations or custom development" in posted
    raised_dm = running.standin.posts_to("U0KEY1")[0]
    assert "paid request" in raised_dm.args["text"] + json.dumps(raised_dm.args["blocks"])
    assert "paid request" in await command(running, "U0KEY1", f"show SUP-{ticket.id}")


async def test_without_a_rate_for_paid_work_the_form_says_whom_to_ask_and_raises_nothing(
    running: RunningBot,
) -> None:
    view = await open_modal(running, "U0KEY5")  # Hooli: no contract, so included without an add-on rate
    _, answer = await send_form(running, "U0KEY5", view, category="our-servers")
    shown = answer["view"]
    text = json.dumps(shown["blocks"])
    assert "cannot be raised as a paid request" in text and "your account manager" in text
    assert Block.PAID_CONFIRM not in text  # nothing to confirm
    _, answer = await send_form(running, "U0KEY5", shown, category="our-servers", paid=True)
    assert "cannot be raised as a paid request" in answer["errors"][Block.CATEGORY]
    assert await Ticket.all().count() == 0
    # A covered category raises as usual.
    _, answer = await send_form(running, "U0KEY5", shown, category="how-to")
    assert answer == {} and not (await Ticket.get()).paid_request


async def test_premium_plus_is_listed_before_standard_raised_earlier(running: RunningBot) -> None:
    standard = await raise_ticket(running, user="U0KEY2", priority="P1", title="Standard one")  # due in 2h
    premium_plus = await raise_ticket(running, user="U0KEY4", priority="P4", title="Premium plus one")  # 8h
    listed = await command(running, "U0ENG1", "list")
    assert listed.index(f"SUP-{premium_plus.id}") < listed.index(f"SUP-{standard.id}")
    assert "Premium plus" in channel_message(running, premium_plus)


async def test_engineers_reclassify_and_the_key_user_is_told_in_plain_words(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY2", category="bug", title="Import drops rows")
    # A key user may not reclassify: refused before any form opens.
    await click(running, "U0KEY2", Action.RECLASSIFY, ticket)
    assert running.standin.calls_to("views.open")[-1].args["view"]["callback_id"] != Callback.RECLASSIFY_MODAL
    assert "Only support engineers" in (await told(running, "U0KEY2"))[-1]
    await click(running, "U0ENG1", Action.RECLASSIFY, ticket)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == Callback.RECLASSIFY_MODAL
    assert_valid_view(form)
    values = {
        Block.CATEGORY: {Action.CATEGORY: select_value("customization")},
        Block.RECLASSIFY_REASON: {
            Action.RECLASSIFY_REASON: text_value("The rows come from their own <script>")
        },
    }
    body = view_submission("U0ENG1", Callback.RECLASSIFY_MODAL, values, private_metadata=str(ticket.id))
    status, text = await running.slack.send(*body)
    assert status == 200 and text.strip() in ("", "{}")
    await running.settle()
    fresh = await Ticket.get(id=ticket.id)
    assert fresh.category == "customization" and fresh.paid_request
    event = await TicketEvent.get(ticket_id=ticket.id, kind="reclassified")
    assert event.actor == "U0ENG1" and event.detail["from"] == "bug" and event.detail["to"] == "customization"
    news = [c.args["text"] for c in running.standin.posts_to("U0KEY2")]
    assert any("does not cover" in t and "paid request" in t and "&lt;script&gt;" in t for t in news)
    assert any("reclassified the ticket" in note for note in thread_notes(running, ticket))
    assert "paid request" in channel_message(running, ticket)


async def test_support_plan_for_a_key_user_and_for_an_engineer(running: RunningBot) -> None:
    running.standin.users["U0KEY2"] = {"tz": "Europe/Berlin"}
    mine = await command(running, "U0KEY2", "plan")
    assert "Globex: Standard plan" in mine and "Mon–Fri 08:00–17:00 US Central" in mine
    assert "Europe/Berlin" in mine and "15:00–00:00" in mine  # the hours in the key user's own time
    assert "P1 Emergency: first response within 2 business hours, resolution within 1 business day" in mine
    assert "P2 Critical: first response within 4 business hours, resolution within 3 business days" in mine
    assert "Not covered (premium add-on services, paid)" in mine and "Per incident" in mine
    assert "Acme" not in mine
    other = await command(running, "U0KEY2", "plan acme")
    assert "your own company's plan only" in other
    engineer = await command(running, "U0ENG1", "plan acme")
    assert "Acme Corp: Enterprise plan" in engineer and "24x7" in engineer and "Bank of hours" in engineer


async def test_a_callback_number_reaches_the_claimer_and_never_the_support_channel(
    running: RunningBot,
) -> None:
    assert not any(b.get("block_id") == Block.PHONE for b in (await open_modal(running, "U0KEY3"))["blocks"])
    view = await open_modal(running, "U0KEY4")  # Umbrella, Premium plus: phone included
    assert any(b.get("block_id") == Block.PHONE for b in view["blocks"])
    _, answer = await send_form(running, "U0KEY4", view, phone="call me maybe")
    assert Block.PHONE in answer["errors"] and await Ticket.all().count() == 0
    ticket = await raise_ticket(running, user="U0KEY4", phone="+1 (312) 555-0100")
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    channel = json.dumps([c.args for c in running.standin.posts_to("C0SUPPORT")])
    channel += json.dumps([c.args for c in running.standin.calls_to("chat.update")])
    assert "555" not in channel
    to_claimer = " ".join(
        c.args["text"] + json.dumps(c.args.get("blocks")) for c in running.standin.posts_to("U0ENG1")
    )
    assert "tel:+13125550100" in to_claimer
    assert "tel:+13125550100" in await command(running, "U0ENG2", f"show SUP-{ticket.id}")
    assert "555" not in await command(running, "U0KEY4", f"show SUP-{ticket.id}")


async def test_the_channel_message_with_the_longest_labels_is_valid_block_kit(running: RunningBot) -> None:
    ticket = await raise_ticket(running, user="U0KEY1", category="our-servers", paid=True, title="x" * 150)
    posted = next(c for c in running.standin.posts_to("C0SUPPORT") if f"SUP-{ticket.id} " in c.args["text"])
    assert_valid_message(posted.args)
    body = block_actions("U0ENG1", Action.RECLASSIFY, str(ticket.id), block_id=Block.TICKET_ACTIONS)
    assert (await running.slack.send(*body))[0] == 200
