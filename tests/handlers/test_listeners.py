"""Listeners are plain functions: called here with a fake ack, the real services and the Slack stand-in."""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise

from bot.ids import Action, Block
from handlers import actions, commands, views
from handlers.failures import SORRY
from models import Ticket
from tests.conftest import RunningBot
from tests.e2e.journey import raise_ticket, raise_values


class FakeAck:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)


def clicked(user: str, value: str) -> tuple[dict[str, Any], dict[str, Any]]:
    action = {"type": "button", "action_id": Action.CLAIM, "block_id": Block.TICKET_ACTIONS, "value": value}
    body = {
        "type": "block_actions",
        "user": {"id": user},
        "channel": {"id": "C0SUPPORT"},
        "actions": [action],
    }
    return body, action


async def test_a_claim_button_pointing_nowhere_is_acked_and_told(running: RunningBot) -> None:
    ack = FakeAck()
    body, action = clicked("U0ENG1", "not-a-ticket")
    await actions.claim(ack, body, action, running.bot.deps)
    assert ack.calls == [{}]  # acknowledged once, with nothing to show in place
    (told,) = running.standin.ephemerals
    assert told["user"] == "U0ENG1" and "does not point at a ticket" in told["text"]


async def test_a_claim_from_a_key_user_is_refused_and_changes_nothing(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    ack = FakeAck()
    body, action = clicked("U0KEY1", str(ticket.id))
    await actions.claim(ack, body, action, running.bot.deps)
    assert ack.calls == [{}]
    assert (await Ticket.get(id=ticket.id)).owner_id is None
    assert "Only support engineers" in running.standin.ephemerals[-1]["text"]


async def test_the_raise_form_answers_field_errors_in_its_ack(running: RunningBot) -> None:
    ack = FakeAck()
    view = {"callback_id": "raise_ticket", "private_metadata": '{"customers": ["acme"]}'}
    view["state"] = {"values": raise_values(title="   ")}
    await views.raise_ticket(ack, {"user": {"id": "U0KEY1"}}, view, running.bot.deps)
    (answer,) = ack.calls
    assert answer["response_action"] == "errors" and Block.TITLE in answer["errors"]
    assert await Ticket.all().count() == 0


async def test_a_command_failing_after_its_ack_tells_the_person_and_raises_nothing(
    running: RunningBot,
) -> None:
    """Raising to Bolt after ack() would lose the acknowledgement (Slack would get a 404 after 3 s)."""
    await Tortoise.get_connection("default").execute_script("ALTER TABLE tickets RENAME TO tickets_away")
    ack = FakeAck()
    command = {"user_id": "U0ENG1", "channel_id": "C0SUPPORT", "command": "/support", "text": "list"}
    await commands.support(ack, command, running.bot.deps)
    assert ack.calls == [{}]
    assert running.standin.ephemerals[-1]["text"] == SORRY
