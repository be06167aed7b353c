"""What a test can make the stand-in do to its client: fail calls, revoke the token, go dark."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.standin.failures import Failures

Args = dict[str, Any]
TOKEN_STATES = (None, "invalid_auth", "account_inactive", "token_revoked")


class Controls:
    def __init__(self, latency: float) -> None:
        self.latency = latency  # seconds added to every answer
        self.waiting = 0  # requests held by stall() right now
        self._failures = Failures()
        self._token_state: str | None = None
        self._lit = asyncio.Event()
        self._lit.set()
        self._stall_timer: asyncio.TimerHandle | None = None

    def reset_controls(self) -> None:
        self._failures.clear()
        self._token_state = None
        self.release()

    @property
    def token_state(self) -> str | None:
        """``None``, or the error every method answers: invalid_auth, account_inactive, token_revoked."""
        return self._token_state

    @token_state.setter
    def token_state(self, value: str | None) -> None:
        if value not in TOKEN_STATES:
            raise ValueError(f"token_state must be one of {TOKEN_STATES}, not {value!r}")
        self._token_state = value

    def fail(
        self,
        method: str,
        status: int = 429,
        times: int | None = 1,
        retry_after: int = 1,
        error: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail (``times=None``: all of them).

        ``status=429``: HTTP 429 + ``Retry-After`` + ``{"ok": false, "error": "ratelimited"}``;
        ``status`` 5xx: that status with a plain-text body;
        ``status=200`` with ``error``: ``{"ok": false, "error": error}``.
        """
        self._failures.add(method, None, status=status, error=error, times=times, retry_after=retry_after)

    def fail_for(
        self,
        method: str,
        predicate: Callable[[Args], bool] | None,
        *,
        status: int = 200,
        error: str | None = None,
        times: int | None = None,
        retry_after: int = 1,
    ) -> None:
        """Fail only calls whose args match, e.g. ``fail_for("chat.postMessage", lambda a: a["channel"] ==
        "U0GONE", error="user_not_found")``. Default: every matching call, forever."""
        self._failures.add(
            method, predicate, status=status, error=error, times=times, retry_after=retry_after
        )

    def pending_failures(self, method: str | None = None) -> int:
        return self._failures.pending(method)

    def stall(self, seconds: float | None = None) -> None:
        """Go dark: hold every request (API, uploads, response URLs) for ``seconds``, or until release().

        Held requests are answered normally afterwards, if their client still waits. ``seconds`` is
        real time (a client's timeout is), and needs a running event loop.
        """
        self._lit.clear()
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        if seconds is not None:
            self._stall_timer = asyncio.get_running_loop().call_later(seconds, self.release)

    def stall_until_released(self) -> None:
        self.stall(None)

    def release(self) -> None:
        if self._stall_timer is not None:
            self._stall_timer.cancel()
            self._stall_timer = None
        self._lit.set()

    @property
    def stalled(self) -> bool:
        return not self._lit.is_set()

    async def _hold(self) -> None:
        """Where every request waits out a stall, then the configured latency."""
        if self.stalled:
            self.waiting += 1
            try:
                await self._lit.wait()
            finally:
                self.waiting -= 1
        if self.latency:
            await asyncio.sleep(self.latency)
