"""Paid support: time entries are the only stored facts; balances and charges are computed from them
(docs/ARCHITECTURE.md, decision 12). An issued statement is kept exactly as it was issued."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.tickets import Ticket


class TimeEntry(Model):
    """Minutes one agent worked on one ticket on one day, and who recorded it when."""

    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="time_entries", on_delete=fields.CASCADE
    )
    ticket_id: int
    customer = fields.CharField(max_length=64)  # the ticket's, so a customer's entries are one indexed read
    agent = fields.CharField(max_length=32)
    minutes = fields.IntField()
    worked_on = fields.DateField()
    note = fields.CharField(max_length=500, default="")
    logged_by = fields.CharField(max_length=32)
    logged_at = fields.DatetimeField()

    class Meta:
        table = "time_entries"
        indexes = (("customer", "worked_on"), ("ticket_id",))


class IssuedStatement(Model):
    """A month's statement as issued: frozen, and the month's entries can no longer change."""

    id = fields.BigIntField(primary_key=True)
    customer = fields.CharField(max_length=64)
    month = fields.CharField(max_length=7)  # YYYY-MM
    issued_at = fields.DatetimeField()
    issued_by = fields.CharField(max_length=32)
    csv = fields.TextField()
    json = fields.TextField()

    class Meta:
        table = "issued_statements"
        unique_together = (("customer", "month"),)


class WithdrawnStatement(Model):
    """An issued statement a lead or manager withdrew: the copy as issued, who issued and who withdrew it.

    Withdrawing reopens the month's time; the next issue of the month names what it replaces.
    """

    id = fields.BigIntField(primary_key=True)
    customer = fields.CharField(max_length=64)
    month = fields.CharField(max_length=7)  # YYYY-MM
    issued_at = fields.DatetimeField()
    issued_by = fields.CharField(max_length=32)
    withdrawn_at = fields.DatetimeField()
    withdrawn_by = fields.CharField(max_length=32)
    reason = fields.CharField(max_length=300, default="")
    csv = fields.TextField()
    json = fields.TextField()

    class Meta:
        table = "withdrawn_statements"
        indexes = (("customer", "month"),)


class DepositAlert(Model):
    """An alert sent about a deposit: one row per customer, payment and level, so each is sent once
    across restarts and replicas (the unique key is the guard; the row is written with its messages)."""

    id = fields.BigIntField(primary_key=True)
    customer = fields.CharField(max_length=64)
    payment = fields.CharField(max_length=40)  # the last payment when sent: `2026-11-02/500.00`
    level = fields.CharField(max_length=16)  # a percentage of that payment, or `minimum`
    sent_at = fields.DatetimeField()

    class Meta:
        table = "deposit_alerts"
        unique_together = (("customer", "payment", "level"),)
