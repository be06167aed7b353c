"""Tortoise models; migrations live in models/migrations (see README, "Changing a model")."""

from models.billing import IssuedStatement, TimeEntry, WithdrawnStatement
from models.events import ProcessedEvent
from models.jobs import Job, JobStatus
from models.pages import Page
from models.storms import BoardKind, ChannelBoard
from models.tickets import ClockState, SlaClock, Ticket, TicketEvent, TicketStatus

__all__ = [
    "BoardKind",
    "ChannelBoard",
    "ClockState",
    "IssuedStatement",
    "Job",
    "JobStatus",
    "Page",
    "ProcessedEvent",
    "SlaClock",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
    "TimeEntry",
    "WithdrawnStatement",
]
