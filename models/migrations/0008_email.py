from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0007_sla")]

    initial = False

    operations = [
        ops.CreateModel(
            name="InboundMail",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("message_id", fields.CharField(unique=True, max_length=255)),
                ("via", fields.CharField(max_length=16)),
                ("mailbox", fields.CharField(null=True, max_length=200)),
                ("uidvalidity", fields.BigIntField(null=True)),
                ("uid", fields.BigIntField(null=True)),
                ("content", fields.BinaryField()),
                ("sender", fields.CharField(default="", max_length=254)),
                ("subject", fields.CharField(default="", max_length=300)),
                (
                    "cc",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("state", fields.CharField(default="new", max_length=16)),
                ("outcome", fields.CharField(default="", max_length=200)),
                (
                    "ticket",
                    fields.ForeignKeyField(
                        "models.Ticket",
                        source_field="ticket_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="mails_in",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("received_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "inbound_mail",
                "app": "models",
                "unique_together": (("mailbox", "uidvalidity", "uid"),),
                "indexes": [Index(fields=["ticket_id", "received_at"])],
                "pk_attr": "id",
                "table_description": "One received message. `message_id` is unique, so a webhook retried, a second replica or a restart",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MailCourtesy",
            fields=[
                ("address", fields.CharField(primary_key=True, unique=True, db_index=True, max_length=254)),
                ("answered_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "mail_courtesy",
                "app": "models",
                "pk_attr": "address",
                "table_description": "When an address last got an answer that raises no ticket (not a key user, unknown, plan without",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="OutboundMail",
            fields=[
                ("id", fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ("message_id", fields.CharField(unique=True, max_length=255)),
                (
                    "ticket",
                    fields.ForeignKeyField(
                        "models.Ticket",
                        source_field="ticket_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="mails_out",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "to",
                    fields.JSONField(
                        default=list, encoder=functools.partial(dumps, separators=(",", ":")), decoder=loads
                    ),
                ),
                ("subject", fields.CharField(max_length=300)),
                ("kind", fields.CharField(max_length=24)),
                ("body", fields.TextField(default="", unique=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("sent_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={
                "table": "outbound_mail",
                "app": "models",
                "indexes": [Index(fields=["ticket_id", "created_at"])],
                "pk_attr": "id",
                "table_description": "One message Secondline sends (written when it is queued): its Message-ID matches replies.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Ticket",
            name="reporter_email",
            field=fields.CharField(null=True, max_length=254),
        ),
        ops.AddField(
            model_name="Ticket",
            name="source",
            field=fields.CharField(default="slack", db_default="slack", max_length=16),
        ),
    ]
