"""Tickets, their SLA clocks and their append-only event log."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model

REF_PREFIX = "SUP-"


class TicketStatus(StrEnum):
    OPEN = "open"  # raised, maybe claimed, being worked
    WAITING = "waiting"  # waiting on the customer: the resolution clock is paused
    RESOLVED = "resolved"
    FIX_PENDING = "fix_pending"  # resolved as a product defect: waiting on engineering
    FIX_SHIPPED = "fix_shipped"  # its engineering issue's fix shipped: resolves itself unless it still fails


# With engineering (bot/services/engineering.py): no SLA clock runs and the ladder pages nobody.
WITH_ENGINEERING = frozenset({TicketStatus.FIX_PENDING, TicketStatus.FIX_SHIPPED})


class Ticket(Model):
    id = fields.IntField(primary_key=True)
    customer = fields.CharField(max_length=64)
    plan = fields.CharField(max_length=64)
    priority = fields.CharField(max_length=2)
    environment = fields.CharField(max_length=16)
    title = fields.CharField(max_length=150)
    description = fields.TextField()
    tried = fields.TextField(default="")
    reporter_id = fields.CharField(max_length=32)
    # Set when vendor staff raised it on the customer's behalf (a call, a meeting): who did.
    raised_by = fields.CharField(max_length=32, null=True)
    status = fields.CharEnumField(TicketStatus, default=TicketStatus.OPEN, max_length=16)
    owner_id = fields.CharField(max_length=32, null=True)
    claimed_at = fields.DatetimeField(null=True)
    resolved_at = fields.DatetimeField(null=True)
    resolution = fields.CharField(max_length=48, null=True)
    resolution_note = fields.TextField(default="")
    time_spent_minutes = fields.IntField(null=True)
    channel_id = fields.CharField(max_length=32, null=True)
    message_ts = fields.CharField(max_length=32, null=True)
    # Bumped on every state change, so a redraw or a post can tell the ticket moved on meanwhile.
    version = fields.IntField(default=0)
    # Bumped when the ladder is re-derived (priority change): ladder timers of an older epoch do nothing.
    ladder_epoch = fields.IntField(default=0)
    # The targets and ladder in force when the ticket was raised (docs/ARCHITECTURE.md, decision 4).
    policy: dict[str, Any] = fields.JSONField(default=dict)
    # What it is about (a scope category key), and whether it was raised as paid (out-of-scope) work.
    category = fields.CharField(max_length=40, null=True)
    paid_request = fields.BooleanField(default=False, db_default=False)
    addon = fields.CharField(max_length=40, null=True)  # the premium add-on covering its category, if any
    callback_phone = fields.CharField(max_length=24, null=True)  # shown to engineers only
    plan_rank = fields.IntField(default=100, db_default=100)  # the plan's queue rank when it was raised
    # Set when its charges are waived (the cause was on the vendor's side): all its time is non-billable.
    waiver_reason = fields.CharField(max_length=300, null=True)
    # Where it came from: "slack" (/support, the shortcut), "slack_connect" (a customer's channel), "email".
    source = fields.CharField(max_length=16, default="slack", db_default="slack")
    reporter_email = fields.CharField(max_length=254, null=True)  # the reporter's address, for e-mail tickets
    # Slack Connect: the customer's message it was raised from (its thread is the customer's view of the
    # ticket), the bot's card in that thread (updated in place), a link to the message, the reporter's
    # organisation. Channel ids can change (channel_id_changed): kept up to date.
    customer_channel = fields.CharField(max_length=32, null=True)
    customer_thread_ts = fields.CharField(max_length=32, null=True)
    customer_card_ts = fields.CharField(max_length=32, null=True)
    customer_link = fields.CharField(max_length=300, null=True)
    reporter_team = fields.CharField(max_length=32, null=True)
    # Storms (bot/services/incidents.py): an incident is a ticket of its own whose children point at it.
    incident_id = fields.IntField(null=True)
    is_incident = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    events: fields.ReverseRelation[TicketEvent]
    clocks: fields.ReverseRelation[SlaClock]

    class Meta:
        table = "tickets"
        indexes = (
            ("status", "customer"),
            # A person's tickets; and the unclaimed queue (owner NULL), read in its order of plan rank.
            ("owner_id", "status", "plan_rank"),
            ("customer", "created_at"),  # reports and statements read a customer's tickets by date
            ("created_at",),
            ("customer_channel", "customer_thread_ts"),  # a reply in a customer's thread finds its ticket
            ("customer", "id"),  # a customer's latest tickets, newest first: the similar-title check
        )

    @property
    def ref(self) -> str:
        return f"{REF_PREFIX}{self.id}"


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


class SlaClock(Model):
    """One SLA target of one ticket, counted in business time on the ticket's plan calendar.

    Business time elapsed = `elapsed_seconds` banked before the last pause, plus the business time since
    `running_since` while running. `due_at` is where the remaining business time runs out.
    A recurring clock starts a new cycle in the same row (see `met_count`).
    """

    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="clocks", on_delete=fields.CASCADE
    )
    ticket_id: int
    name = fields.CharField(max_length=32)  # first_response | resolution | next_response | update_every
    target_seconds = fields.IntField()
    state = fields.CharEnumField(ClockState, default=ClockState.RUNNING, max_length=16)
    running_since = fields.DatetimeField(null=True)
    elapsed_seconds = fields.FloatField(default=0.0)
    due_at = fields.DatetimeField(null=True)
    breached_at = fields.DatetimeField(null=True)
    stopped_at = fields.DatetimeField(null=True)
    # Bumped on every start, pause, resume, re-target and stop: threshold timers of older epochs are stale.
    epoch = fields.IntField(default=0)
    # Recurring clocks (next_response, update_every) run one cycle at a time in this row: the columns
    # above are the current (or last) cycle; these count the earlier, finished ones by outcome.
    met_count = fields.IntField(default=0, db_default=0)
    breached_count = fields.IntField(default=0, db_default=0)

    class Meta:
        table = "sla_clocks"
        unique_together = (("ticket_id", "name"),)
        indexes = (("name", "state", "due_at"),)


class TicketEvent(Model):
    """Who did what to a ticket, and when. Rows are only ever added."""

    id = fields.BigIntField(primary_key=True)
    ticket: fields.ForeignKeyRelation[Ticket] = fields.ForeignKeyField(
        "models.Ticket", related_name="events", on_delete=fields.CASCADE
    )
    ticket_id: int
    at = fields.DatetimeField()
    actor = fields.CharField(max_length=32, null=True)  # Slack user id; None for the bot itself
    kind = fields.CharField(max_length=32)
    detail: dict[str, Any] = fields.JSONField(default=dict)

    class Meta:
        table = "ticket_events"
        indexes = (("ticket_id", "at"),)
