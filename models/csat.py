"""Customer satisfaction: the one "How did we do?" question a resolved ticket's reporter is asked."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class CsatSurvey(Model):
    """One per ticket, made when the question is asked, filled in by the answer (score 1-5, comment)."""

    id = fields.BigIntField(primary_key=True)
    ticket_id = fields.IntField(
        unique=True
    )  # asked once per ticket, even if it is reopened and resolved again
    customer = fields.CharField(max_length=64)
    person = fields.CharField(
        max_length=254
    )  # the reporter: a Slack user id, or the address of an e-mail ticket
    team_id = fields.CharField(
        max_length=32, null=True
    )  # the reporter's organisation, when known (a shared channel)
    place = fields.CharField(max_length=16)  # where they were asked: "dm", "thread", "email"
    asked_at = fields.DatetimeField()
    score = fields.SmallIntField(null=True)
    comment = fields.TextField(default="")
    answered_at = fields.DatetimeField(null=True)  # the first answer: changes are taken for 7 days after it
    changed_at = fields.DatetimeField(null=True)
    lead_told_at = fields.DatetimeField(null=True)  # a low score's alert, sent once

    class Meta:
        table = "csat_surveys"
        indexes = (("person", "asked_at"), ("customer", "asked_at"))
