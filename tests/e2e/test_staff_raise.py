"""Vendor staff raise on a customer's behalf, and the raise form reports every mistake at once, through
the real endpoint."""

from __future__ import annotations

import json
from typing import Any

from bot.ids import Action, Block, Callback
from bot.standin.payloads import radio_value, select_value, view_submission
from models import Ticket, TicketEvent
from tests.conftest import RunningBot
from tests.e2e.journey import channel_message, command, open_modal, raise_values


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def _offered(view: dict[str, Any]) -> list[str]:
    return [o["value"] for o in _block(view, Block.PRIORITY)["element"]["options"]]


def _opened(running: RunningBot) -> str:
    """The id Slack gave the modal the bot opened last."""
    return list(running.standin.views)[-1] if running.standin.views else "V0FORGED"


async def _choose(running: RunningBot, user: str, customer: str | None) -> tuple[int, dict[str, Any]]:
    """The first step's submission: the customer chosen (or not)."""
    values = {Block.CUSTOMER: {Action.CUSTOMER: select_value(customer)}}
    status, text = await running.slack.send(
        *view_submission(user, Callback.RAISE_FOR_MODAL, values, view_id=_opened(running))
    )
    return status, json.loads(text) if text.strip() else {}


async def test_an_engineer_raises_for_a_customer_whose_key_users_are_told(running: RunningBot) -> None:
    first = await open_modal(running, "U0ENG1")
    assert first["callback_id"] == Callback.RAISE_FOR_MODAL
    options = _block(first, Block.CUSTOMER)["element"]["options"]
    assert [o["value"] for o in options] == ["acme", "globex", "initech", "umbrella", "hooli", "soylent"]

    status, answer = await _choose(running, "U0ENG1", None)  # the customer is required
    assert status == 200 and set(answer["errors"]) == {Block.CUSTOMER}

    status, answer = await _choose(running, "U0ENG1", "initech")
    assert status == 200 and answer["response_action"] == "update"
    form = running.standin.show_view(answer["view"], _opened(running))  # valid Block Kit, as Slack checks
    assert _offered(form) == ["P2", "P3", "P4"]  # Initech's Basic plan: no P1
    status, answer = await _choose(running, "U0ENG1", "globex")
    form = running.standin.show_view(answer["view"], _opened(running))
    assert _offered(form) == ["P1", "P2", "P3", "P4"]  # Globex's Standard plan
    assert "Globex" in _block(form, Block.ON_BEHALF)["text"]["text"]
    who = [o["value"] for o in _block(form, Block.FOR_KEY_USER)["element"]["options"]]
    assert who[1:] == ["U0KEY2", "U0KEY9"]  # after "no one in particular"

    values = raise_values(priority="P2") | {Block.FOR_KEY_USER: {Action.FOR_KEY_USER: radio_value(who[0])}}
    status, text = await running.slack.send(
        *view_submission("U0ENG1", Callback.RAISE_MODAL, values, private_metadata=form["private_metadata"])
    )
    assert status == 200 and text in ("", "{}"), text
    ticket = await Ticket.get(title="Checkout fails")
    assert (ticket.customer, ticket.raised_by, ticket.reporter_id) == ("globex", "U0ENG1", "U0KEY2")
    (raised,) = await TicketEvent.filter(ticket_id=ticket.id, kind="raised")
    assert raised.actor == "U0ENG1"

    await running.settle()
    assert "raised by <@U0ENG1> for Globex" in channel_message(running, ticket)
    for key_user in ("U0KEY2", "U0KEY9"):  # nobody in particular asked: each key user is told
        (dm,) = running.standin.posts_to(key_user)
        shown = json.dumps(dm.args["blocks"])
        assert f"Your ticket *SUP-{ticket.id}*" in shown and "<@U0ENG1> raised it for your company" in shown
    assert running.standin.posts_to("U0ENG1") == []  # the engineer is not told as if they were the customer


async def test_the_key_user_who_asked_is_the_reporter_and_alone_is_told(running: RunningBot) -> None:
    await open_modal(running, "U0LEAD")
    _, answer = await _choose(running, "U0LEAD", "globex")
    form = answer["view"]
    wrong = raise_values() | {Block.FOR_KEY_USER: {Action.FOR_KEY_USER: radio_value("U0KEY1")}}  # Acme's
    _, text = await running.slack.send(
        *view_submission("U0LEAD", Callback.RAISE_MODAL, wrong, private_metadata=form["private_metadata"])
    )
    assert set(json.loads(text)["errors"]) == {Block.FOR_KEY_USER}
    right = raise_values() | {Block.FOR_KEY_USER: {Action.FOR_KEY_USER: radio_value("U0KEY9")}}
    _, text = await running.slack.send(
        *view_submission("U0LEAD", Callback.RAISE_MODAL, right, private_metadata=form["private_metadata"])
    )
    assert text in ("", "{}"), text
    ticket = await Ticket.get(title="Checkout fails")
    assert (ticket.reporter_id, ticket.raised_by) == ("U0KEY9", "U0LEAD")
    await running.settle()
    assert len(running.standin.posts_to("U0KEY9")) == 1 and running.standin.posts_to("U0KEY2") == []


async def test_an_account_manager_raises_for_their_own_account_only(running: RunningBot) -> None:
    form = await open_modal(running, "U0AM1")  # manages Acme only: straight to Acme's form
    assert form["callback_id"] == Callback.RAISE_MODAL
    assert "Acme Corp" in _block(form, Block.ON_BEHALF)["text"]["text"]
    forged = json.dumps({"customers": ["globex"]})  # another manager's customer, written into the form
    _, text = await running.slack.send(
        *view_submission("U0AM1", Callback.RAISE_MODAL, raise_values(), private_metadata=forged)
    )
    assert set(json.loads(text)["errors"]) == {Block.CUSTOMER}
    _, answer = await _choose(running, "U0AM1", "globex")
    assert set(answer["errors"]) == {Block.CUSTOMER}
    assert await Ticket.all().count() == 0


async def test_someone_neither_staff_nor_key_user_is_still_told_to_ask_their_key_users(
    running: RunningBot,
) -> None:
    assert "key users" in await command(running, "U0STRANGER")
    assert running.standin.calls_to("views.open") == []
    _, answer = await _choose(running, "U0STRANGER", "globex")
    assert set(answer["errors"]) == {Block.CUSTOMER}
    assert await Ticket.all().count() == 0


async def test_the_raise_form_reports_every_mistake_at_once(running: RunningBot) -> None:
    view = await open_modal(running, "U0KEY9")  # a key user of two customers
    empty = raise_values(title=None, priority=None, description=None, environment=None, category=None)
    _, text = await running.slack.send(
        *view_submission("U0KEY9", Callback.RAISE_MODAL, empty, private_metadata=view["private_metadata"])
    )
    errors = json.loads(text)["errors"]
    assert set(errors) == {
        Block.CUSTOMER,
        Block.PRIORITY,
        Block.ENVIRONMENT,
        Block.TITLE,
        Block.DESCRIPTION,
        Block.CATEGORY,  # "What is it about?" with the rest, not a round later
    }
    assert await Ticket.all().count() == 0
