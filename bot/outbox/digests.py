"""Scheduled digests: the SLA report (with its chart and CSV) sent on the policy's cron, once per run.

Each digest's next run is a durable job (one pending per digest, whichever replica scheduled it); a run
missed while no bot was running goes out once when one comes back, marked late, and the next run is
counted from then, so a week offline does not send a week of digests.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.jobs.kinds import DigestDue
from bot.jobs.queue import JobQueue
from bot.notifier import Notifier
from bot.policy import Policy
from bot.policy.digests import DigestSpec
from bot.reports.digests import next_run, period_for
from bot.services.deliveries import Deliveries
from bot.services.reporting import Reporting
from models import Job

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=10)


@dataclass
class Digests:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    reporting: Reporting
    notifier: Notifier
    deliveries: Deliveries

    def _spec(self, key: str) -> DigestSpec | None:
        return next((spec for spec in self.policy.digests if spec.key == key), None)

    async def schedule_all(self) -> None:
        """At start: each digest has its next run pending (an overdue one is kept, and fires late)."""
        now = self.clock.now()
        async with self.jobs.transaction():
            for spec in self.policy.digests:
                run_at = next_run(spec, now)
                await self.jobs.enqueue(DigestDue(digest=spec.key, run_at=run_at.isoformat()), due_at=run_at)

    async def run(self, due: DigestDue, job: Job) -> None:
        spec = self._spec(due.digest)
        if spec is None:
            log.info("digest %s is no longer in the policy; its run is dropped", due.digest)
            return
        run_at = datetime.fromisoformat(due.run_at)
        now = self.clock.now()
        late = self.jobs.missed_while_down(job.due_at) or now - run_at > LATE_AFTER
        start, end = period_for(spec, run_at)
        zone = ZoneInfo(spec.timezone)
        label = f"the {spec.period} to {end.astimezone(zone):%d %b %Y}"
        bundle = await self.reporting.bundle(start, end, label, timezone=spec.timezone)
        text = bundle.text
        if late:
            due_local = run_at.astimezone(zone)
            text += f"\n_Late: it was due {due_local:%a %d %b %H:%M %Z}, when Secondline was not running._"
        files: list[tuple[str, str | bytes]] = [
            (f"{bundle.filename}.png", bundle.png),
            (f"{bundle.filename}.csv", bundle.csv),
        ]
        for to in spec.to:
            marker = f"digest:{due.digest}:{due.run_at}:{to}"
            if await self.deliveries.seen(marker):
                continue  # sent before a retry of this run
            await self.notifier.send_report(to, text, files)
            await self.deliveries.first_time(marker)
        log.info(
            "digest %s for %s sent to %s%s",
            due.digest,
            due.run_at,
            ", ".join(spec.to),
            " (late)" if late else "",
        )
        following = next_run(spec, max(run_at, now))
        async with self.jobs.transaction():
            await self.jobs.enqueue(
                DigestDue(digest=due.digest, run_at=following.isoformat()), due_at=following
            )
