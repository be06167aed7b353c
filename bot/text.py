"""Small text helpers for Slack mrkdwn."""

from __future__ import annotations

import re
from datetime import UTC, datetime

SLACK_USER = re.compile(r"^[A-Z][A-Z0-9]{2,}$")  # U…, W…: a Slack id, shown as a mention


def escape(text: str) -> str:
    """Escape user text for mrkdwn so `<!channel>` or `<@U…>` typed by a user never pings anyone."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """A Slack user as Slack shows them; anyone else (the customer by e-mail) by name, as plain text."""
    if not SLACK_USER.match(user_id):
        return escape(user_id).capitalize()
    return f"<@{user_id}>"


def slack_date(at: datetime, fallback: str | None = None) -> str:
    """A date Slack renders in each viewer's own timezone, with a UTC fallback for old clients."""
    stamp = int(at.timestamp())
    fallback = fallback or at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"


def person(entry: str) -> str:
    """A person as written in the policy: a mention for a Slack id, the address for an e-mail."""
    return mention(entry) if "@" not in entry else escape(entry)


def unescape(text: str) -> str:
    """Slack's message text as a person typed it: Slack delivers `&`, `<`, `>` encoded (events, message
    shortcuts). Decode once where it comes in; `escape` again where it goes out."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
