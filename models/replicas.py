"""Running bot processes, as each last said it was alive: how many share Slack's rate budgets."""

from __future__ import annotations

from datetime import datetime

from tortoise import fields
from tortoise.models import Model


class Replica(Model):
    """A running bot process, as it last said it was alive (rows not refreshed in time are forgotten)."""

    id = fields.CharField(max_length=32, primary_key=True)
    seen_at = fields.DatetimeField()

    class Meta:
        table = "replicas"

    @classmethod
    async def beat(cls, replica: str, now: datetime, window_start: datetime) -> int:
        """Say `replica` is alive at `now`; the replicas seen since `window_start`, this one included."""
        if not await cls.filter(id=replica).update(seen_at=now):
            await cls.create(id=replica, seen_at=now)
        await cls.filter(seen_at__lt=window_start).delete()
        return await cls.all().count()
