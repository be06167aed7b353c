"""Remembers which Slack event ids were handled, so redeliveries do nothing twice."""

from __future__ import annotations

from datetime import timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q

from bot.clock import Clock
from models import ProcessedEvent

KEEP_FOR = timedelta(days=2)  # Slack redelivers within minutes; two days is plenty
# Kept for good: a customer channel's how-to is posted once, and each newcomer greeted once (Slack Connect).
KEPT = ("howto:", "greet:")


class Deliveries:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def first_time(self, event_id: str) -> bool:
        """True the first time an event id is seen; the primary key makes this race-free across replicas."""
        try:
            await ProcessedEvent.create(event_id=event_id, at=self.clock.now())
        except IntegrityError:
            return False
        return True

    async def seen(self, event_id: str) -> bool:
        return await ProcessedEvent.exists(event_id=event_id)

    async def forget_old(self) -> int:
        kept = [~Q(event_id__startswith=prefix) for prefix in KEPT]
        return await ProcessedEvent.filter(*kept, at__lt=self.clock.now() - KEEP_FOR).delete()
