"""Slack's rate limits as budgets we keep ourselves, so 429s stay rare.

One budget per conversation (about a message a second, a short burst) and one per method tier for the
workspace. Shared by every replica through Redis when there is one (bot/pacing.py), per process otherwise.
"""

from __future__ import annotations

import logging
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from redis.asyncio import Redis

from bot.clock import Clock
from bot.pacing import InFlight, LocalPacer, Outage, Pacer, RedisPacer
from models import Replica

log = logging.getLogger(__name__)

KEY_PREFIX = "secondline:pace:"
REPLICA_SEEN_SECONDS = 60.0  # a replica not heard from for this long no longer counts
MAX_CONVERSATIONS = 4096  # pacers kept in memory; an idle conversation's budget is simply full again


@dataclass(frozen=True)
class Budget:
    name: str
    per_minute: int
    burst: int


# About one message a second into any one conversation (channels and DMs alike), a short burst allowed.
CONVERSATION = Budget("conversation", 60, 3)
# Per method, for the whole workspace, a margin below Slack's tiers (Tier 3 ~50/min, Tier 4 ~100/min).
TIER_3 = Budget("tier3", 40, 5)
TIER_4 = Budget("tier4", 80, 10)
POSTS = Budget("chat.postMessage", 280, 30)  # below Slack's workspace-wide cap of "several hundred"
METHOD_BUDGETS: Mapping[str, Budget] = {
    "chat.postMessage": POSTS,
    "chat.update": Budget("chat.update", 40, 5),
    "conversations.info": TIER_3,
    "conversations.open": TIER_3,
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "users.lookupByEmail": TIER_3,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
    "chat.postEphemeral": TIER_4,
    "chat.getPermalink": TIER_4,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
}
# Methods that put a message into a conversation: paced per conversation too.
POSTING = frozenset({"chat.postMessage", "files.completeUploadExternal"})
# Methods that write to a conversation: one unanswered call per conversation at a time (Budgets.in_flight).
# While Slack does not answer, further calls would only pile up there and be answered all at once, over
# the conversation's limit, when it comes back.
WRITING = POSTING | {"chat.update", "chat.delete"}
# A turn ends when its call is answered, fails or times out (the HTTP timeout is 10 s, a job attempt's
# 20 s); whatever happens, it expires after this long (a replica killed mid-call).
IN_FLIGHT_BOUND = 20.0


def conversation_of(method: str, args: Mapping[str, Any]) -> str | None:
    if method not in POSTING:
        return None
    channel = args.get("channel") or args.get("channel_id")
    return str(channel) if channel else None


def written_conversation(method: str, args: Mapping[str, Any]) -> str | None:
    """The conversation a call writes to (a post, an update, a deletion), if any."""
    if method not in WRITING:
        return None
    channel = args.get("channel") or args.get("channel_id")
    return str(channel) if channel else None


class Budgets:
    def __init__(self, redis: Redis | None, clock: Clock) -> None:
        self.redis = redis
        self.clock = clock
        self._pacers: OrderedDict[str, Pacer] = OrderedDict()
        self._outage = Outage()
        self._replica = uuid.uuid4().hex
        self.in_flight = InFlight(redis, clock, IN_FLIGHT_BOUND, prefix=KEY_PREFIX + "inflight:")

    @property
    def share(self) -> int:
        """How many replicas share the budgets, as last counted (1 without Redis)."""
        return self._outage.share

    async def count_replicas(self) -> None:
        """Say that this replica is alive, and note how many are: should Redis go away, each then paces
        itself to its share of every budget rather than all of it.

        Counted in the database, which every replica reaches whatever Redis does: a replica that dies
        drops out of the count within REPLICA_SEEN_SECONDS even while Redis is down, so the survivors do
        not keep pacing to a share of it (a count kept in Redis would stand at its last value, the dead
        replica included, for as long as Redis stayed away).
        """
        if self.redis is None:
            return
        now = self.clock.now()
        try:
            count = await Replica.beat(self._replica, now, now - timedelta(seconds=REPLICA_SEEN_SECONDS))
        except Exception as exc:  # the database is away too (any driver's error): the last count stands,
            # and this loop in the background must not die of it
            log.warning("could not count the replicas (%s: %s)", type(exc).__name__, exc)
            return
        self._outage.share = max(1, count)

    def for_call(
        self, method: str, args: Mapping[str, Any], *, urgent: bool = False
    ) -> list[tuple[str, Pacer]]:
        """The budgets a call spends from, as (name, pacer): its method's, then its conversation's.

        An urgent call (an escalation page) skips the workspace budget, so a backlog of notes cannot hold
        it up; it still keeps to its conversation's, the whole of it even while Redis is out
        (RedisPacer.unshared).
        """
        found: list[tuple[str, Pacer]] = []
        budget = None if urgent else METHOD_BUDGETS.get(method)
        if budget is not None:
            found.append((budget.name, self._pacer(budget.name, budget)))
        conversation = conversation_of(method, args)
        if conversation is not None:
            name = f"{CONVERSATION.name}:{conversation}"
            pacer = self._pacer(name, CONVERSATION)
            if urgent and isinstance(pacer, RedisPacer):
                pacer = pacer.unshared()
            found.append((name, pacer))
        return found

    def _pacer(self, name: str, budget: Budget) -> Pacer:
        pacer = self._pacers.get(name)
        if pacer is None:
            if self.redis is not None:
                pacer = RedisPacer(
                    self.redis,
                    self.clock,
                    budget.per_minute,
                    KEY_PREFIX + name,
                    burst=budget.burst,
                    outage=self._outage,  # one warning per Redis outage for all the budgets
                )
            else:
                pacer = LocalPacer(self.clock, budget.per_minute, burst=budget.burst)
            self._pacers[name] = pacer
            while len(self._pacers) > MAX_CONVERSATIONS:
                self._pacers.popitem(last=False)
        else:
            self._pacers.move_to_end(name)
        return pacer
