"""The same conversation for every ticket: an engineer's Reply to customer and the question asked when
waiting on the customer reach a key user of the vendor's workspace by DM (a Slack Connect customer in
their thread: tests/e2e/test_slack_connect.py), and their answer resumes the ticket and is acknowledged."""

from __future__ import annotations

import json

from bot.ids import Action, Block, Callback
from bot.standin.payloads import message_event, text_value, view_submission
from models import Ticket
from tests.conftest import RunningBot
from tests.e2e.journey import click, raise_ticket, thread_notes, wait_on


def dms_to(running: RunningBot, user: str) -> list[str]:
    return [c.args["text"] + json.dumps(c.args.get("blocks")) for c in running.standin.posts_to(user)]


async def test_reply_to_customer_and_the_waiting_question_reach_the_key_user_by_dm(
    running: RunningBot,
) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await click(running, "U0ENG1", Action.REPLY_TO_CUSTOMER, ticket)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == Callback.REPLY_MODAL and "by direct message" in json.dumps(form)
    values = {Block.REPLY: {Action.REPLY: text_value("Please clear the cache <then> retry")}}
    status, _ = await running.slack.send(
        *view_submission("U0ENG1", Callback.REPLY_MODAL, values, private_metadata=form["private_metadata"])
    )
    assert status == 200
    await running.settle()
    assert any("Please clear the cache &lt;then&gt; retry" in dm for dm in dms_to(running, "U0KEY1"))
    assert any("replied to the customer" in note for note in thread_notes(running, ticket))

    await wait_on(running, "U0ENG1", ticket, "Which browser do you use?")
    assert (await Ticket.get(id=ticket.id)).status == "waiting"
    assert any("Which browser do you use?" in dm for dm in dms_to(running, "U0KEY1"))
    before = len(dms_to(running, "U0KEY1"))
    status, _ = await running.slack.send(*message_event("U0KEY1", "D0KEY1", "Firefox 128"))  # they answer
    assert status == 200
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == "open"
    told = dms_to(running, "U0KEY1")[before:]
    assert told and "your answer arrived" in told[-1] and "clock runs again" in told[-1]


async def test_only_the_vendors_people_reply_to_customers(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    before = len(running.standin.calls_to("views.open"))
    await click(running, "U0KEY1", Action.REPLY_TO_CUSTOMER, ticket)
    assert len(running.standin.calls_to("views.open")) == before
    values = {Block.REPLY: {Action.REPLY: text_value("forged")}}
    status, body = await running.slack.send(
        *view_submission("U0KEY1", Callback.REPLY_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200 and "Only" in body
    await running.settle()
    assert not any("forged" in dm for dm in dms_to(running, "U0KEY1"))
