"""Slack event ids already handled: Slack redelivers events, Bolt does not de-duplicate."""

from tortoise import fields
from tortoise.models import Model


class ProcessedEvent(Model):
    event_id = fields.CharField(max_length=64, primary_key=True)
    at = fields.DatetimeField()

    class Meta:
        table = "processed_events"
