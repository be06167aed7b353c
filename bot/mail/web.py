"""The webhook ways in: a raw message (`POST /email/inbound`), and the inbound formats of Postmark,
Mailgun and SendGrid. A wrong token or signature is 401 and stores nothing; a message is answered 200 only
once it is stored; what is not a message is 400, never a 5xx."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from aiohttp import web
from aiohttp.web_request import FileField

from bot import clock as clock_module
from bot.mail.inbound import Duplicate, MailIntake
from bot.mail.parse import MalformedMail
from bot.services.deliveries import Deliveries

log = logging.getLogger(__name__)

MAX_REQUEST = 40 * 1024 * 1024  # a 25 MB message, base64-encoded in a provider's JSON, with room to spare
MAILGUN_MAX_AGE = timedelta(days=2)  # as long as replayed tokens are remembered (bot/services/deliveries.py)

Handler = Callable[[web.Request], Awaitable[web.Response]]


def _refused(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=401)


def _malformed(reason: str) -> web.Response:
    return web.json_response({"error": f"not a message: {reason}"}, status=400)


def _bearer_ok(request: web.Request, token: str) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _basic_ok(request: web.Request, token: str) -> bool:
    """Basic auth with the token as password (the user name is free: providers put both in the URL)."""
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    password = decoded.partition(":")[2]
    return hmac.compare_digest(password.encode(), token.encode())


def _field_bytes(value: object) -> bytes:
    """A form field's bytes, whether it came as a file part or as text."""
    if isinstance(value, FileField):
        return bytes(value.file.read())
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value or "").encode()


def postmark_message(data: Any) -> bytes:
    """Postmark's inbound JSON back into an RFC 5322 message, headers, bodies and attachments included."""
    if not isinstance(data, dict):
        raise MalformedMail("the JSON is not an object")
    sender = data.get("FromFull") if isinstance(data.get("FromFull"), dict) else None
    address = str((sender or {}).get("Email") or data.get("From") or "").strip()
    if "@" not in address:
        raise MalformedMail("no From address")
    message = EmailMessage()
    headers = data.get("Headers") or []
    if not isinstance(headers, list):
        raise MalformedMail("Headers is not a list")
    skip = {"from", "to", "cc", "subject", "content-type", "mime-version", "content-transfer-encoding"}
    for header in headers:
        if isinstance(header, dict) and header.get("Name") and str(header["Name"]).lower() not in skip:
            message[str(header["Name"])] = str(header.get("Value") or "")
    message["From"] = formataddr((str((sender or {}).get("Name") or ""), address))
    for name in ("To", "Cc"):
        if data.get(name):
            message[name] = str(data[name])
    message["Subject"] = str(data.get("Subject") or "")
    if message.get("Message-ID") is None and data.get("MessageID"):
        message["Message-ID"] = f"<{data['MessageID']}@postmark>"
    if data.get("MailboxHash") and data.get("OriginalRecipient"):
        message["X-Original-To"] = str(data["OriginalRecipient"])
    message.set_content(str(data.get("TextBody") or ""))
    if data.get("HtmlBody"):
        message.add_alternative(str(data["HtmlBody"]), subtype="html")
    for attachment in data.get("Attachments") or []:
        if not isinstance(attachment, dict):
            raise MalformedMail("an attachment is not an object")
        try:
            content = base64.b64decode(str(attachment.get("Content") or ""), validate=True)
        except binascii.Error as exc:
            raise MalformedMail("an attachment is not base64") from exc
        maintype, _, subtype = str(attachment.get("ContentType") or "application/octet-stream").partition("/")
        message.add_attachment(
            content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=str(attachment.get("Name") or "attachment"),
        )
    return bytes(message)


def add_routes(
    app: web.Application,
    mail: MailIntake,
    token: str,
    mailgun_key: str | None,
    deliveries: Deliveries,
    clock: clock_module.Clock,
) -> None:
    async def keep(raw: bytes, via: str) -> web.Response:
        try:
            stored = await mail.store(raw, via)
        except MalformedMail as exc:
            return _malformed(str(exc))
        except Duplicate:
            return web.json_response({"ok": True, "stored": "already"})
        return web.json_response({"ok": True, "stored": stored.id})

    async def big(request: web.Request) -> web.Request:
        return request.clone(client_max_size=MAX_REQUEST)

    async def raw(request: web.Request) -> web.Response:
        if not _bearer_ok(request, token):
            return _refused("a Bearer token is required")
        if request.content_type != "message/rfc822":
            return _malformed("Content-Type must be message/rfc822")
        body = await (await big(request)).read()
        if not body.strip():
            return _malformed("empty body")
        return await keep(body, "webhook")

    async def postmark(request: web.Request) -> web.Response:
        if not _basic_ok(request, token):
            return _refused("Basic auth with the webhook token as password is required")
        body = await (await big(request)).read()
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _malformed("the body is not JSON")
        try:
            message = postmark_message(data)
        except MalformedMail as exc:
            return _malformed(str(exc))
        return await keep(message, "postmark")

    async def mailgun(request: web.Request) -> web.Response:
        if mailgun_key is None:
            return _refused("MAILGUN_SIGNING_KEY is not set")
        try:
            form = await (await big(request)).post()
        except ValueError:
            return _malformed("the body is not a form")
        timestamp, tok, signature = (str(form.get(k) or "") for k in ("timestamp", "token", "signature"))
        expected = hmac.new(mailgun_key.encode(), (timestamp + tok).encode(), hashlib.sha256).hexdigest()
        if not (timestamp.isdigit() and tok and hmac.compare_digest(expected, signature)):
            return _refused("bad signature")
        if abs(clock.now().timestamp() - int(timestamp)) > MAILGUN_MAX_AGE.total_seconds():
            return _refused("the signature's timestamp is too old")
        if await deliveries.seen(f"mailgun:{tok}"[:64]):
            return _refused("this token was used already (a replay)")
        content = _field_bytes(form.get("body-mime"))
        if not content.strip():
            return _malformed("no body-mime field")
        answer = await keep(content, "mailgun")
        if answer.status == 200:
            await deliveries.first_time(f"mailgun:{tok}"[:64])
        return answer

    async def sendgrid(request: web.Request) -> web.Response:
        if not _basic_ok(request, token):
            return _refused("Basic auth with the webhook token as password is required")
        try:
            form = await (await big(request)).post()
        except ValueError:
            return _malformed("the body is not a form")
        content = _field_bytes(form.get("email"))
        if not content.strip():
            return _malformed("no email field (tick 'POST the raw, full MIME message')")
        return await keep(content, "sendgrid")

    app.router.add_post("/email/inbound", raw)
    app.router.add_post("/email/inbound/postmark", postmark)
    app.router.add_post("/email/inbound/mailgun/mime", mailgun)
    app.router.add_post("/email/inbound/sendgrid", sendgrid)
