"""Slack's rate limits, on an injectable clock so tests and benchmarks can run them on simulated time.

Per method and workspace, Slack grants a tier of calls a minute (modelled as a sliding 60 s window).
``chat.postMessage`` is special: about one message a second per conversation, short bursts tolerated
(a token bucket), under a workspace-wide cap. A call over a limit gets HTTP 429 with ``Retry-After``.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

TIERS = {1: 1, 2: 20, 3: 50, 4: 100}  # calls a minute

METHOD_TIERS = {
    "chat.update": 3,
    "chat.delete": 3,
    "conversations.open": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.info": 3,
    "users.lookupByEmail": 3,
    "users.info": 4,
    "views.open": 4,
    "views.update": 4,
    "views.push": 4,
    "views.publish": 4,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "files.getUploadURLExternal": 4,
    "files.completeUploadExternal": 4,
}

# Methods limited per conversation (a message each) rather than by tier alone.
POSTING_METHODS = frozenset({"chat.postMessage", "files.completeUploadExternal"})


def _default_per_minute() -> dict[str, int]:
    limits = {method: TIERS[tier] for method, tier in METHOD_TIERS.items()}
    limits["auth.test"] = 600  # Slack calls it "special": generous
    return limits


@dataclass
class Limits:
    """The numbers; change any of them (or whole tiers) per stand-in."""

    per_minute: dict[str, int] = field(default_factory=_default_per_minute)  # method -> calls per window
    window: float = 60.0  # seconds
    post_burst: float = 4.0  # messages a conversation may take at once
    post_per_second: float = 1.0  # refill of each conversation's bucket
    post_workspace_per_minute: int = 300  # all chat.postMessage calls of the workspace


class _Window:
    """Calls in the last ``window`` seconds, at most ``limit``."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()

    def wait(self, now: float, limit: int, window: float) -> float:
        if limit <= 0:
            return window
        while self.times and self.times[0] <= now - window:
            self.times.popleft()
        if len(self.times) < limit:
            return 0.0
        return self.times[len(self.times) - limit] + window - now

    def take(self, now: float) -> None:
        self.times.append(now)


@dataclass
class _Bucket:
    tokens: float
    at: float

    def refill(self, now: float, capacity: float, rate: float) -> None:
        self.tokens = min(capacity, self.tokens + max(0.0, now - self.at) * rate)
        self.at = now


class RateLimiter:
    """Decides whether a call goes through; a call that does uses up its share of every limit."""

    def __init__(self, clock: Callable[[], float], limits: Limits | None = None) -> None:
        self.clock = clock
        self.limits = limits or Limits()
        self._windows: dict[str, _Window] = {}
        self._buckets: dict[str, _Bucket] = {}
        self._posts = _Window()

    def reset(self) -> None:
        self._windows.clear()
        self._buckets.clear()
        self._posts = _Window()

    def admit(self, method: str, conversations: Iterable[str] = ()) -> int | None:
        """``None`` if the call may go ahead (and it is counted), else the whole seconds to wait (>= 1).

        ``conversations``: where a posting method puts a message (one bucket each).
        """
        now = self.clock()
        limits = self.limits
        waits: list[float] = []
        per_minute = limits.per_minute.get(method)
        window = self._windows.setdefault(method, _Window())
        if per_minute is not None:
            waits.append(window.wait(now, per_minute, limits.window))
        buckets: list[_Bucket] = []
        if method in POSTING_METHODS:
            for key in dict.fromkeys(conversations):
                bucket = self._buckets.setdefault(key, _Bucket(limits.post_burst, now))
                bucket.refill(now, limits.post_burst, limits.post_per_second)
                buckets.append(bucket)
                waits.append(max(0.0, (1.0 - bucket.tokens) / limits.post_per_second))
            if method == "chat.postMessage":
                waits.append(self._posts.wait(now, limits.post_workspace_per_minute, limits.window))
        wait = max(waits, default=0.0)
        if wait > 0:
            return max(1, math.ceil(wait))
        if per_minute is not None:
            window.take(now)
        for bucket in buckets:
            bucket.tokens -= 1.0
        if method == "chat.postMessage":
            self._posts.take(now)
        return None
