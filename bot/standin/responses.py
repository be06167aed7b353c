"""``response_url``s: where an app answers a slash command, shortcut or click, even outside its channels.

Slack gives each such request a URL that takes JSON (``text``, ``blocks``, ``response_type``
``ephemeral``/``in_channel``, ``replace_original``, ``delete_original``) at most 5 times within 30
minutes. The stand-in hands out URLs on itself, records what is posted to them, and enforces both limits
on its clock.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.standin.chat import Chat
from bot.standin.errors import SlackError
from bot.standin.ids import BOT_ID
from bot.standin.validation import check_message

MAX_USES = 5
LIFETIME = 30 * 60.0  # seconds


@dataclass
class _Url:
    user: str | None
    channel: str | None
    message_ts: str | None  # the message a click came from: what replace/delete_original act on
    created: float
    uses: int = 0


@dataclass
class Response:
    """One answer posted to a response URL."""

    url: str
    user: str | None
    channel: str | None
    body: dict[str, Any]
    at: float

    @property
    def response_type(self) -> str:
        return str(self.body.get("response_type") or "ephemeral")

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")


class ResponseUrls:
    def __init__(self, clock: Callable[[], float], chat: Chat, root: Callable[[], str]) -> None:
        self.clock = clock
        self.chat = chat
        self.root = root  # "http://127.0.0.1:<port>/response/", known once started
        self.responses: list[Response] = []
        self._urls: dict[str, _Url] = {}

    def reset(self) -> None:
        self.responses.clear()
        self._urls.clear()

    def new(self, user: str | None = None, channel: str | None = None, message_ts: str | None = None) -> str:
        url_id = secrets.token_urlsafe(12)
        self._urls[url_id] = _Url(user, channel, message_ts, self.clock())
        return self.root() + url_id

    def post(self, url_id: str, body: Any) -> tuple[int, dict[str, Any]]:
        """Answers (HTTP status, JSON) as Slack does for a response URL."""
        url = self._urls.get(url_id)
        if url is None:
            return 404, {"ok": False, "error": "no_service"}
        if self.clock() - url.created > LIFETIME:
            return 404, {"ok": False, "error": "expired_url"}
        if url.uses >= MAX_USES:
            return 404, {"ok": False, "error": "used_url"}
        if not isinstance(body, dict):
            return 400, {"ok": False, "error": "invalid_payload"}
        try:
            check_message(body, required=not body.get("delete_original"))
        except SlackError as exc:
            return 400, exc.answer()
        url.uses += 1
        self.responses.append(Response(self.root() + url_id, url.user, url.channel, body, self.clock()))
        self._apply(url, body)
        return 200, {"ok": True}

    def _apply(self, url: _Url, body: dict[str, Any]) -> None:
        """What the people in the conversation see change: the original message, or a new one."""
        original = self.chat.messages.get((url.channel or "", url.message_ts or ""))
        ours = original is not None and original.get("bot_id") == BOT_ID
        if body.get("delete_original") and ours and url.channel and url.message_ts:
            del self.chat.messages[(url.channel, url.message_ts)]
        elif body.get("replace_original") and ours and original is not None and url.channel:
            replaced: dict[str, Any] = {k: body[k] for k in ("text", "blocks", "attachments") if k in body}
            message = {**original, **replaced}
            self.chat.store(url.channel, str(url.message_ts), message)
        elif body.get("response_type") == "in_channel" and url.channel:
            self.chat.post_as_bot(url.channel, body)
