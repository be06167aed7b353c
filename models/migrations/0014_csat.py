from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_storms')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CsatSurvey',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('ticket_id', fields.IntField(unique=True)),
                ('customer', fields.CharField(max_length=64)),
                ('person', fields.CharField(max_length=254)),
                ('team_id', fields.CharField(null=True, max_length=32)),
                ('place', fields.CharField(max_length=16)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('score', fields.SmallIntField(null=True)),
                ('comment', fields.TextField(default='', unique=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('lead_told_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'csat_surveys', 'app': 'models', 'indexes': [Index(fields=['person', 'asked_at']), Index(fields=['customer', 'asked_at'])], 'pk_attr': 'id', 'table_description': 'One per ticket, made when the question is asked, filled in by the answer (score 1-5, comment).'},
            bases=['Model'],
        ),
    ]
