from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0009_terms')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Page',
            name='bundle',
            field=fields.CharField(null=True, max_length=48),
        ),
        ops.AddField(
            model_name='Page',
            name='repeat',
            field=fields.IntField(default=0, db_default=0),
        ),
        ops.AddIndex(
            model_name='Page',
            index=Index(fields=['bundle']),
        ),
        ops.CreateModel(
            name='Replica',
            fields=[
                ('id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=32)),
                ('seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'replicas', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A running bot process, as it last said it was alive (rows not refreshed in time are forgotten).'},
            bases=['Model'],
        ),
    ]
