from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.tickets import ClockState, TicketStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=32)),
                ('ticket_id', fields.IntField(null=True)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('dedupe_key', fields.CharField(null=True, unique=True, max_length=128)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'jobs', 'app': 'models', 'indexes': [Index(fields=['due_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ProcessedEvent',
            fields=[
                ('event_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'processed_events', 'app': 'models', 'pk_attr': 'event_id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Ticket',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.CharField(max_length=64)),
                ('plan', fields.CharField(max_length=64)),
                ('priority', fields.CharField(max_length=2)),
                ('environment', fields.CharField(max_length=16)),
                ('title', fields.CharField(max_length=150)),
                ('description', fields.TextField(unique=False)),
                ('tried', fields.TextField(default='', unique=False)),
                ('reporter_id', fields.CharField(max_length=32)),
                ('status', fields.CharEnumField(default=TicketStatus.OPEN, description='OPEN: open\nWAITING: waiting\nRESOLVED: resolved', enum_type=TicketStatus, max_length=16)),
                ('owner_id', fields.CharField(null=True, max_length=32)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution', fields.CharField(null=True, max_length=48)),
                ('resolution_note', fields.TextField(default='', unique=False)),
                ('time_spent_minutes', fields.IntField(null=True)),
                ('channel_id', fields.CharField(null=True, max_length=32)),
                ('message_ts', fields.CharField(null=True, max_length=32)),
                ('version', fields.IntField(default=0)),
                ('ladder_epoch', fields.IntField(default=0)),
                ('policy', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tickets', 'app': 'models', 'indexes': [Index(fields=['status', 'customer']), Index(fields=['owner_id', 'status'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Page',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='pages', on_delete=OnDelete.CASCADE)),
                ('step_key', fields.CharField(max_length=48)),
                ('level', fields.CharField(max_length=64)),
                ('recipient', fields.CharField(max_length=128)),
                ('reason', fields.TextField(default='', unique=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('late', fields.BooleanField(default=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('channel_id', fields.CharField(null=True, max_length=32)),
                ('message_ts', fields.CharField(null=True, max_length=32)),
                ('fell_back', fields.BooleanField(default=False)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acknowledged_by', fields.CharField(null=True, max_length=32)),
            ],
            options={'table': 'pages', 'app': 'models', 'unique_together': (('ticket_id', 'step_key', 'recipient'),), 'indexes': [Index(fields=['recipient', 'acknowledged_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SlaClock',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='clocks', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=32)),
                ('target_seconds', fields.IntField()),
                ('state', fields.CharEnumField(default=ClockState.RUNNING, description='RUNNING: running\nPAUSED: paused\nMET: met\nBREACHED: breached', enum_type=ClockState, max_length=16)),
                ('running_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('elapsed_seconds', fields.FloatField(default=0.0)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('breached_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('stopped_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('epoch', fields.IntField(default=0)),
            ],
            options={'table': 'sla_clocks', 'app': 'models', 'unique_together': (('ticket_id', 'name'),), 'indexes': [Index(fields=['name', 'state', 'due_at'])], 'pk_attr': 'id', 'table_description': "One SLA target of one ticket, counted in business time on the ticket's plan calendar."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TicketEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.CharField(null=True, max_length=32)),
                ('kind', fields.CharField(max_length=32)),
                ('detail', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'ticket_events', 'app': 'models', 'indexes': [Index(fields=['ticket_id', 'at'])], 'pk_attr': 'id', 'table_description': 'Who did what to a ticket, and when. Rows are only ever added.'},
            bases=['Model'],
        ),
    ]
