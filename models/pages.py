"""Escalation pages: one row per (ticket, ladder step, person), so nobody is ever paged twice."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.tickets import Ticket


class Page(Model):
    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="pages", on_delete=fields.CASCADE
    )
    ticket_id: int  # the foreign key's column, set by Tortoise
    step_key = fields.CharField(max_length=48)  # e.g. "P1.0", or "request.3" for a key user's request
    level = fields.CharField(max_length=64)
    recipient = fields.CharField(max_length=128)  # Slack user id (e-mails are resolved before paging)
    reason = fields.TextField(default="")
    due_at = fields.DatetimeField()
    created_at = fields.DatetimeField()
    late = fields.BooleanField(default=False)  # fired well after its due time (after a restart, say)
    repeat = fields.IntField(default=0, db_default=0)  # n: the step's n-th repeat (nobody had acknowledged)
    sent_at = fields.DatetimeField(null=True)
    channel_id = fields.CharField(max_length=32, null=True)  # where the page landed: a DM, or the fallback
    message_ts = fields.CharField(max_length=32, null=True)
    fell_back = fields.BooleanField(default=False)  # the DM failed, so it went to the support channel
    # The post-once key (bot/slack/once.py) of the message carrying this page, written before it is posted:
    # pages due together to one person share one DM, and a retry looks for this key before posting again.
    bundle = fields.CharField(max_length=48, null=True)
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by = fields.CharField(max_length=32, null=True)

    class Meta:
        table = "pages"
        unique_together = (("ticket_id", "step_key", "recipient"),)
        indexes = (("recipient", "acknowledged_at"), ("bundle",))
