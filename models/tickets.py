"""Tickets and their append-only event log."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

REF_PREFIX = "SUP-"


class TicketStatus(StrEnum):
    OPEN = "open"  # raised, maybe claimed, being worked
    WAITING = "waiting"  # waiting on the customer: the resolution clock is paused
    RESOLVED = "resolved"


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.CharField(max_length=64)
    plan = fields.CharField(max_length=64)
    priority = fields.CharField(max_length=2)
    environment = fields.CharField(max_length=16)
    title = fields.CharField(max_length=150)
    description = fields.TextField()
    tried = fields.TextField(default="")
    reporter_id = fields.CharField(max_length=32)
    status = fields.CharEnumField(TicketStatus, default=TicketStatus.OPEN, max_length=16)
    owner_id = fields.CharField(max_length=32, null=True)
    claimed_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    channel_id = fields.CharField(max_length=32, null=True)
    message_ts = fields.CharField(max_length=32, null=True)
    first_response_due = fields.DatetimeField(null=True)
    resolution_due = fields.DatetimeField(null=True)
    # Bumped on every state change, so a timer scheduled for an older state can tell it is stale.
    version = fields.IntField(default=0)
    # The targets and ladder in force when the ticket was raised (DESIGN decision 4).
    policy: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    events: fields.ReverseRelation[TicketEvent]

    class Meta:
        table = "tickets"
        indexes = (("status", "customer"),)

    @property
    def ref(self) -> str:
        return f"{REF_PREFIX}{self.id}"


class TicketEvent(Model):
    """Who did what to a ticket, and when. Rows are only ever added."""

    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="events", on_delete=fields.CASCADE
    )
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=32, null=True)  # Slack user id; None for the bot itself
    kind = fields.CharField(max_length=32)
    detail: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "ticket_events"
        indexes = (("ticket_id", "at"),)
