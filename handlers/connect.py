"""Customers' own (Slack Connect) channels: mentions, the intake reaction, the card's buttons, messages in a
ticket's customer thread, people joining, and the channel's life (id changes, shares ending).

People of another organisation have no slash command, shortcut or App Home: everything here starts from a
message, a reaction or a click in the shared channel. The actor's organisation comes from the event
(`user_team`/`team`), the click (`user.team_id`) or users.info (reactions), never the envelope's team_id.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import blocks
from bot.blocks.conversation import reply_modal
from bot.blocks.customer_view import HOW_TO_BUTTON, ticket_lines, ticket_status
from bot.ids import Action, Block, Callback
from bot.outbox.customer import place_of
from bot.permissions import Do
from bot.services.errors import NotFound, ServiceError
from bot.services.intake import Origin
from bot.slack.errors import SlackBusy, SlackRefused
from bot.text import unescape
from handlers import forms
from handlers.clicks import ticket_id_of
from handlers.deps import Deps, actor_team, row_id, user_of, where
from handlers.failures import told_if_failed
from handlers.subcommands.answers import found_text
from models.tickets import REF_PREFIX

log = logging.getLogger(__name__)

Body = dict[str, Any]
LEADING_MENTIONS = re.compile(r"^(\s*<@[UW][A-Z0-9]+(\|[^>]*)?>)+\s*")
MENTION_SEARCH_USAGE = "Usage: `@Secondline search <words>`, e.g. `@Secondline search export times out`."
STATUS = re.compile(rf"^status\s+(?:{REF_PREFIX})?(\d+)\b", re.IGNORECASE)


def event_team(event: dict[str, Any]) -> str | None:
    """The organisation of the person behind an event in a shared channel (`user_team`, else `team`)."""
    team = event.get("user_team") or event.get("team")
    return str(team) if team else None


def bot_user_of(body: Body) -> str | None:
    for authorization in body.get("authorizations") or []:
        if isinstance(authorization, dict) and authorization.get("is_bot") and authorization.get("user_id"):
            return str(authorization["user_id"])
    return None


async def first_delivery(deps: Deps, body: Body) -> bool:
    """As handlers/events.py's: a redelivered event id does nothing (and the envelope, always the vendor's
    workspace, names it in case auth.test has not answered yet)."""
    deps.connect.learn_vendor(body.get("team_id"))
    event_id = body.get("event_id")
    return not isinstance(event_id, str) or await deps.deliveries.first_time(event_id)


# --- ways in ---


async def mentioned(body: Body, event: dict[str, Any], deps: Deps) -> None:
    """`@Secondline …` in a customer's channel: help, list, status SUP-42, search <words>, or (top level) a
    ticket offer."""
    channel = str(event.get("channel") or "")
    if await deps.connect.knows(channel) is None or not await first_delivery(deps, body):
        return
    user, team, ts = str(event.get("user") or ""), event_team(event), str(event.get("ts") or "")
    words = LEADING_MENTIONS.sub("", unescape(str(event.get("text") or ""))).strip()
    command = words.split(maxsplit=1)[0].lower() if words else ""
    thread = event.get("thread_ts")
    try:
        if command == "help":
            await deps.connect.help(channel, str(thread or ts))
        elif command == "list":
            tickets = await deps.connect.open_tickets(channel, user, team)
            await deps.notifier.tell(user, channel, ticket_lines(tickets))
        elif command == "search":  # published answers only, never a ticket: privately, like /support search
            language = deps.connect.answers_language(channel, user, team)
            query = words[len(command) :].strip()
            await deps.notifier.tell(
                user, channel, await found_text(query, language, MENTION_SEARCH_USAGE, "here as usual")
            )
        elif (found := STATUS.match(words)) is not None:
            ticket_id = row_id(found.group(1))
            if ticket_id is None:
                raise NotFound("Write a ticket reference like SUP-42.")
            ticket = await deps.connect.ticket_for(channel, user, team, ticket_id)
            await deps.notifier.tell(user, channel, ticket_status(ticket, await deps.connect.due(ticket)))
        elif not thread or thread == ts:  # a reply in a thread is conversation, not a new ticket
            answer = await deps.connect.offer(channel, ts, user, team, "mention")
            if answer:
                await deps.notifier.tell(user, channel, answer)
    except ServiceError as exc:
        await deps.notifier.tell(user, channel, str(exc))


async def reacted(body: Body, event: dict[str, Any], deps: Deps) -> None:
    """The intake reaction on a message in a customer's channel (reaction_added does not say the reacting
    person's organisation: users.info does, cached)."""
    item = event.get("item") or {}
    channel = str(item.get("channel") or "")
    if (
        event.get("reaction") != deps.policy.intake_reaction
        or item.get("type") != "message"
        or event.get("item_user") == bot_user_of(body)  # our own card or note: not a customer's message
        or await deps.connect.knows(channel) is None
        or not await first_delivery(deps, body)
    ):
        return
    user = str(event.get("user") or "")
    team = await deps.notifier.team_of(user)
    answer = await deps.connect.offer(channel, str(item.get("ts") or ""), user, team, "reaction")
    if answer:
        await deps.notifier.tell(user, channel, answer)


