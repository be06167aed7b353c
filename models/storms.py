"""Messages in the support channel that stand for many tickets at once: the queue of tickets still waiting
for their own post during a burst (bot/outbox/queue.py), and a storm of similar tickets."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class BoardKind(StrEnum):
    QUEUE = "queue"  # tickets raised faster than the channel takes posts, listed until each has its own
    STORM = "storm"  # tickets alike arriving within storm.within, offered to group as one incident


class ChannelBoard(Model):
    """One such message. At most one of each kind is open (closed_at null) at a time."""

    id = fields.BigIntField(primary_key=True)
    kind = fields.CharEnumField(BoardKind, max_length=16)
    channel_id = fields.CharField(max_length=32)
    message_ts = fields.CharField(max_length=32, null=True)  # None until Slack answered the post
    ticket_ids: list[Any] = fields.JSONField(default=list)  # what it lists (a storm: every ticket it saw)
    fingerprint = fields.CharField(max_length=64, default="")  # of what was last drawn: no redundant update
    key = fields.CharField(max_length=64, default="")  # a storm's likeness (a category or a title's words)
    incident_id = fields.IntField(null=True)  # a storm once grouped: its incident's ticket
    opened_at = fields.DatetimeField()
    drawn_at = fields.DatetimeField(null=True)  # when Slack last showed it as it stands
    closed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "channel_boards"
        indexes = (("kind", "closed_at"),)
