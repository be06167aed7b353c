from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_plans_and_scope')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IssuedStatement',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.CharField(max_length=64)),
                ('month', fields.CharField(max_length=7)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('issued_by', fields.CharField(max_length=32)),
                ('csv', fields.TextField(unique=False)),
                ('json', fields.TextField(unique=False)),
            ],
            options={'table': 'issued_statements', 'app': 'models', 'unique_together': (('customer', 'month'),), 'pk_attr': 'id', 'table_description': "A month's statement as issued: frozen, and the month's entries can no longer change."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TimeEntry',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket', fields.ForeignKeyField('models.Ticket', source_field='ticket_id', db_constraint=True, to_field='id', related_name='time_entries', on_delete=OnDelete.CASCADE)),
                ('customer', fields.CharField(max_length=64)),
                ('agent', fields.CharField(max_length=32)),
                ('minutes', fields.IntField()),
                ('worked_on', fields.DateField()),
                ('note', fields.CharField(default='', max_length=500)),
                ('logged_by', fields.CharField(max_length=32)),
                ('logged_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'time_entries', 'app': 'models', 'indexes': [Index(fields=['customer', 'worked_on']), Index(fields=['ticket_id'])], 'pk_attr': 'id', 'table_description': 'Minutes one agent worked on one ticket on one day, and who recorded it when.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Ticket',
            name='waiver_reason',
            field=fields.CharField(null=True, max_length=300),
        ),
    ]
