from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0011_connect')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Ticket',
            name=None,
            fields=['owner_id', 'status'],
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['owner_id', 'status', 'plan_rank']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['customer', 'id']),
        ),
    ]
