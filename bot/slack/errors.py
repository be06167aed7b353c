"""Slack's answers sorted into the two kinds that matter: worth retrying, or never going to work."""

from __future__ import annotations

from bot.jobs.outcomes import Permanent, RetryLater

# Slack is limiting or unwell: retry later (with Retry-After when it gave one).
TRANSIENT = frozenset(
    {"ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
# The token or the app's installation is broken: an operator must act, nothing works until then.
BROKEN_INSTALL = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "missing_scope"}
)
# The destination cannot take messages from us: a missing or archived channel, or the bot not in it.
DESTINATION_GONE = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# A DM that can never arrive (the person is gone or cannot be written to).
UNDELIVERABLE_DM = frozenset(
    {
        "cannot_dm_bot",
        "user_not_found",
        "user_disabled",
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "messages_tab_disabled",
        "restricted_action",
    }
)


class SlackRefused(Permanent):
    """Slack answered `ok: false` with an error retrying will not fix."""

    def __init__(self, method: str, error: str, needed: str | None = None) -> None:
        detail = f" (needs the {needed} scope)" if needed else ""
        super().__init__(error, f"{method}: Slack says {error}{detail}")
        self.method = method
        self.error = error
        self.needed = needed


class SlackBusy(RetryLater):
    """Slack was rate-limiting, unwell or unreachable: try again later."""
