"""The first user journey through the real HTTP endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from bot.ids import Action, Block, Callback
from models import Ticket, TicketEvent
from tests.conftest import RunningBot
from tests.slack_requests import (
    block_actions,
    radio_value,
    select_value,
    slash_command,
    text_value,
    view_submission,
)


def raise_values(
    title: str = "Checkout fails", priority: str = "P1", description: str = "Error 500 on pay",
    tried: str | None = "Restarted the app", customer: str | None = None,
) -> dict:
    values = {
        Block.PRIORITY: {Action.PRIORITY: select_value(priority)},
        Block.ENVIRONMENT: {Action.ENVIRONMENT: radio_value("production")},
        Block.TITLE: {Action.TITLE: text_value(title)},
        Block.DESCRIPTION: {Action.DESCRIPTION: text_value(description)},
        Block.TRIED: {Action.TRIED: text_value(tried)},
    }
    if customer is not None:
        values[Block.CUSTOMER] = {Action.CUSTOMER: select_value(customer)}
    return values


async def open_modal(running: RunningBot, user: str = "U0KEY1") -> dict:
    status, _ = await running.slack.send(*slash_command(user))
    assert status == 200
    (call,) = await running.standin.wait_for("views.open")
    return call.args["view"]


async def submit(running: RunningBot, user: str = "U0KEY1", **fields: str | None) -> tuple[int, str]:
    view = await open_modal(running, user) if not running.standin.calls_to("views.open") else None
    metadata = (view or running.standin.calls_to("views.open")[-1].args["view"])["private_metadata"]
    return await running.slack.send(*view_submission(user, Callback.RAISE_MODAL, raise_values(**fields),
                                                     private_metadata=metadata))


async def test_key_user_raises_ticket_and_engineer_claims_it(running: RunningBot) -> None:
    view = await open_modal(running)
    labels = [b["label"]["text"] for b in view["blocks"]]
    assert "Customer" not in labels  # U0KEY1 raises only for Acme
    priority_options = next(b for b in view["blocks"] if b["block_id"] == Block.PRIORITY)["element"]["options"]
    assert [o["text"]["text"] for o in priority_options][0] == "P1 Emergency"
    assert "Production down" in priority_options[0]["description"]["text"]

    status, body = await running.slack.send(*view_submission(
        "U0KEY1", Callback.RAISE_MODAL, raise_values(), private_metadata=view["private_metadata"]))
    assert status == 200 and body in ("", "{}")
    ticket = await Ticket.get(title="Checkout fails")
    assert ticket.customer == "acme" and ticket.priority == "P1" and ticket.reporter_id == "U0KEY1"

    await running.settle()
    (post,) = running.standin.posts_to("C0SUPPORT")
    text = json.dumps(post.args["blocks"])
    assert f"SUP-{ticket.id}" in text and "Acme Corp" in text and "Enterprise" in text
    assert "P1 Emergency" in text and "<@U0KEY1>" in text and "First response due" in text
    assert "30m" in text  # enterprise: 30 minutes, around the clock
    (dm,) = running.standin.posts_to("U0KEY1")
    assert f"SUP-{ticket.id}" in dm.args["text"] and "first response is due" in json.dumps(dm.args["blocks"])

    ts = post.response["ts"]
    status, _ = await running.slack.send(*block_actions("U0ENG1", Action.CLAIM, str(ticket.id), message_ts=ts))
    assert status == 200
    await running.settle()
    message = running.standin.message("C0SUPPORT", ts)
    shown = json.dumps(message["blocks"])
    assert "Claimed by <@U0ENG1>" in shown and Action.CLAIM not in shown
    assert any("<@U0ENG1>" in c.args["text"] for c in running.standin.posts_to("U0KEY1")[1:])

    # A second engineer is told who has it; nothing changes.
    updates_before = len(running.standin.calls_to("chat.update"))
    await running.slack.send(*block_actions("U0ENG2", Action.CLAIM, str(ticket.id), message_ts=ts))
    (ephemeral,) = await running.standin.wait_for("chat.postEphemeral")
    assert ephemeral.args["user"] == "U0ENG2" and "<@U0ENG1>" in ephemeral.args["text"]
    await running.settle()
    assert len(running.standin.calls_to("chat.update")) == updates_before
    assert (await Ticket.get(id=ticket.id)).owner_id == "U0ENG1"
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]
    assert kinds == ["raised", "claimed"]
