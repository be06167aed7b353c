"""Published answers: customer-facing resolution notes made into a shared knowledge base, and the requests
they deflected. The full-text index beside `answers` is created by migration 0016 (FTS5 / tsvector)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Answer(Model):
    """A resolution note an engineer chose to publish. Only title and text are ever shown to customers:
    `ticket_id` stays internal (which customer's ticket it came from is never shown)."""

    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=200)
    text = fields.TextField()
    language = fields.CharField(max_length=32, default="english")  # the plan's language: the FTS config
    published_by = fields.CharField(max_length=32)
    published_at = fields.DatetimeField()
    ticket_id = fields.IntField(null=True)  # internal: where it came from
    withdrawn = fields.BooleanField(default=False)
    edited_by = fields.CharField(max_length=32, null=True)
    edited_at = fields.DatetimeField(null=True)

    class Meta:
        table = "answers"


class Deflection(Model):
    """A request a key user said a published answer solved, instead of raising a ticket."""

    id = fields.BigIntField(primary_key=True)
    customer = fields.CharField(max_length=64)
    person = fields.CharField(max_length=254)
    answer_id = fields.BigIntField()
    at = fields.DatetimeField()

    class Meta:
        table = "deflections"
        indexes = (("customer", "at"),)
