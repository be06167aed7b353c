"""Operators hear about what only they can fix (an archived channel, a revoked token) by DM, once an hour
per kind of problem, whichever replica saw it: the people on the first escalation level."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.clock import Clock
from bot.jobs.kinds import AlertOperators
from bot.jobs.queue import JobQueue
from bot.notifier import Notifier
from bot.services.deliveries import Deliveries
from bot.services.directory import Directory
from bot.text import escape
from models import Job

log = logging.getLogger(__name__)


@dataclass
class OperatorAlerts:
    clock: Clock
    jobs: JobQueue
    notifier: Notifier
    directory: Directory
    deliveries: Deliveries

    async def raise_alert(self, code: str, text: str) -> None:
        async with self.jobs.transaction():
            await self.jobs.enqueue(AlertOperators(code=code, text=text))

    async def send(self, alert: AlertOperators, _: Job) -> None:
        hour = self.clock.now().strftime("%Y%m%d%H")
        if not await self.deliveries.first_time(f"alert:{alert.code}:{hour}"):
            return  # told within this hour already
        levels = self.directory.levels()
        people = await self.directory.recipients(levels[0], self.clock.now()) if levels else []
        text = f":warning: *Secondline needs an operator*: {escape(alert.text)}"
        for person in people:
            await self.notifier.dm(person, {"text": text}, urgent=True)
        log.warning("operators (%s) told: %s", ", ".join(people) or "nobody on the first level", alert.text)
