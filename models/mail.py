"""E-mail: every message that came in (stored before anything acts on it), every one Secondline sent (so
replies can be matched to their ticket), and when an address was last given a courtesy answer."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class InboundMail(Model):
    """One received message. `message_id` is unique, so a webhook retried, a second replica or a restart
    never takes it twice; for mail read over IMAP, so is (mailbox, uidvalidity, uid)."""

    id = fields.BigIntField(primary_key=True)
    message_id = fields.CharField(max_length=255, unique=True)
    via = fields.CharField(max_length=16)  # webhook | postmark | mailgun | sendgrid | imap
    mailbox = fields.CharField(max_length=200, null=True)
    uidvalidity = fields.BigIntField(null=True)
    uid = fields.BigIntField(null=True)
    content = fields.BinaryField()  # the message as received (RFC 5322 bytes)
    sender = fields.CharField(max_length=254, default="")
    subject = fields.CharField(max_length=300, default="")
    cc: list[str] = fields.JSONField(default=list)
    state = fields.CharField(max_length=16, default="new")  # new | done
    outcome = fields.CharField(max_length=200, default="")  # what it did: "ticket", "reply", "ignored: …"
    ticket: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Ticket", related_name="mails_in", null=True, on_delete=fields.SET_NULL
    )
    ticket_id: int | None
    received_at = fields.DatetimeField()

    class Meta:
        table = "inbound_mail"
        unique_together = (("mailbox", "uidvalidity", "uid"),)
        indexes = (("ticket_id", "received_at"),)


class OutboundMail(Model):
    """One message Secondline sends (written when it is queued): its Message-ID matches replies."""

    id = fields.BigIntField(primary_key=True)
    message_id = fields.CharField(max_length=255, unique=True)
    ticket: fields.ForeignKeyNullableRelation[Any] = fields.ForeignKeyField(
        "models.Ticket", related_name="mails_out", null=True, on_delete=fields.SET_NULL
    )
    ticket_id: int | None
    to: list[str] = fields.JSONField(default=list)
    subject = fields.CharField(max_length=300)
    kind = fields.CharField(max_length=24)  # ack | claimed | waiting | resolved | reply | answer | …
    body = fields.TextField(default="")
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "outbound_mail"
        indexes = (("ticket_id", "created_at"),)


class MailCourtesy(Model):
    """When an address last got an answer that raises no ticket (not a key user, unknown, plan without
    e-mail): at most one a day, however often they write."""

    address = fields.CharField(max_length=254, primary_key=True)
    answered_at = fields.DatetimeField()

    class Meta:
        table = "mail_courtesy"
