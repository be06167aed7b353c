"""Signing and sending requests to the app the way Slack does (v0 signatures, Slackbot's user agent)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any, Protocol, runtime_checkable
from urllib.parse import parse_qsl, urlencode

import aiohttp

from bot.standin.ids import TEAM_ID

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
# What the builders put in ``response_url`` when given none: a made-up Slack URL nobody serves.
PLACEHOLDER_RESPONSE_URL = "https://hooks.slack.com/"

Body = tuple[bytes, str]


def sign(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """Slack's v0 request signature headers for ``body`` (timestamp: now, unless given)."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    base = b"v0:" + str(ts).encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": f"v0={digest}"}


def retry_headers(num: int = 1, reason: str = "http_timeout") -> dict[str, str]:
    """Headers of an Events API redelivery (reasons: http_timeout, http_error, too_many_requests, ...)."""
    return {"X-Slack-Retry-Num": str(num), "X-Slack-Retry-Reason": reason}


@runtime_checkable
class Organisations(Protocol):
    """Who belongs to which organisation (the stand-in's workspace)."""

    def team_of(self, uid: str) -> str: ...


class NotDelivered(Exception):
    """A request Slack never sends: commands, shortcuts and App Home of people of another organisation."""


HOME_ONLY_PAYLOADS = {"shortcut": "a global shortcut", "message_action": "a message shortcut"}


def undeliverable(body: bytes, content_type: str, organisations: Organisations, home_team: str) -> str | None:
    """Why Slack would never send this request (a Slack Connect person's command, shortcut or App Home
    visit), or None."""
    user, what = None, ""
    if content_type == FORM:
        try:
            form = dict(parse_qsl(body.decode(), keep_blank_values=True))
        except (UnicodeDecodeError, ValueError):
            return None
        if form.get("command"):
            user, what = form.get("user_id"), f"the slash command {form['command']}"
        elif "payload" in form:
            try:  # ValueError: a JSON number past Python's digit limit (the fuzz tests send them)
                payload = json.loads(form["payload"])
            except ValueError:
                return None
            kind = payload.get("type") if isinstance(payload, dict) else None
            if isinstance(kind, str) and kind in HOME_ONLY_PAYLOADS:
                user, what = _field(payload, "user", "id"), HOME_ONLY_PAYLOADS[kind]
    elif content_type == JSON:
        try:
            envelope = json.loads(body)
        except ValueError:  # not JSON, not UTF-8, or a number past Python's digit limit
            return None
        event = envelope.get("event") if isinstance(envelope, dict) else None
        if isinstance(event, dict) and event.get("type") == "app_home_opened":
            user, what = str(event.get("user") or ""), "App Home"
    if user and isinstance(user, str) and organisations.team_of(user) != home_team:
        return f"Slack never delivers {what} for {user}, a person of another organisation"
    return None


class ResponseUrlSource(Protocol):
    """Something that hands out response URLs it serves, such as a started SlackStandIn."""

    def new_response_url(
        self, user: str | None = None, channel: str | None = None, message_ts: str | None = None
    ) -> str: ...


class SlackClient:
    """Sends (by default signed) requests to the app's HTTP endpoint, as Slack would.

    With ``response_urls`` (e.g. the stand-in), a request that carries a placeholder ``response_url``
    gets a live one instead, so a test can read what the app answered there (``standin.responses``).
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        signing_secret: str,
        *,
        response_urls: ResponseUrlSource | None = None,
    ) -> None:
        self.session = session
        self.url = url
        self.signing_secret = signing_secret
        self.response_urls = response_urls

    async def send(
        self,
        body: bytes,
        content_type: str,
        headers: dict[str, str] | None = None,
        sign: bool = True,
        timestamp: int | None = None,
        *,
        url: str | None = None,
    ) -> tuple[int, str]:
        """POST ``body``; returns ``(status, response text)``. ``sign=False`` sends no signature headers.

        With a stand-in that knows people's organisations, a request Slack would never send (a Slack
        Connect guest's slash command, shortcut or App Home) raises NotDelivered instead of being sent.
        """
        organisations = self.response_urls
        if isinstance(organisations, Organisations):
            why = undeliverable(body, content_type, organisations, TEAM_ID)
            if why is not None:
                raise NotDelivered(why)
        if self.response_urls is not None and content_type == FORM:
            body = _live_response_url(body, self.response_urls)
        all_headers = {
            "Content-Type": content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        }
        if sign:
            all_headers.update(_sign(self.signing_secret, body, timestamp))
        all_headers.update(headers or {})
        async with self.session.post(url or self.url, data=body, headers=all_headers) as response:
            return response.status, await response.text()


_sign = sign


def _live_response_url(body: bytes, source: ResponseUrlSource) -> bytes:
    """The same request with its placeholder response_url swapped for one ``source`` serves."""
    try:
        fields = parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return body  # not a form Slack would send: leave it as the test built it
    changed = False
    for index, (key, value) in enumerate(fields):
        if key == "response_url" and value.startswith(PLACEHOLDER_RESPONSE_URL):
            form = dict(fields)
            fields[index] = (key, source.new_response_url(form.get("user_id"), form.get("channel_id")))
            changed = True
        elif key == "payload":
            try:
                payload: Any = json.loads(value)
            except ValueError:  # not JSON, or a number past Python's int-string limit
                continue
            if isinstance(payload, dict) and str(payload.get("response_url", "")).startswith(
                PLACEHOLDER_RESPONSE_URL
            ):
                payload["response_url"] = source.new_response_url(
                    _field(payload, "user", "id"),
                    _field(payload, "channel", "id"),
                    _field(payload, "container", "message_ts"),
                )
                fields[index] = (key, json.dumps(payload))
                changed = True
    return urlencode(fields).encode() if changed else body


def _field(payload: dict[str, Any], outer: str, inner: str) -> str | None:
    part = payload.get(outer)
    value = part.get(inner) if isinstance(part, dict) else None
    return str(value) if value else None
