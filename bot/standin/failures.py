"""Failures a test asks for: the next calls of a method answer 429, 5xx or an error code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Args = dict[str, Any]


@dataclass
class Failure:
    method: str
    status: int
    remaining: int | None  # None: forever
    retry_after: int
    error: str | None
    predicate: Callable[[Args], bool] | None = None


class Failures:
    def __init__(self) -> None:
        self._queued: list[Failure] = []

    def clear(self) -> None:
        self._queued.clear()

    def add(
        self,
        method: str,
        predicate: Callable[[Args], bool] | None,
        *,
        status: int,
        error: str | None,
        times: int | None,
        retry_after: int,
    ) -> None:
        if status == 200 and not error:
            raise ValueError("a status-200 failure needs an error code, e.g. error='cannot_dm_bot'")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        self._queued.append(Failure(method, status, times, retry_after, error, predicate))

    def pending(self, method: str | None = None) -> int:
        return sum(1 for f in self._queued if method is None or f.method == method)

    def take(self, method: str, args: Args) -> Failure | None:
        """The first queued failure matching this call, used up once."""
        for failure in self._queued:
            if failure.method != method or (failure.predicate is not None and not failure.predicate(args)):
                continue
            if failure.remaining is not None:
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self._queued.remove(failure)
            return failure
        return None
