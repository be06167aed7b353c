from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_statements')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Ticket',
            name='raised_by',
            field=fields.CharField(null=True, max_length=32),
        ),
    ]
