"""Steps of a Slack Connect customer's journey: people of the customer's own organisation, in the channel
it shares with the vendor (the example policy's Soylent: #C0SOYLENT, organisation T0SOYLENT)."""

from __future__ import annotations

import json
from typing import Any

from bot.ids import Action, Block, Callback
from bot.standin import Call
from bot.standin.payloads import (
    app_mention,
    block_actions,
    message_event,
    reaction_added,
    text_value,
    view_submission,
)
from models import Ticket
from tests.conftest import BOLT_TASKS, RunningBot
from tests.e2e.journey import raise_values

CHANNEL = "C0SOYLENT"
THEM = "T0SOYLENT"
KEY = "U0SOYKEY1"  # Soylent's key user, of Soylent's own organisation
DEV = "U0SOYDEV"  # one of Soylent's people, not a key user
OUTSIDER = "U0INITX"  # a person of a third organisation in the same (multi-organisation) channel
OUTSIDER_TEAM = "T0INITX"


def seed_people(running: RunningBot) -> None:
    running.standin.add_user(DEV, name="dev", real_name="Dana Dev", team=THEM)
    running.standin.add_user(OUTSIDER, name="ix", real_name="Ix Outsider", team=OUTSIDER_TEAM)
    running.standin.users[KEY].update(name="kay", real_name="Kay Soylent")
    running.standin.join(CHANNEL, DEV, OUTSIDER)
    running.standin.share(CHANNEL, OUTSIDER_TEAM)


async def send(running: RunningBot, body: tuple[bytes, str], headers: dict[str, str] | None = None) -> None:
    status, _ = await running.slack.send(*body, headers=headers)
    assert status == 200
    await running.settle()


async def write(
    running: RunningBot, user: str, text: str, *, team: str = THEM, thread_ts: str | None = None
) -> str:
    """A person writes in the customer's channel (Slack keeps the text encoded); returns its ts."""
    encoded = text.replace("&", "&amp;")
    ts = running.standin.seed_message(CHANNEL, encoded, user=user, thread_ts=thread_ts)
    await send(running, message_event(user, CHANNEL, encoded, thread_ts, ts=ts, raw=True, team=team))
    return ts


async def mention(
    running: RunningBot, user: str, text: str, *, team: str = THEM, thread_ts: str | None = None
) -> str:
    """`@Secondline …`: Slack sends the message event and the app_mention, each with its own event id."""
    raw = f"<@U0BOT> {text}".replace("&", "&amp;")
    ts = running.standin.seed_message(CHANNEL, raw, user=user, thread_ts=thread_ts)
    await send(running, message_event(user, CHANNEL, raw, thread_ts, ts=ts, raw=True, team=team))
    await send(running, app_mention(user, CHANNEL, raw, team=team, ts=ts, thread_ts=thread_ts))
    return ts


async def react(running: RunningBot, user: str, ts: str, reaction: str = "ticket") -> None:
    await send(running, reaction_added(user, CHANNEL, ts, reaction, item_user=KEY, shared=True))


def cards_for(running: RunningBot, ts: str) -> list[Call]:
    """The bot's posts in the thread of the customer's message `ts`."""
    return [c for c in running.standin.posts_to(CHANNEL) if c.args.get("thread_ts") == ts]


async def press(
    running: RunningBot, user: str, action: str, value: str, card_ts: str, *, team: str = THEM
) -> None:
    body = block_actions(
        user,
        action,
        value,
        block_id=Block.CUSTOMER_ACTIONS,
        channel_id=CHANNEL,
        message_ts=card_ts,
        team=team,
    )
    await send(running, body)


async def open_raise_form(
    running: RunningBot, message_ts: str, card_ts: str, user: str = KEY
) -> dict[str, Any]:
    """Raise a ticket on the card: the form opens, then fills with the message and its link."""
    opened = len(running.standin.calls_to("views.open"))
    updated = len(running.standin.calls_to("views.update"))
    body = block_actions(
        user, Action.RAISE_FROM_CARD, message_ts, block_id=Block.INTAKE_ACTIONS, channel_id=CHANNEL,
        message_ts=card_ts, team=THEM,
    )  # fmt: skip
    await send(running, body)
    await BOLT_TASKS.drain()
    assert len(running.standin.calls_to("views.open")) == opened + 1
    updates = running.standin.calls_to("views.update")
    return dict(
        (updates[-1] if len(updates) > updated else running.standin.calls_to("views.open")[-1]).args["view"]
    )


def form_description(view: dict[str, Any]) -> str:
    block = next(b for b in view["blocks"] if b.get("block_id") == Block.DESCRIPTION)
    return str(block["element"].get("initial_value") or "")


async def submit_raise(
    running: RunningBot,
    view: dict[str, Any],
    user: str = KEY,
    *,
    team: str = THEM,
    description: str | None = None,
) -> str:
    values = raise_values(
        title="Export fails", priority="P2", description=description or form_description(view)
    )
    status, text = await running.slack.send(
        *view_submission(
            user, Callback.RAISE_MODAL, values, private_metadata=view["private_metadata"], team=team
        )
    )
    assert status == 200
    await running.settle()
    return text


async def raised_from_channel(
    running: RunningBot, text: str = "the export fails since this morning"
) -> Ticket:
    """Kay mentions the bot, raises the ticket from the card; returns it."""
    ts = await mention(running, KEY, text)
    (card,) = cards_for(running, ts)
    view = await open_raise_form(running, ts, str(card.response["ts"]))
    answer = await submit_raise(running, view)
    assert answer in ("", "{}"), answer
    ticket = await Ticket.filter(source="slack_connect").order_by("-id").first()
    assert ticket is not None and ticket.customer_thread_ts == ts
    return ticket


def card_of(running: RunningBot, ticket: Ticket) -> str:
    """The ticket's card in the customer's thread, as it stands now, as one string."""
    assert ticket.customer_card_ts
    return json.dumps(running.standin.message(CHANNEL, ticket.customer_card_ts))


def customer_thread(running: RunningBot, ticket: Ticket) -> list[str]:
    return [
        str(m.get("text") or "") for m in running.standin.replies(CHANNEL, ticket.customer_thread_ts or "")
    ]


async def submit_modal(running: RunningBot, user: str, callback: str, values: dict[str, Any], metadata: str,
                       *, team: str = "T0TEAM") -> dict[str, Any]:  # fmt: skip
    status, text = await running.slack.send(
        *view_submission(user, callback, values, private_metadata=metadata, team=team)
    )
    assert status == 200
    await running.settle()
    return json.loads(text) if text.strip() else {}


def reply_values(text: str) -> dict[str, Any]:
    return {Block.REPLY: {Action.REPLY: text_value(text)}}
