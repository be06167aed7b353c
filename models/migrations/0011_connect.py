from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_pages')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChannelMove',
            fields=[
                ('old_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('new_id', fields.CharField(max_length=32)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'channel_moves', 'app': 'models', 'pk_attr': 'old_id', 'table_description': "A customer channel's old id and its new one (channel_id_changed)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Ticket',
            name='customer_card_ts',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Ticket',
            name='customer_channel',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Ticket',
            name='customer_link',
            field=fields.CharField(null=True, max_length=300),
        ),
        ops.AddField(
            model_name='Ticket',
            name='customer_thread_ts',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddField(
            model_name='Ticket',
            name='reporter_team',
            field=fields.CharField(null=True, max_length=32),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['customer_channel', 'customer_thread_ts']),
        ),
    ]
