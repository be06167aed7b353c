"""Customer channels whose id changed (a private channel shared through Slack Connect gets a new id): the
policy file names the old one until an operator edits it; every replica follows the move meanwhile."""

from tortoise import fields
from tortoise.models import Model


class ChannelMove(Model):
    """A customer channel's old id and its new one (channel_id_changed)."""

    old_id = fields.CharField(max_length=32, primary_key=True)
    new_id = fields.CharField(max_length=32)
    at = fields.DatetimeField()

    class Meta:
        table = "channel_moves"