async def message_in_customer_channel(body: Body, event: dict[str, Any], deps: Deps) -> None:
    """Called by handlers/events.py for a person's message in a customer's channel (already de-duplicated
    by event id): a reply in a ticket's customer thread, or a top-level message (auto intake)."""
    deps.connect.learn_vendor(body.get("team_id"))
    channel = str(event.get("channel") or "")
    user, team, ts = str(event["user"]), event_team(event), str(event.get("ts") or "")
    thread = event.get("thread_ts")
    text = unescape(str(event.get("text") or ""))  # Slack sends it encoded: decoded once, here
    files = [str(f["id"]) for f in event.get("files") or [] if isinstance(f, dict) and f.get("id")]
    try:
        if thread and thread != ts:
            await deps.connect.wrote_in_thread(channel, str(thread), ts, user, team, text, files)
        else:
            answer = await deps.connect.offer(channel, ts, user, team, "auto")
            if answer:
                await deps.notifier.tell(user, channel, answer)
    except ServiceError as exc:
        await deps.notifier.tell(user, channel, str(exc))


async def member_joined(body: Body, event: dict[str, Any], deps: Deps) -> None:
    channel = str(event.get("channel") or "")
    if await deps.connect.knows(channel) is None or not await first_delivery(deps, body):
        return
    user = str(event.get("user") or "")
    team = event_team(event) or await deps.notifier.team_of(user)
    await deps.connect.joined(channel, user, team, bot_user_of(body))


async def channel_id_changed(body: Body, event: dict[str, Any], deps: Deps) -> None:
    old, new = str(event.get("old_channel_id") or ""), str(event.get("new_channel_id") or "")
    if old and new and await first_delivery(deps, body):
        await deps.connect.channel_moved(old, new)


async def channel_shared(body: Body, event: dict[str, Any], deps: Deps) -> None:
    deps.connect.shared(str(event.get("channel") or ""), str(event.get("connected_team_id") or ""))


async def channel_unshared(body: Body, event: dict[str, Any], deps: Deps) -> None:
    deps.connect.unshared(
        str(event.get("channel") or ""),
        str(event.get("previously_connected_team_id") or ""),
        bool(event.get("is_ext_shared")),
    )


# --- the card ---


async def raise_from_card(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    """Raise a ticket: the raise form (as /support's), filled with the message's text and a link to it."""
    await ack()
    user, team, channel = user_of(body) or "", actor_team(body), where(body)
    card_ts = str((body.get("container") or {}).get("message_ts") or "")
    value = str(action.get("value") or "")
    async with told_if_failed(deps, body):
        customer = await deps.connect.may_raise(channel, user, team)
        assert channel is not None
        message_ts = None if value == HOW_TO_BUTTON else value
        origin = Origin(channel, message_ts, card_ts if message_ts else None, None, team)
        form = blocks.raise_modal(deps.policy, [customer], origin=origin)
        opened = await deps.notifier.open_modal(str(body.get("trigger_id") or ""), form)  # within 3 s
        if message_ts is None or not opened.get("id"):
            return
        text = await deps.notifier.message_text(channel, message_ts)
        link = await deps.notifier.permalink(channel, message_ts)
        description = LEADING_MENTIONS.sub("", unescape(text or "")).strip()  # decoded once
        if link:
            description = f"{description}\n\nFrom: {link}".strip()
        if not description:
            return
        origin = Origin(channel, message_ts, card_ts, link, team)
        try:
            await deps.notifier.update_modal(
                str(opened["id"]),
                blocks.raise_modal(deps.policy, [customer], description=description, origin=origin),
                opened.get("hash"),
            )
        except (SlackBusy, SlackRefused):
            return  # they may have typed meanwhile (hash_conflict): their form stays as it is


async def not_now(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    card_ts = str((body.get("container") or {}).get("message_ts") or "")
    async with told_if_failed(deps, body):
        await deps.connect.not_now(where(body), card_ts, user_of(body) or "", actor_team(body))


# --- the engineer's side ---


async def open_reply_form(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    await ack()
    async with told_if_failed(deps, body):
        deps.connect.require_actor(user_of(body) or "", actor_team(body))
        ticket = await deps.queries.get(ticket_id_of(action))
        deps.roles.require(Do.WAIT, user_of(body) or "", ticket)  # the vendor's side
        await deps.notifier.open_modal(
            str(body.get("trigger_id") or ""), reply_modal(ticket, place_of(ticket))
        )


async def reply_to_customer(ack: AsyncAck, body: Body, view: dict[str, Any], deps: Deps) -> None:
    text = forms.text(forms.values(view), Block.REPLY, Action.REPLY) or ""
    await forms.submit(
        ack,
        body,
        deps,
        lambda: deps.transitions.reply_to_customer(forms.ticket_id(view), user_of(body) or "", text),
        Block.REPLY,
    )


async def wait_on_customer(ack: AsyncAck, body: Body, view: dict[str, Any], deps: Deps) -> None:
    question = forms.text(forms.values(view), Block.QUESTION, Action.QUESTION)
    await forms.submit(
        ack,
        body,
        deps,
        lambda: deps.transitions.wait_on_customer(forms.ticket_id(view), user_of(body) or "", question),
        Block.QUESTION,
    )


def register(app: AsyncApp) -> None:
    app.event("app_mention")(mentioned)
    app.event("reaction_added")(reacted)
    app.event("member_joined_channel")(member_joined)
    app.event("channel_id_changed")(channel_id_changed)
    app.event("channel_shared")(channel_shared)
    app.event("channel_unshared")(channel_unshared)
    app.action(Action.RAISE_FROM_CARD)(raise_from_card)
    app.action(Action.NOT_NOW)(not_now)
    app.action(Action.REPLY_TO_CUSTOMER)(open_reply_form)
    app.view(Callback.REPLY_MODAL)(reply_to_customer)
    app.view(Callback.WAIT_MODAL)(wait_on_customer)
