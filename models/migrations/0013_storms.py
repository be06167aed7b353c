from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from models.storms import BoardKind
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0012_perf')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChannelBoard',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='QUEUE: queue\nSTORM: storm', enum_type=BoardKind, max_length=16)),
                ('channel_id', fields.CharField(max_length=32)),
                ('message_ts', fields.CharField(null=True, max_length=32)),
                ('ticket_ids', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('fingerprint', fields.CharField(default='', max_length=64)),
                ('key', fields.CharField(default='', max_length=64)),
                ('incident_id', fields.IntField(null=True)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('drawn_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'channel_boards', 'app': 'models', 'indexes': [Index(fields=['kind', 'closed_at'])], 'pk_attr': 'id', 'table_description': 'One such message. At most one of each kind is open (closed_at null) at a time.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Ticket',
            name='incident_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Ticket',
            name='is_incident',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
