"""Tortoise models. `MODELS_MODULE` is what bot.db registers; migrations live in models/migrations."""

from models.events import ProcessedEvent
from models.jobs import Job
from models.tickets import Ticket, TicketEvent, TicketStatus

MODELS_MODULE = "models"

__all__ = ["MODELS_MODULE", "Job", "ProcessedEvent", "Ticket", "TicketEvent", "TicketStatus"]
