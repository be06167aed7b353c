"""The error a Web API method answers with: ``{"ok": false, "error": ...}`` and any extra fields."""

from __future__ import annotations

from typing import Any


class SlackError(Exception):
    """Raised by a method handler; the server turns it into Slack's error answer (HTTP 200)."""

    def __init__(self, error: str, messages: list[str] | None = None, **fields: Any) -> None:
        super().__init__(error)
        self.error = error
        self.messages = messages or []
        self.fields = fields  # e.g. missing_scope's ``needed`` and ``provided``

    def answer(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error": self.error, **self.fields}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body
