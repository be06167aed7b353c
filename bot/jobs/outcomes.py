"""How a job attempt can end other than by succeeding; the worker treats each differently."""

from __future__ import annotations

from contextvars import ContextVar

# True while the worker runs a job: a spent rate budget then defers the job instead of making it wait.
IN_JOB: ContextVar[bool] = ContextVar("in_job", default=False)


class Deferred(Exception):
    """Not a failure: the job waits its turn (a rate budget is spent) and runs again after `after` s."""

    def __init__(self, reason: str, after: float) -> None:
        super().__init__(reason)
        self.after = after


class RetryLater(Exception):
    """A passing failure (Slack 429/5xx, network, a timeout): retried with backoff; `after` is the wait
    Slack asked for (Retry-After), if it said."""

    def __init__(self, reason: str, after: float | None = None) -> None:
        super().__init__(reason)
        self.after = after


class Permanent(Exception):
    """Retrying cannot help (a missing channel, a revoked token, invalid blocks): the job ends as failed.

    `code` is short and stable (Slack's error code, say), for metrics and for telling people what to fix.
    """

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
