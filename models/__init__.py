"""Tortoise models; migrations live in models/migrations (see README, "Changing a model")."""

from models.billing import DepositAlert, IssuedStatement, TimeEntry, WithdrawnStatement
from models.engineering import IssueLink
from models.events import ProcessedEvent
from models.jobs import Job, JobStatus
from models.mail import InboundMail, MailCourtesy, OutboundMail
from models.pages import Page
from models.tickets import WITH_ENGINEERING, ClockState, SlaClock, Ticket, TicketEvent, TicketStatus

__all__ = [
    "WITH_ENGINEERING",
    "ClockState",
    "DepositAlert",
    "InboundMail",
    "IssueLink",
    "IssuedStatement",
    "Job",
    "JobStatus",
    "MailCourtesy",
    "OutboundMail",
    "Page",
    "ProcessedEvent",
    "SlaClock",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
    "TimeEntry",
    "WithdrawnStatement",
]
