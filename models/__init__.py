"""Tortoise models; migrations live in models/migrations (see README, "Changing a model")."""

from models.events import ProcessedEvent
from models.jobs import Job
from models.pages import Page
from models.tickets import ClockState, SlaClock, Ticket, TicketEvent, TicketStatus

__all__ = ["ClockState", "Job", "Page", "ProcessedEvent", "SlaClock", "Ticket", "TicketEvent", "TicketStatus"]
