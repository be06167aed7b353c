from tortoise import migrations
from tortoise.migrations import operations as ops
from models.tickets import TicketStatus
from tortoise import fields
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0014_csat')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IssueLink',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='issue_links', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=16)),
                ('issue_key', fields.CharField(max_length=200)),
                ('url', fields.CharField(max_length=500)),
                ('linked_by', fields.CharField(max_length=32)),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'issue_links', 'app': 'models', 'unique_together': (('ticket_id', 'issue_key'),), 'indexes': [Index(fields=['issue_key'])], 'pk_attr': 'id', 'table_description': 'A ticket linked to an engineering issue: several tickets may link one issue (by its `issue_key`).'},
            bases=['Model'],
        ),
        ops.AlterField(
            model_name='Ticket',
            name='status',
            field=fields.CharEnumField(default=TicketStatus.OPEN, description='OPEN: open\nWAITING: waiting\nRESOLVED: resolved\nFIX_PENDING: fix_pending\nFIX_SHIPPED: fix_shipped', enum_type=TicketStatus, max_length=16),
        ),
    ]
