"""One budget for Slack's `chat.update` (Tier 3, about 50 calls a minute per workspace) across every replica.

Every ticket redraw asks a pacer first. `reserve()` never blocks: it takes a slot and returns 0.0, or takes
nothing and returns the seconds until one frees up, so the caller reschedules its job instead of holding a
worker. `blocked_for()` records a 429 Retry-After so that nobody calls before it ends.

The limiter (identical in LocalPacer and in RedisPacer's Lua script) has two parts:

* GCRA, i.e. a token bucket kept as a single "theoretical arrival time": refills per_minute/60 tokens a
  second, capacity `burst` (5). It spreads calls evenly instead of spending a minute's budget at once.
* A sliding-window log of the reservations of the last 60 s, capped at per_minute. This is the hard
  guarantee: a reservation at `e` counts against one at `t` while t - e < 60 s, so no half-open 60 s window
  ever holds more than per_minute. A bucket of capacity b alone admits up to per_minute + b - 1 in one
  window; slowing its refill to compensate would cost b/per_minute of the throughput, the log costs none.
  Under sustained demand the result is exactly per_minute a minute: a burst of `burst` calls, then one every
  60/per_minute s.

A 429 moves the theoretical arrival time so that the bucket is empty when Retry-After ends: nobody calls
before then, and calls resume at the steady rate rather than in a burst (a 429 means someone else is
spending the workspace's budget too).

Time is whole microseconds since the epoch, from `clock.now()`: arithmetic is exact in Python and in Lua
(whose numbers are doubles, exact for integers below 2**53, i.e. until the year 2255), and it is the same
scale on every replica, which a monotonic clock is not. A pacer never lets its time go backwards, so a
stepped wall clock (or a replica whose clock lags) cannot reopen a window.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from bot.clock import Clock

log = logging.getLogger(__name__)

DEFAULT_BURST = 5
REDIS_RETRY_SECONDS = 30.0  # while Redis is down, pace locally this long before trying it again

_US = 1_000_000
_WINDOW_US = 60 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@runtime_checkable
class Pacer(Protocol):
    async def reserve(self) -> float:
        """Take a slot and return 0.0 if one is free now; otherwise take nothing and return the seconds
        until one frees up (a hint: another caller may take it first)."""
        ...

    @property
    def interval(self) -> float:
        """Seconds between calls at the steady rate (60 / per_minute)."""
        ...

    async def blocked_for(self, seconds: float) -> None:
        """Slack answered 429 with Retry-After: nobody may call until now + seconds."""
        ...


@dataclass(frozen=True)
class _Limits:
    limit: int  # reservations per window
    interval_us: int  # GCRA emission interval: one token per interval
    tau_us: int  # GCRA burst tolerance: (burst - 1) intervals

    @classmethod
    def of(cls, per_minute: int, burst: int) -> _Limits:
        if per_minute < 1:
            raise ValueError(f"per_minute must be at least 1, not {per_minute}")
        if burst < 1:
            raise ValueError(f"burst must be at least 1, not {burst}")
        burst = min(burst, per_minute)
        interval = -(-_WINDOW_US // per_minute)  # rounded up: never faster than the budget
        return cls(limit=per_minute, interval_us=interval, tau_us=(burst - 1) * interval)


def _now_us(clock: Clock) -> int:
    return (clock.now() - _EPOCH) // timedelta(microseconds=1)


def _seconds_to_us(seconds: float) -> int:
    return max(0, math.ceil(seconds * _US))


class LocalPacer:
    """The pacer for a single process, state in memory. Not shared: each replica would get its own budget."""

    def __init__(self, clock: Clock, per_minute: int, *, burst: int = DEFAULT_BURST) -> None:
        self._clock = clock
        self._per_minute, self._burst = per_minute, burst
        self._limits = _Limits.of(per_minute, burst)
        self._tat = 0  # GCRA theoretical arrival time, µs since the epoch
        self._last = 0  # latest time seen, so time never runs backwards here
        self._log: deque[int] = deque()  # reservation times within the window, oldest first

    @property
    def interval(self) -> float:
        return self._limits.interval_us / _US

    @property
    def limits(self) -> tuple[int, int]:
        return self._per_minute, self._burst

    def rescaled(self, per_minute: int, burst: int) -> LocalPacer:
        """The same pacer at other limits, keeping a 429's hold (its theoretical arrival time)."""
        other = LocalPacer(self._clock, per_minute, burst=burst)
        other._tat, other._last = self._tat, self._last
        return other

    # No awaits inside: each call is atomic with respect to the other tasks of the event loop.
    async def reserve(self) -> float:
        now = self._now()
        lim = self._limits
        tat = max(self._tat, now)
        wait = tat - lim.tau_us - now
        while self._log and now - self._log[0] >= _WINDOW_US:
            self._log.popleft()
        if len(self._log) >= lim.limit:
            # A slot frees when the limit-th newest reservation leaves the window.
            wait = max(wait, self._log[len(self._log) - lim.limit] + _WINDOW_US - now)
        if wait > 0:
            return wait / _US
        self._tat = tat + lim.interval_us
        self._log.append(now)
        return 0.0

    async def blocked_for(self, seconds: float) -> None:
        now = self._now()
        self._tat = max(self._tat, now + _seconds_to_us(seconds) + self._limits.tau_us)

    def _now(self) -> int:
        self._last = max(self._last, _now_us(self._clock))
        return self._last


