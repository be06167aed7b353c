"""The first user journey through the real HTTP endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from bot.ids import Action, Block, Callback
from bot.standin.payloads import block_actions, view_submission
from models import Ticket, TicketEvent
from tests.conftest import RunningBot
from tests.e2e.journey import open_modal, raise_values, told


async def test_key_user_raises_ticket_and_engineer_claims_it(running: RunningBot) -> None:
    view = await open_modal(running)
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert "Customer" not in labels  # U0KEY1 raises only for Acme
    priority_options = next(b for b in view["blocks"] if b["block_id"] == Block.PRIORITY)["element"][
        "options"
    ]
    assert priority_options[0]["text"]["text"] == "P1 Emergency"
    assert "Production down" in priority_options[0]["description"]["text"]

    status, body = await running.slack.send(
        *view_submission(
            "U0KEY1", Callback.RAISE_MODAL, raise_values(), private_metadata=view["private_metadata"]
        )
    )
    assert status == 200 and body in ("", "{}")
    ticket = await Ticket.get(title="Checkout fails")
    assert ticket.customer == "acme" and ticket.priority == "P1" and ticket.reporter_id == "U0KEY1"

    await running.settle()
    (post,) = running.standin.posts_to("C0SUPPORT")
    text = json.dumps(post.args["blocks"])
    assert f"SUP-{ticket.id}" in text and "Acme Corp" in text and "Enterprise" in text
    assert "P1 Emergency" in text and "<@U0KEY1>" in text and "*First response*: due <!date^" in text
    assert "30 minutes left" in text  # enterprise: 30 minutes around the clock, so plain minutes
    (dm,) = running.standin.posts_to("U0KEY1")
    assert f"SUP-{ticket.id}" in dm.args["text"] and "first response is due" in json.dumps(dm.args["blocks"])

    ts = post.response["ts"]
    status, _ = await running.slack.send(
        *block_actions("U0ENG1", Action.CLAIM, str(ticket.id), message_ts=ts)
    )
    assert status == 200
    await running.settle()
    message = running.standin.message("C0SUPPORT", ts)
    shown = json.dumps(message["blocks"])
    assert "claimed by <@U0ENG1>" in shown and Action.CLAIM not in shown and Action.RELEASE in shown
    assert "*First response*: met" in shown
    assert any("<@U0ENG1>" in c.args["text"] for c in running.standin.posts_to("U0KEY1")[1:])

    # A second engineer is told who has it; nothing changes.
    updates_before = len(running.standin.calls_to("chat.update"))
    await running.slack.send(*block_actions("U0ENG2", Action.CLAIM, str(ticket.id), message_ts=ts))
    (answer,) = await told(running, "U0ENG2")
    assert "<@U0ENG1>" in answer
    await running.settle()
    assert len(running.standin.calls_to("chat.update")) == updates_before
    assert (await Ticket.get(id=ticket.id)).owner_id == "U0ENG1"
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]
    assert kinds == ["raised", "claimed", "first_response_met"]
