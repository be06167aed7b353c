"""Tortoise models; migrations live in models/migrations (see README, "Changing a model")."""

from models.billing import IssuedStatement, TimeEntry
from models.events import ProcessedEvent
from models.jobs import Job, JobStatus
from models.pages import Page
from models.replicas import Replica
from models.tickets import ClockState, SlaClock, Ticket, TicketEvent, TicketStatus

__all__ = [
    "ClockState",
    "IssuedStatement",
    "Job",
    "JobStatus",
    "Page",
    "ProcessedEvent",
    "Replica",
    "SlaClock",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
    "TimeEntry",
]
