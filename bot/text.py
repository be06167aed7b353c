"""Small text helpers for Slack mrkdwn."""

from __future__ import annotations

from datetime import UTC, datetime


def escape(text: str) -> str:
    """Escape user text for mrkdwn so `<!channel>` or `<@U…>` typed by a user never pings anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut to `limit` characters, marking the cut, never splitting an escape like `&amp;`."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def slack_date(at: datetime, fallback: str | None = None) -> str:
    """A date Slack renders in each viewer's own timezone, with a UTC fallback for old clients."""
    stamp = int(at.timestamp())
    fallback = fallback or at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"
