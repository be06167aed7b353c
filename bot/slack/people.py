"""What users.info told us about a person (timezone, e-mail), kept for an hour: in Redis when there is one,
so every replica asks Slack once, else in this process. Losing it costs one users.info call."""

from __future__ import annotations

import json
import logging
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import Clock

log = logging.getLogger(__name__)

KEEP_SECONDS = 3600
KEY_PREFIX = "secondline:user:"
MAX_LOCAL = 10_000


class PeopleCache:
    def __init__(self, redis: Redis | None, clock: Clock) -> None:
        self.redis = redis
        self.clock = clock
        self._local: dict[str, tuple[float, dict[str, Any]]] = {}

    async def get(self, user_id: str) -> dict[str, Any] | None:
        if self.redis is not None:
            try:
                raw = await self.redis.get(KEY_PREFIX + user_id)
            except (RedisError, OSError) as exc:
                log.debug("people cache: Redis unavailable (%s); using this process's copy", exc)
            else:
                return json.loads(raw) if raw else None
        entry = self._local.get(user_id)
        if entry is None or self.clock.monotonic() - entry[0] > KEEP_SECONDS:
            return None
        return entry[1]

    async def put(self, user_id: str, profile: dict[str, Any]) -> None:
        if self.redis is not None:
            try:
                await self.redis.set(KEY_PREFIX + user_id, json.dumps(profile), ex=KEEP_SECONDS)
                return
            except (RedisError, OSError) as exc:
                log.debug("people cache: Redis unavailable (%s); keeping it in this process", exc)
        if len(self._local) >= MAX_LOCAL:
            self._local.pop(next(iter(self._local)))
        self._local[user_id] = (self.clock.monotonic(), profile)
