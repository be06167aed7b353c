"""Steps of the user journey, shared by the end-to-end tests."""

from __future__ import annotations

from typing import Any

from bot.ids import Action, Block, Callback
from models import Ticket
from tests.conftest import RunningBot
from tests.slack_requests import radio_value, select_value, slash_command, text_value, view_submission


def raise_values(
    title: str | None = "Checkout fails",
    priority: str | None = "P1",
    description: str | None = "Error 500 on pay",
    tried: str | None = "Restarted the app",
    customer: str | None = None,
    environment: str | None = "production",
) -> dict[str, Any]:
    values: dict[str, Any] = {
        Block.PRIORITY: {Action.PRIORITY: select_value(priority)},
        Block.ENVIRONMENT: {Action.ENVIRONMENT: radio_value(environment)},
        Block.TITLE: {Action.TITLE: text_value(title)},
        Block.DESCRIPTION: {Action.DESCRIPTION: text_value(description)},
        Block.TRIED: {Action.TRIED: text_value(tried)},
    }
    if customer is not None:
        values[Block.CUSTOMER] = {Action.CUSTOMER: select_value(customer)}
    return values


async def open_modal(running: RunningBot, user: str = "U0KEY1") -> dict[str, Any]:
    before = len(running.standin.calls_to("views.open"))
    status, _ = await running.slack.send(*slash_command(user))
    assert status == 200
    calls = await running.standin.wait_for("views.open", count=before + 1)
    return calls[-1].args["view"]


async def submit(running: RunningBot, user: str = "U0KEY1", **fields: str | None) -> tuple[int, str]:
    view = await open_modal(running, user)
    return await running.slack.send(
        *view_submission(
            user, Callback.RAISE_MODAL, raise_values(**fields), private_metadata=view["private_metadata"]
        )
    )


async def raise_ticket(running: RunningBot, user: str = "U0KEY1", **fields: str | None) -> Ticket:
    """Raise a ticket through the modal and let the worker post it; returns the saved ticket."""
    before = await Ticket.all().count()
    status, body = await submit(running, user, **fields)
    assert status == 200 and body in ("", "{}"), body
    assert await Ticket.all().count() == before + 1
    await running.settle()
    return await Ticket.all().order_by("-id").first()  # type: ignore[return-value]