# The same algorithm as LocalPacer, atomically on shared state. KEYS[1]: hash {tat, last}; KEYS[2]: sorted
# set of reservation times (score and member time in µs). Numbers go back to Redis through
# string.format('%.0f'): Lua's tostring keeps only 14 significant digits.
_LUA = """
local state, log = KEYS[1], KEYS[2]
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tau = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
local window = tonumber(ARGV[5])
local op = ARGV[6]
local function int(x) return string.format('%.0f', x) end

local fields = redis.call('HMGET', state, 'tat', 'last')
local tat = tonumber(fields[1]) or 0
local last = tonumber(fields[2]) or 0
if last > now then now = last end

local wait = 0
if op == 'block' then
  tat = math.max(tat, now + tonumber(ARGV[7]) + tau)
else
  tat = math.max(tat, now)
  wait = tat - tau - now
  redis.call('ZREMRANGEBYSCORE', log, '-inf', int(now - window))
  local count = redis.call('ZCARD', log)
  if count >= limit then
    local entry = redis.call('ZRANGE', log, count - limit, count - limit, 'WITHSCORES')
    wait = math.max(wait, tonumber(entry[2]) + window - now)
  end
  if wait <= 0 then
    wait = 0
    tat = tat + interval
    redis.call('ZADD', log, int(now), ARGV[7])
  end
end

-- Keep the state while it still matters (plus a second's margin); an expired key reads as "all free".
local ttl = math.ceil(math.max(window, tat - now) / 1000) + 1000
redis.call('HSET', state, 'tat', int(tat), 'last', int(now))
redis.call('PEXPIRE', state, ttl)
redis.call('PEXPIRE', log, ttl)
return wait
"""


class Outage:
    """Whether Redis was already said to be unreachable: shared by a process's pacers, so an outage is one
    log line rather than one per budget. `share`: the replicas last seen sharing the budgets; while Redis
    is out, each paces itself to that share of a budget, so that together they still keep within it."""

    noticed = False
    share = 1


