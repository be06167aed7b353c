from tortoise import migrations
from tortoise.migrations import operations as ops
from models.jobs import JobStatus
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.RemoveIndex(
            model_name='Job',
            name=None,
            fields=['due_at'],
        ),
        ops.AddField(
            model_name='Job',
            name='error_code',
            field=fields.CharField(null=True, max_length=48),
        ),
        ops.AddField(
            model_name='Job',
            name='failed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Job',
            name='status',
            field=fields.CharEnumField(default=JobStatus.PENDING, description='PENDING: pending\nFAILED: failed', db_default='pending', enum_type=JobStatus, max_length=16),
        ),
        ops.AddField(
            model_name='Job',
            name='topic',
            field=fields.CharField(null=True, max_length=64),
        ),
        ops.AddIndex(
            model_name='Job',
            index=Index(fields=['status', 'due_at']),
        ),
        ops.AddIndex(
            model_name='Job',
            index=Index(fields=['topic', 'status']),
        ),
    ]
