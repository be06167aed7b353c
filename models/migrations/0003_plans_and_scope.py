from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0002_job_lifecycle')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Ticket',
            name='callback_phone',
            field=fields.CharField(null=True, max_length=24),
        ),
        ops.AddField(
            model_name='Ticket',
            name='category',
            field=fields.CharField(null=True, max_length=40),
        ),
        ops.AddField(
            model_name='Ticket',
            name='paid_request',
            field=fields.BooleanField(default=False, db_default=False),
        ),
        ops.AddField(
            model_name='Ticket',
            name='plan_rank',
            field=fields.IntField(default=100, db_default=100),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['customer', 'created_at']),
        ),
        ops.AddIndex(
            model_name='Ticket',
            index=Index(fields=['created_at']),
        ),
    ]