class RedisPacer:
    """The pacer shared by every replica through Redis (one Lua script per call, so atomic).

    Redis is optional: if it cannot be reached, this paces locally (per process) for REDIS_RETRY_SECONDS and
    then tries again; it warns once per outage. A 429 is always recorded locally too, so it still holds if
    Redis goes away before Retry-After ends. Both keys live on one Redis; for Redis Cluster, give `key` a
    {hash tag} so that `key` and `key:log` land in the same slot.
    """

    def __init__(
        self,
        redis: Redis,
        clock: Clock,
        per_minute: int,
        key: str,
        *,
        burst: int = DEFAULT_BURST,
        outage: Outage | None = None,
    ) -> None:
        self._outage = outage or Outage()
        self._clock = clock
        self._limits = _Limits.of(per_minute, burst)
        self._keys = [key, f"{key}:log"]
        self._script = redis.register_script(_LUA)
        self._per_minute, self._burst = per_minute, burst
        self._local = LocalPacer(clock, per_minute, burst=burst)
        self._whole = LocalPacer(clock, per_minute, burst=burst)  # for urgent calls while Redis is out
        self._down_until: int | None = None  # µs; set while Redis is considered unreachable

    @property
    def interval(self) -> float:
        return self._limits.interval_us / _US

    async def reserve(self, *, shared: bool = True) -> float:
        """`shared=False` (an urgent call): while Redis is out, pace to the whole budget rather than this
        replica's share of it (see `unshared`)."""
        wait_us = await self._run("reserve", uuid.uuid4().hex)
        if wait_us is None:
            return await (self._fallback() if shared else self._whole).reserve()
        return wait_us / _US

    def unshared(self) -> Pacer:
        """This budget for urgent calls (escalation pages): the same as any other while Redis is up; while
        it is out, the whole budget rather than this replica's share. A share of a conversation's short
        burst is a burst of one, which would space a person's pages seconds apart; pages are few (one per
        ticket, step and person, several to one person sent as one DM), so they may spend the burst."""
        return _Unshared(self)

    def _fallback(self) -> LocalPacer:
        """The local pacer for an outage, at this replica's share of the budget."""
        share = max(1, self._outage.share)
        per_minute, burst = max(1, self._per_minute // share), max(1, self._burst // share)
        if self._local.limits != (per_minute, burst):
            self._local = self._local.rescaled(per_minute, burst)
        return self._local

    async def blocked_for(self, seconds: float) -> None:
        await self._local.blocked_for(seconds)
        await self._whole.blocked_for(seconds)
        await self._run("block", str(_seconds_to_us(seconds)))

    async def _run(self, op: str, extra: str) -> int | None:
        """The script's wait in µs, or None when Redis is unreachable (the caller then paces locally)."""
        now = _now_us(self._clock)
        if self._down_until is not None and now < self._down_until:
            return None
        lim = self._limits
        args: list[int | str] = [now, lim.interval_us, lim.tau_us, lim.limit, _WINDOW_US, op, extra]
        try:
            result = await self._script(keys=self._keys, args=args)
        except (RedisConnectionError, RedisTimeoutError, OSError) as exc:
            if self._down_until is None and not self._outage.noticed:  # one line per outage, not per budget
                self._outage.noticed = True
                log.warning(
                    "Redis unreachable for the Slack rate budgets (%s: %s); pacing this replica on its own",
                    type(exc).__name__,
                    exc,
                )
            self._down_until = now + _seconds_to_us(REDIS_RETRY_SECONDS)
            return None
        if self._down_until is not None:
            if self._outage.noticed:
                log.info("Redis reachable again; the Slack rate budgets are shared across replicas again")
                self._outage.noticed = False
            self._down_until = None
        return int(result)


@dataclass(frozen=True)
class _Unshared:
    """A RedisPacer seen by urgent calls: RedisPacer.unshared."""

    pacer: RedisPacer

    @property
    def interval(self) -> float:
        return self.pacer.interval

    async def reserve(self) -> float:
        return await self.pacer.reserve(shared=False)

    async def blocked_for(self, seconds: float) -> None:
        await self.pacer.blocked_for(seconds)


# Compare-and-delete: give the turn back only if it is still ours (it may have expired and been taken).
_GIVE_BACK = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class InFlight:
    """At most one unanswered call per conversation: `take(key)` hands out the conversation's turn (a
    token) or None while another call holds it; `give_back` ends the turn when the call is answered,
    fails or times out.

    Shared by every replica through Redis when there is one (a key set NX with an expiry), per process
    while there is none or it is away. A turn expires after `bound` seconds whatever happens, so a call
    that hangs, or a replica killed mid-call, cannot hold a conversation for longer.
    """

    def __init__(self, redis: Redis | None, clock: Clock, bound: float, *, prefix: str) -> None:
        self._redis = redis
        self._clock = clock
        self._bound_us = _seconds_to_us(bound)
        self._prefix = prefix
        self._give_back = redis.register_script(_GIVE_BACK) if redis is not None else None
        self._local: dict[str, tuple[str, int]] = {}  # key -> (token, expiry µs), while Redis is away
        self._down_until: int | None = None

    async def take(self, key: str) -> str | None:
        token = uuid.uuid4().hex
        now = _now_us(self._clock)
        if self._redis is not None and (self._down_until is None or now >= self._down_until):
            try:
                taken = await self._redis.set(
                    self._prefix + key, token, nx=True, px=max(1, self._bound_us // 1000)
                )
            except (RedisConnectionError, RedisTimeoutError, OSError):
                self._down_until = now + _seconds_to_us(REDIS_RETRY_SECONDS)
            else:
                self._down_until = None
                return token if taken else None
        held = self._local.get(key)
        if held is not None and held[1] > now:
            return None
        if len(self._local) > 4096:  # forget turns that have expired
            self._local = {k: v for k, v in self._local.items() if v[1] > now}
        self._local[key] = (token, now + self._bound_us)
        return token

    async def give_back(self, key: str, token: str) -> None:
        held = self._local.get(key)
        if held is not None and held[0] == token:
            del self._local[key]
            return
        if self._give_back is None:
            return
        try:
            await self._give_back(keys=[self._prefix + key], args=[token])
        except (RedisConnectionError, RedisTimeoutError, OSError):
            pass  # the turn expires on its own within the bound
