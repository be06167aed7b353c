"""What listeners are handed: the policy, the clock, the services and the notifier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.clock import Clock
from bot.config import Policy
from bot.home import HomeBuilder
from bot.notifier import Notifier
from bot.services.deliveries import Deliveries
from bot.services.directory import Directory
from bot.services.escalation import EscalationService
from bot.services.sla import SlaService
from bot.services.tickets import TicketService


def where(body: dict[str, Any]) -> str | None:
    """The channel a request came from, if it has one (App Home clicks do not)."""
    channel = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if not channel:
        channel = (body.get("container") or {}).get("channel_id")
    return str(channel) if channel else None


@dataclass(frozen=True)
class Deps:
    policy: Policy
    clock: Clock
    tickets: TicketService
    sla: SlaService
    notifier: Notifier
    deliveries: Deliveries
    directory: Directory
    escalation: EscalationService
    home: HomeBuilder
