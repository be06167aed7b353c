"""What listeners are handed: the policy, the clock, the services and the notifier."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Policy
from bot.notifier import Notifier
from bot.services.deliveries import Deliveries
from bot.services.tickets import TicketService


@dataclass(frozen=True)
class Deps:
    policy: Policy
    clock: Clock
    tickets: TicketService
    notifier: Notifier
    deliveries: Deliveries
