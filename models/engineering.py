"""Engineering issues linked to tickets (bot/engineering/)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.tickets import Ticket


class IssueLink(Model):
    """A ticket linked to an engineering issue: several tickets may link one issue (by its `issue_key`)."""

    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="issue_links", on_delete=fields.CASCADE
    )
    ticket_id: int
    provider = fields.CharField(max_length=16)  # github | jira | linear
    issue_key = fields.CharField(max_length=200)  # bot/engineering/urls.py: one key per issue
    url = fields.CharField(max_length=500)
    linked_by = fields.CharField(max_length=32)
    linked_at = fields.DatetimeField()

    class Meta:
        table = "issue_links"
        unique_together = (("ticket_id", "issue_key"),)
        indexes = (("issue_key",),)
