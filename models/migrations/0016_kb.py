from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index
from models.fulltext import create_index

class Migration(migrations.Migration):
    dependencies = [('models', '0015_eng')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Answer',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('text', fields.TextField(unique=False)),
                ('language', fields.CharField(default='english', max_length=32)),
                ('published_by', fields.CharField(max_length=32)),
                ('published_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ticket_id', fields.IntField(null=True)),
                ('withdrawn', fields.BooleanField(default=False)),
                ('edited_by', fields.CharField(null=True, max_length=32)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'answers', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A resolution note an engineer chose to publish. Only title and text are ever shown to customers:'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Deflection',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.CharField(max_length=64)),
                ('person', fields.CharField(max_length=254)),
                ('answer_id', fields.BigIntField()),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deflections', 'app': 'models', 'indexes': [Index(fields=['customer', 'at'])], 'pk_attr': 'id', 'table_description': 'A request a key user said a published answer solved, instead of raising a ticket.'},
            bases=['Model'],
        ),
        ops.RunPython(create_index),
    ]
