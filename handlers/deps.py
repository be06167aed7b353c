"""What listeners are handed (as the `deps` argument, through Bolt's context): policy, clock, services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.clock import Clock
from bot.notifier import Notifier
from bot.outbox.home import HomeScreen
from bot.policy import Policy
from bot.services.connect import Connect
from bot.services.csat import Satisfaction
from bot.services.deliveries import Deliveries
from bot.services.directory import Directory
from bot.services.engineering import Engineering
from bot.services.incidents import Incidents
from bot.services.intake import Intake
from bot.services.pages import PageActions
from bot.services.queries import TicketQueries
from bot.services.reclassify import Reclassify
from bot.services.replies import CustomerReplies
from bot.services.reporting import Reporting
from bot.services.roles import Roles
from bot.services.sla import SlaService
from bot.services.statements import Statements
from bot.services.timesheet import Timesheet
from bot.services.transitions import Transitions
from bot.shared_reads import SharedReads

TICKET_ID_MAX = 2**31 - 1  # tickets have 32-bit ids (PostgreSQL integer)
ROW_ID_MAX = 2**63 - 1  # pages and time entries have 64-bit ids


def row_id(text: str, largest: int = TICKET_ID_MAX) -> int | None:
    """A database id from what a person or an old payload sent; anything else (a huge number too) is None,
    so it becomes a clear answer rather than an overflow in the database."""
    text = text.strip()
    if not text.isdigit() or len(text) > len(str(largest)):
        return None
    value = int(text)
    return value if 0 < value <= largest else None


def where(body: dict[str, Any]) -> str | None:
    """The channel a request came from, if it has one (App Home clicks do not)."""
    channel = (
        _inner(body, "channel", "id") or body.get("channel_id") or _inner(body, "container", "channel_id")
    )
    return channel if isinstance(channel, str) and channel else None


def _inner(body: dict[str, Any], outer: str, key: str) -> Any:
    """body[outer][key] if body[outer] is an object (a signed request may still hold any shape)."""
    part = body.get(outer)
    return part.get(key) if isinstance(part, dict) else None


def response_url_of(body: dict[str, Any]) -> str | None:
    """Where to answer a command, shortcut or click privately, even outside the bot's channels."""
    url = body.get("response_url")
    if not url:
        urls = body.get("response_urls")
        url = (
            urls[0].get("response_url")
            if isinstance(urls, list) and urls and isinstance(urls[0], dict)
            else None
        )
    # The request is signed by Slack, so its URL is Slack's (a stand-in's in tests and the playground).
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def user_of(body: dict[str, Any]) -> str | None:
    """Who sent a request: interactivity payloads carry `user.id`, commands `user_id`."""
    found = _inner(body, "user", "id") or body.get("user_id")
    return found if isinstance(found, str) and found else None


def actor_team(body: dict[str, Any]) -> str | None:
    """The organisation of whoever acted (T… or E…): `user.team_id` in interactions, else the payload's
    team. A Slack Connect customer's is not the app's workspace; never the envelope's `team_id` of events."""
    user = body.get("user")
    team = user.get("team_id") if isinstance(user, dict) else None
    if not team:
        outer = body.get("team")
        team = outer.get("id") if isinstance(outer, dict) else None
    return str(team) if team else None


@dataclass(frozen=True)
class Deps:
    policy: Policy
    clock: Clock
    roles: Roles
    queries: TicketQueries
    intake: Intake
    transitions: Transitions
    replies: CustomerReplies
    reclassify: Reclassify
    pages: PageActions
    sla: SlaService
    directory: Directory
    notifier: Notifier
    timesheet: Timesheet
    statements: Statements
    reporting: Reporting
    home: HomeScreen
    deliveries: Deliveries
    connect: Connect
    incidents: Incidents
    satisfaction: Satisfaction
    engineering: Engineering | None = None  # engineering issues (bot/services/engineering.py)
    shared_reads: SharedReads = field(default_factory=SharedReads)  # bot/shared_reads.py
