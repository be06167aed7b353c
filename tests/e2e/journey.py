"""Steps of the user journey, shared by the end-to-end tests."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode

from bot.ids import Action, Block, Callback
from bot.standin.payloads import (
    block_actions,
    checkboxes_value,
    radio_value,
    select_value,
    slash_command,
    text_value,
    view_submission,
)
from models import Ticket
from tests.conftest import BOLT_TASKS, RunningBot


def raise_values(
    title: str | None = "Checkout fails",
    priority: str | None = "P1",
    description: str | None = "Error 500 on pay",
    tried: str | None = "Restarted the app",
    customer: str | None = None,
    environment: str | None = "production",
    category: str | None = "incident",
    paid: bool = False,
    phone: str | None = None,
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
    if category is not None:  # the example policy has a scope: the form asks what it is about
        values[Block.CATEGORY] = {Action.CATEGORY: select_value(category)}
    if paid:
        values[Block.PAID_CONFIRM] = {Action.PAID_CONFIRM: checkboxes_value(["paid"])}
    if phone is not None:
        values[Block.PHONE] = {Action.PHONE: text_value(phone)}
    return values


async def open_modal(running: RunningBot, user: str = "U0KEY1") -> dict[str, Any]:
    before = len(running.standin.calls_to("views.open"))
    status, _ = await running.slack.send(*slash_command(user))
    assert status == 200
    calls = await running.standin.wait_for("views.open", count=before + 1)
    return calls[-1].args["view"]


async def submit(running: RunningBot, user: str = "U0KEY1", **fields: Any) -> tuple[int, str]:
    """Fill and submit the raise form; a confirmed paid request (`paid=True`) goes through the form's
    second step, as a person would: the terms are shown, the box ticked, the form sent again."""
    view = await open_modal(running, user)
    body = view_submission(
        user, Callback.RAISE_MODAL, raise_values(**fields), private_metadata=view["private_metadata"]
    )
    status, text = await running.slack.send(*body)
    answer = json.loads(text) if text.strip() else {}
    if fields.get("paid") and answer.get("response_action") == "update":
        metadata = answer["view"]["private_metadata"]
        body = view_submission(user, Callback.RAISE_MODAL, raise_values(**fields), private_metadata=metadata)
        status, text = await running.slack.send(*body)
    return status, text


async def raise_ticket(running: RunningBot, user: str = "U0KEY1", **fields: Any) -> Ticket:
    """Raise a ticket through the modal and let the worker post it; returns the saved ticket."""
    before = await Ticket.all().count()
    status, body = await submit(running, user, **fields)
    assert status == 200 and body in ("", "{}"), body
    assert await Ticket.all().count() == before + 1
    await running.settle()
    return await Ticket.all().order_by("-id").first()  # type: ignore[return-value]


async def click(
    running: RunningBot,
    user: str,
    action_id: str,
    ticket: Ticket,
    *,
    value: str | None = None,
    action_type: str = "button",
    channel_id: str = "C0SUPPORT",
) -> None:
    """Click a button (or pick a menu option) on the ticket's channel message, then run what it queued."""
    fresh = await Ticket.get(id=ticket.id)
    extra: dict[str, Any] = {}
    if action_type == "static_select":
        extra = {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}
    body, content_type = block_actions(
        user,
        action_id,
        value or str(ticket.id),
        block_id=Block.TICKET_ACTIONS,
        channel_id=channel_id,
        message_ts=fresh.message_ts or "1700000000.000100",
        action_type=action_type,
    )
    if extra:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
        payload["actions"][0].update(extra)
        payload["actions"][0].pop("value", None)
        body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _ = await running.slack.send(body, content_type)
    assert status == 200
    await running.settle()


async def wait_on(running: RunningBot, user: str, ticket: Ticket, question: str = "") -> None:
    """Waiting on customer: the button asks for the question, the form sends it."""
    await click(running, user, Action.WAIT, ticket)
    view = running.standin.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == Callback.WAIT_MODAL
    values = {Block.QUESTION: {Action.QUESTION: text_value(question or None)}}
    status, _ = await running.slack.send(
        *view_submission(user, Callback.WAIT_MODAL, values, private_metadata=view["private_metadata"])
    )
    assert status == 200
    await running.settle()


def channel_message(running: RunningBot, ticket: Ticket) -> str:
    """The ticket's channel message as it stands now, as one string to search."""
    posted = [c for c in running.standin.posts_to("C0SUPPORT") if f"SUP-{ticket.id} " in c.args["text"]]
    assert posted, f"SUP-{ticket.id} was never posted"
    message = running.standin.message("C0SUPPORT", posted[0].response["ts"])
    return json.dumps(message["blocks"])


def thread_notes(running: RunningBot, ticket: Ticket) -> list[str]:
    posted = [c for c in running.standin.posts_to("C0SUPPORT") if f"SUP-{ticket.id} " in c.args["text"]]
    ts = posted[0].response["ts"]
    return [c.args["text"] for c in running.standin.posts_to("C0SUPPORT") if c.args.get("thread_ts") == ts]


async def advance(running: RunningBot, delta: timedelta, step: timedelta = timedelta(minutes=1)) -> None:
    """Move the fake clock forward a step at a time, running due work at each step, as the worker would."""
    end = running.clock.now() + delta
    while running.clock.now() < end:
        running.clock.advance(min(step, end - running.clock.now()))
        await running.settle()


def pages_to(running: RunningBot, user: str) -> list[Any]:
    """Escalation DMs a person received."""
    return [c for c in running.standin.posts_to(user) if "Escalation" in c.args.get("text", "")]


async def click_page(running: RunningBot, user: str, action_id: str, page_id: int) -> None:
    body, content_type = block_actions(
        user, action_id, str(page_id), block_id=Block.PAGE_ACTIONS, channel_id="D" + user[1:]
    )
    status, _ = await running.slack.send(body, content_type)
    assert status == 200
    await running.settle()


async def command(running: RunningBot, user: str, text: str = "") -> str:
    """Type `/support <text>` as `user`: what the person sees, whether Slack showed it from the
    acknowledgement itself or the bot answered later through the command's response_url."""
    before = len(running.standin.responses)
    status, body = await running.slack.send(*slash_command(user, text))
    assert status == 200, body
    if body.strip() not in ("", "{}"):
        return str(json.loads(body)["text"])
    await BOLT_TASKS.drain()
    await running.standin.wait_until(
        lambda: len(running.standin.responses) > before, what="a response_url answer"
    )
    return running.standin.responses[-1].text


async def told(running: RunningBot, user: str) -> list[str]:
    """What `user` was told privately: ephemeral messages, then answers through response URLs."""
    await BOLT_TASKS.drain()
    ephemerals = [str(e.get("text") or "") for e in running.standin.ephemerals if e.get("user") == user]
    return ephemerals + [r.text for r in running.standin.responses if r.user == user]


async def told_users(running: RunningBot) -> list[str]:
    """Everyone told something privately, once per answer."""
    await BOLT_TASKS.drain()
    return [str(e.get("user")) for e in running.standin.ephemerals] + [
        str(r.user) for r in running.standin.responses
    ]
