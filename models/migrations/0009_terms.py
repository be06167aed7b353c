from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0008_email')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DepositAlert',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.CharField(max_length=64)),
                ('payment', fields.CharField(max_length=40)),
                ('level', fields.CharField(max_length=16)),
                ('sent_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deposit_alerts', 'app': 'models', 'unique_together': (('customer', 'payment', 'level'),), 'pk_attr': 'id', 'table_description': 'An alert sent about a deposit: one row per customer, payment and level, so each is sent once'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Ticket',
            name='addon',
            field=fields.CharField(null=True, max_length=40),
        ),
    ]
