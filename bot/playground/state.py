"""What one person sees, as JSON for the page: the channels they are a member of (the support channel is
the vendor staff's) with their threads, their DM with the bot, their App Home, their open modal, their
private answers where they arrived, and their timezone (users.info's `tz`), in which the page shows
every time."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.playground.clock import PlaygroundClock
from bot.playground.modals import Modals
from bot.playground.people import Persona
from bot.playground.times import policy_zones
from bot.playground.tracking import SLACKBOT, Tracker
from bot.policy import Policy
from bot.standin import BOT_USER_ID, DEFAULT_TZ, TEAM_DOMAIN, SlackStandIn, dm_channel_for

MESSAGE_FIELDS = ("ts", "user", "text", "blocks", "attachments", "files", "edited", "thread_ts", "bot_id")


def persona_state(
    persona: str,
    *,
    policy: Policy,
    people: list[Persona],
    standin: SlackStandIn,
    tracker: Tracker,
    modals: Modals,
    clock: PlaygroundClock,
    mailbox: dict[str, Any] | None = None,
) -> dict[str, Any]:
    support = str(policy.support_channel)
    # Someone of a customer's own organisation is in their shared channel only, never the vendor's support
    # channel (bot/playground/people.py), and has no App Home (Slack does not give it to them).
    me = next((p for p in people if p.id == persona), None)
    dm = dm_channel_for(persona)
    joined = [c for c in standin.channels.values() if persona in c.members and not c.archived]
    joined.sort(key=lambda c: (c.id != support, c.name))  # the support channel first, as the bot's home
    state: dict[str, Any] = {
        "persona": persona,
        "personas": [p.as_json() for p in people],
        # The persona's own zone as seeded (Slack withholds it from other organisations' apps only).
        "tz": str(standin.workspace.users[persona].get("tz") or DEFAULT_TZ),
        "workspace": f"{TEAM_DOMAIN}.slack.com",  # permalinks to it open inside the page
        "users": _users(standin),
        "bot": BOT_USER_ID,
        "channels": {cid: {"name": c.name} for cid, c in standin.channels.items()},
        "support_channel": support,
        "conversations": [
            {"id": c.id, "name": c.name, "items": conversation(standin, tracker, c.id, persona)}
            for c in joined
        ],
        "dm": {"id": dm, "items": conversation(standin, tracker, dm, persona)},
        "home": standin.home_views.get(persona),
        "organisation": me.team if me is not None else None,
        "modal": modals.as_json(persona),
        "zones": policy_zones(policy),
        "timeline": len(tracker.timeline),
        "mailbox": mailbox,  # customers' mail to and from the support address (bot/playground/mailbox.py)
    }
    # Everything above changes only when something happened; the clock runs on in the page itself.
    state["version"] = hashlib.sha1(
        json.dumps([state, round(clock.advanced.total_seconds())], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    state["clock"] = {
        "now": clock.now().isoformat(timespec="milliseconds"),
        "offset_ms": round(clock.offset.total_seconds() * 1000),  # simulated minus real time
        "advanced_ms": round(clock.advanced.total_seconds() * 1000),  # moved on since the start
    }
    return state


def conversation(standin: SlackStandIn, tracker: Tracker, channel: str, persona: str) -> list[dict[str, Any]]:
    """The conversation's messages oldest first, each with its thread's replies, and what only `persona`
    was shown there (ephemeral answers) where it arrived."""
    items = [{**_message(m), "at": tracker.posted_at.get(m["ts"])} for m in standin.messages_in(channel)]
    items += [p.as_item() for p in tracker.private if p.user == persona and p.channel == channel]
    items.sort(key=lambda item: item["ts"])
    top: list[dict[str, Any]] = []
    threads: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        parent = item.get("thread_ts")
        if parent and parent != item["ts"]:
            threads.setdefault(parent, []).append(item)
        else:
            top.append(item)
    known = {item["ts"] for item in top}
    for item in top:
        item["replies"] = threads.get(item["ts"], [])
    for parent, replies in threads.items():  # replies whose parent is gone are still shown
        if parent not in known:
            top.extend({**reply, "thread_ts": None, "replies": []} for reply in replies)
    return top


def _message(message: dict[str, Any]) -> dict[str, Any]:
    item = {k: message[k] for k in MESSAGE_FIELDS if k in message}
    item["bot"] = message.get("bot_id") is not None or message.get("user") == BOT_USER_ID
    item["ephemeral"] = False
    item["files"] = [_file(f) for f in message.get("files") or [] if isinstance(f, dict)]
    return item


def _file(info: dict[str, Any]) -> dict[str, Any]:
    return {k: info.get(k) for k in ("id", "name", "title", "mimetype", "size")}


def _users(standin: SlackStandIn) -> dict[str, dict[str, Any]]:
    users = {
        uid: {"name": str(seed.get("name") or uid.lower()), "real_name": str(seed.get("real_name") or "")}
        for uid, seed in standin.users.items()
    }
    users[SLACKBOT] = {"name": "Slackbot", "real_name": "Slackbot"}
    return users
