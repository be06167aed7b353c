from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_paid_support')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Page',
            name='bundle',
            field=fields.CharField(null=True, max_length=48),
        ),
        ops.AddIndex(
            model_name='Page',
            index=Index(fields=['bundle']),
        ),
    ]
