"""Periodic clean-up: forget old Slack event ids and long-failed jobs, then schedule the next round."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.jobs.kinds import Housekeeping as HousekeepingJob
from bot.jobs.queue import JobQueue
from bot.services.deliveries import Deliveries
from models import Job

log = logging.getLogger(__name__)

EVERY = timedelta(hours=6)
KEEP_FAILED_JOBS = timedelta(days=30)  # long enough for an operator to look at what failed and why


@dataclass
class Housekeeping:
    clock: Clock
    jobs: JobQueue
    deliveries: Deliveries

    async def schedule(self, at: datetime | None = None) -> None:
        """One pending housekeeping job at a time, whichever replica queued it."""
        async with self.jobs.transaction():
            await self.jobs.enqueue(HousekeepingJob(), due_at=at)

    async def run(self, _: HousekeepingJob, job: Job) -> None:
        events = await self.deliveries.forget_old()
        failed = await self.jobs.forget_failed(self.clock.now() - KEEP_FAILED_JOBS)
        log.info("housekeeping: forgot %d old Slack event ids and %d old failed jobs", events, failed)
        await self.schedule(self.clock.now() + EVERY)
