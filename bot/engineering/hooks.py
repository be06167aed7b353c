"""Webhook deliveries from GitHub, Jira and Linear: verified, then read into what happened to which issue.

Pure functions of the raw body and headers; bot/engineering/web.py answers HTTP, bot/services/engineering.py
acts. What counts as "shipped": a GitHub issue closed as completed or a pull request merged, a Jira issue
whose status is in the done category, a Linear issue whose state is of type `completed`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.engineering.urls import Recogniser

DELIVERY_ID_MAX = 48  # ProcessedEvent ids are 64 characters with "hook:<provider>:"; longer ids are hashed
RELEASE_MAX = 300


class Malformed(Exception):
    """A verified delivery we cannot read: answered 400."""


class Happened(StrEnum):
    SHIPPED = "shipped"  # closed as completed, merged, done
    REOPENED = "reopened"
    NOT_PLANNED = "not_planned"  # closed as not planned, closed unmerged, cancelled, won't do
    OTHER = "other"  # anything else: ignored


@dataclass(frozen=True)
class IssueNews:
    provider: str
    delivery_id: str  # unique per delivery (a redelivery repeats it)
    issue_key: str | None  # bot/engineering/urls.py's key; None when the delivery is not about an issue
    happened: Happened
    release: str | None = None  # a milestone or fix version, for the key user

    @property
    def dedupe_id(self) -> str:
        raw = self.delivery_id
        if len(raw) > DELIVERY_ID_MAX:
            raw = hashlib.sha256(raw.encode()).hexdigest()[:DELIVERY_ID_MAX]
        return f"hook:{self.provider}:{raw}"


def hmac_hex(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_signed(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """`X-Hub-Signature-256: sha256=<hex>`, compared in constant time."""
    given = headers.get("X-Hub-Signature-256", "")
    return hmac.compare_digest(given.encode(), f"sha256={hmac_hex(secret, body)}".encode())


def linear_signed(secret: str, body: bytes, headers: Mapping[str, str]) -> bool:
    """`Linear-Signature: <hex>`, compared in constant time."""
    given = headers.get("Linear-Signature", "").strip().lower()
    return hmac.compare_digest(given.encode(), hmac_hex(secret, body).encode())


def secret_matches(secret: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), secret.encode())


def _json(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(f"the body is not JSON ({exc})") from exc
    if not isinstance(payload, dict):
        raise Malformed("the body is not a JSON object")
    return payload


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed(f"{where} is missing or not an object")
    return value


def _text(value: Any) -> str | None:
    return value.strip()[:RELEASE_MAX] if isinstance(value, str) and value.strip() else None


def github(body: bytes, headers: Mapping[str, str], recognise: Recogniser) -> IssueNews:
    delivery = headers.get("X-GitHub-Delivery", "").strip()
    event = headers.get("X-GitHub-Event", "").strip()
    if not delivery or not event:
        raise Malformed("X-GitHub-Delivery and X-GitHub-Event are required")
    payload = _json(body)
    if event not in ("issues", "pull_request"):
        return IssueNews("github", delivery, None, Happened.OTHER)  # ping and the rest: nothing to do
    item = _object(payload.get(event.removesuffix("s")), event.removesuffix("s"))
    html_url = item.get("html_url")
    if not isinstance(html_url, str):
        raise Malformed(f"{event.removesuffix('s')}.html_url is missing")
    ref = recognise.parse(html_url)
    if ref is None or ref.provider != "github":  # a host we do not know: no ticket can link it
        return IssueNews("github", delivery, None, Happened.OTHER)
    action = payload.get("action")
    happened = Happened.OTHER
    if action == "reopened":
        happened = Happened.REOPENED
    elif action == "closed" and event == "issues":
        reason = item.get("state_reason")
        happened = Happened.SHIPPED if reason == "completed" else Happened.NOT_PLANNED
    elif action == "closed":
        happened = Happened.SHIPPED if item.get("merged") is True else Happened.NOT_PLANNED
    milestone = item.get("milestone")
    release = _text(milestone.get("title")) if isinstance(milestone, dict) else None
    return IssueNews("github", delivery, ref.key, happened, release)


JIRA_NOT_DONE = {"won't do", "won't fix", "duplicate", "cannot reproduce", "declined"}


def jira(body: bytes, headers: Mapping[str, str]) -> IssueNews:
    payload = _json(body)
    issue = _object(payload.get("issue"), "issue")
    key = issue.get("key")
    if not isinstance(key, str) or not key.strip():
        raise Malformed("issue.key is missing")
    delivery = headers.get("X-Atlassian-Webhook-Identifier", "").strip()
    if not delivery:
        timestamp, issue_id = payload.get("timestamp"), issue.get("id")
        if timestamp is None or issue_id is None:
            raise Malformed("no X-Atlassian-Webhook-Identifier, and no timestamp and issue.id to stand in")
        delivery = f"{timestamp}:{issue_id}"
    fields = _object(issue.get("fields"), "issue.fields")
    status = fields.get("status") if isinstance(fields.get("status"), dict) else {}
    category = (status.get("statusCategory") or {}) if isinstance(status, dict) else {}
    done = isinstance(category, dict) and category.get("key") == "done"
    resolution = fields.get("resolution")
    resolution_name = str(resolution.get("name", "")).lower() if isinstance(resolution, dict) else ""
    changes = (
        (payload.get("changelog") or {}).get("items") if isinstance(payload.get("changelog"), dict) else []
    )
    cleared = any(
        isinstance(c, dict) and c.get("field") == "resolution" and c.get("to") is None and c.get("from")
        for c in changes or []
    )
    happened = Happened.OTHER
    if payload.get("webhookEvent") == "jira:issue_updated":
        if done:
            happened = Happened.NOT_PLANNED if resolution_name in JIRA_NOT_DONE else Happened.SHIPPED
        elif cleared:  # Jira clears the resolution when an issue is reopened
            happened = Happened.REOPENED
    versions = fields.get("fixVersions")
    names = [v.get("name") for v in versions if isinstance(v, dict)] if isinstance(versions, list) else []
    release = _text(", ".join(n for n in names if isinstance(n, str)))
    return IssueNews("jira", delivery, f"jira:{key.strip().upper()}", happened, release)


def linear(body: bytes, headers: Mapping[str, str], recognise: Recogniser) -> IssueNews:
    payload = _json(body)
    delivery = headers.get("Linear-Delivery", "").strip()
    if not delivery:
        if not payload.get("webhookId") or not payload.get("createdAt"):
            raise Malformed("no Linear-Delivery header, and no webhookId and createdAt to stand in")
        delivery = f"{payload['webhookId']}:{payload['createdAt']}"
    if payload.get("type") != "Issue":
        return IssueNews("linear", delivery, None, Happened.OTHER)
    data = _object(payload.get("data"), "data")
    url, identifier = data.get("url"), data.get("identifier")
    ref = recognise.parse(url) if isinstance(url, str) else None
    if ref is not None and ref.provider == "linear":
        key = ref.key
    elif isinstance(identifier, str) and identifier.strip():
        key = f"linear:{identifier.strip().upper()}"
    else:
        raise Malformed("data.url or data.identifier must name the issue")
    state = data.get("state") if isinstance(data.get("state"), dict) else {}
    kind = state.get("type") if isinstance(state, dict) else None
    before = payload.get("updatedFrom") if isinstance(payload.get("updatedFrom"), dict) else {}
    happened = Happened.OTHER
    if payload.get("action") == "update":
        if kind == "completed":
            happened = Happened.SHIPPED
        elif kind == "canceled":
            happened = Happened.NOT_PLANNED
        elif isinstance(before, dict) and before.get("completedAt") and not data.get("completedAt"):
            happened = Happened.REOPENED
    return IssueNews("linear", delivery, key, happened, None)
