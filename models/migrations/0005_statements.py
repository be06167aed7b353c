from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_paid_support')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WithdrawnStatement',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.CharField(max_length=64)),
                ('month', fields.CharField(max_length=7)),
                ('issued_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('issued_by', fields.CharField(max_length=32)),
                ('withdrawn_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('withdrawn_by', fields.CharField(max_length=32)),
                ('reason', fields.CharField(default='', max_length=300)),
                ('csv', fields.TextField(unique=False)),
                ('json', fields.TextField(unique=False)),
            ],
            options={'table': 'withdrawn_statements', 'app': 'models', 'indexes': [Index(fields=['customer', 'month'])], 'pk_attr': 'id', 'table_description': 'An issued statement a lead or manager withdrew: the copy as issued, who issued and who withdrew it.'},
            bases=['Model'],
        ),
    ]
