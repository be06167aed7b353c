"""Durable work: every future or retried action is a row with a due time.

See docs/ARCHITECTURE.md, decision 1.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class JobStatus(StrEnum):
    PENDING = "pending"  # waiting for its due time, or running under a lease
    FAILED = "failed"  # ended for good: Slack said retrying cannot help, or it kept failing for too long


class Job(Model):
    id = fields.BigIntField(primary_key=True)
    kind = fields.CharField(max_length=32)  # a kind declared in bot/jobs/kinds.py
    ticket_id = fields.IntField(null=True)
    due_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    # A worker owns the job until this instant; a crashed worker's lease simply runs out.
    lease_until = fields.DatetimeField(null=True)
    payload: dict[str, Any] = fields.JSONField(default=dict)
    last_error = fields.TextField(null=True)
    # At most one pending job per key (e.g. one redraw per ticket); None means no coalescing.
    dedupe_key = fields.CharField(max_length=128, null=True, unique=True)
    created_at = fields.DatetimeField()
    status = fields.CharEnumField(JobStatus, default=JobStatus.PENDING, max_length=16, db_default="pending")
    failed_at = fields.DatetimeField(null=True)
    error_code = fields.CharField(max_length=48, null=True)  # why it failed for good (Slack's error code)
    # Jobs of one topic may be sent together, e.g. "dm:U0KEY1" for several notices to one person.
    topic = fields.CharField(max_length=64, null=True)

    class Meta:
        table = "jobs"
        indexes = (("status", "due_at"), ("topic", "status"))  # pending work in due order, and by topic
