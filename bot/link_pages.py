"""What the customer-facing mail links share: a MAC keyed from a secret setting under each link kind's own
label (so one kind's token never passes for another's), and the small HTML page that answers a link."""

from __future__ import annotations

import base64
import hashlib
import hmac
import html

from aiohttp import web


class LabelledMac:
    """HMAC-SHA256 under a key derived from `secret` and `label`, cut to 18 bytes, URL-safe base64."""

    def __init__(self, secret: str, label: bytes) -> None:
        self._key = hmac.new(secret.encode(), label, hashlib.sha256).digest()

    def mac(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def valid(self, text: str, mac: str) -> bool:
        return hmac.compare_digest(mac.encode(), self.mac(text).encode())


def page(title: str, body: str, status: int = 200) -> web.Response:
    """A small HTML page (`body` is already escaped HTML); never indexed."""
    text = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="robots" content="noindex"><title>{html.escape(title)}</title></head>'
        f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>"
    )
    return web.Response(status=status, text=text, content_type="text/html")
