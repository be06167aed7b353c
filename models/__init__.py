"""Tortoise models; migrations live in models/migrations (see README, "Changing a model")."""

from models.answers import Answer, Deflection
from models.billing import DepositAlert, IssuedStatement, TimeEntry, WithdrawnStatement
from models.channels import ChannelMove
from models.csat import CsatSurvey
from models.engineering import IssueLink
from models.events import ProcessedEvent
from models.jobs import Job, JobStatus
from models.mail import InboundMail, MailCourtesy, OutboundMail
from models.pages import Page
from models.replicas import Replica
from models.storms import BoardKind, ChannelBoard
from models.tickets import WITH_ENGINEERING, ClockState, SlaClock, Ticket, TicketEvent, TicketStatus

__all__ = [
    "WITH_ENGINEERING",
    "Answer",
    "BoardKind",
    "ChannelBoard",
    "ChannelMove",
    "ClockState",
    "CsatSurvey",
    "Deflection",
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
    "Replica",
    "SlaClock",
    "Ticket",
    "TicketEvent",
    "TicketStatus",
    "TimeEntry",
    "WithdrawnStatement",
]
