"""Every kind of job the worker runs, declared once here with its typed payload.

A job row stores `kind` (the class's `kind`), `ticket_id` and the other fields as JSON. The worker turns a
row back into its payload class and hands it to the one handler the composition root (bot/app.py) maps to
that class; a kind without a handler stops the bot at start.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from bot.permissions import EMAIL_ACTOR
from models import Job, Ticket


class PayloadError(Exception):
    """A job row that does not decode into its kind's payload (written by another version, say)."""


@dataclass(frozen=True, kw_only=True)
class JobPayload:
    kind: ClassVar[str]
    ticket_id: int | None = None

    def dedupe_key(self) -> str | None:
        """While a job with this key is pending, another one like it is coalesced into it."""
        return None

    def topic(self) -> str | None:
        """Jobs of one topic may be sent together (several notices to one person as one message)."""
        return None

    def fields(self) -> dict[str, Any]:
        """The payload's JSON, without ticket_id (a column of its own)."""
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "ticket_id"}

    @classmethod
    def from_job(cls, job: Job) -> Self:
        known = {f.name for f in dataclasses.fields(cls)}
        data = {k: v for k, v in (job.payload or {}).items() if k in known}
        try:
            return cls(ticket_id=job.ticket_id, **data)
        except TypeError as exc:
            raise PayloadError(f"{cls.kind} job {job.id}: {exc}") from exc


@dataclass(frozen=True, kw_only=True)
class TicketJob(JobPayload):
    ticket_id: int


# --- the ticket in the support channel ---


@dataclass(frozen=True, kw_only=True)
class PostTicket(TicketJob):
    kind: ClassVar[str] = "post_ticket"

    def dedupe_key(self) -> str:
        return f"post:{self.ticket_id}"


@dataclass(frozen=True, kw_only=True)
class RedrawTicket(TicketJob):
    kind: ClassVar[str] = "redraw_ticket"

    def dedupe_key(self) -> str:
        return f"redraw:{self.ticket_id}"


@dataclass(frozen=True, kw_only=True)
class ThreadNote(TicketJob):
    """A note in the ticket's thread: `text` is mrkdwn we wrote; `quote`, if any, is a person's words,
    escaped when the note is sent."""

    kind: ClassVar[str] = "thread_note"
    text: str
    quote: str | None = None


# --- people ---


@dataclass(frozen=True, kw_only=True)
class NotifyReporter(TicketJob):
    """News for the key user who raised the ticket; `event` picks the message (bot/outbox/reporter.py)."""

    kind: ClassVar[str] = "notify_reporter"
    to: str = ""
    event: str
    by: str = ""
    previous: str | None = None
    text: str | None = None
    duplicate_of: int | None = None

    @classmethod
    def about(cls, ticket: Ticket, event: str, **fields: Any) -> NotifyReporter:
        return cls(ticket_id=ticket.id, to=ticket.reporter_id, event=event, **fields)

    def topic(self) -> str | None:
        # Notices for one Slack user go out together; e-mail tickets' reporters are not Slack users.
        return f"dm:{self.to}" if self.to and self.to != EMAIL_ACTOR else None


@dataclass(frozen=True, kw_only=True)
class TellPerson(TicketJob):
    """A private word about a ticket for one person (e.g. the claimer: the customer's callback number)."""

    kind: ClassVar[str] = "tell_person"
    to: str
    text: str


@dataclass(frozen=True, kw_only=True)
class AlertOperators(JobPayload):
    """Something needs an operator (a channel archived, a token revoked): tell the first escalation level."""

    kind: ClassVar[str] = "alert_operators"
    code: str
    text: str

    def dedupe_key(self) -> str:
        return f"alert:{self.code}"


@dataclass(frozen=True, kw_only=True)
class RefreshHome(JobPayload):
    kind: ClassVar[str] = "refresh_home"
    user: str

    def dedupe_key(self) -> str:
        return f"home:{self.user}"


# --- e-mail (bot/mail/) ---


@dataclass(frozen=True, kw_only=True)
class ReadMail(JobPayload):
    """A received message (models.InboundMail `mail`), stored: route it to a ticket, a reply or an answer."""

    kind: ClassVar[str] = "read_mail"
    mail: int

    def dedupe_key(self) -> str:
        return f"read-mail:{self.mail}"


@dataclass(frozen=True, kw_only=True)
class SendMail(JobPayload):
    """One message to send by SMTP, built whole when queued (its Message-ID is stored with the ticket)."""

    kind: ClassVar[str] = "send_mail"
    message_id: str
    to: list[str]
    subject: str
    text: str
    cc: list[str] = dataclasses.field(default_factory=list)
    in_reply_to: str | None = None
    references: list[str] = dataclasses.field(default_factory=list)
    auto_submitted: str = "auto-replied"  # RFC 3834: so other robots never answer it
    from_name: str | None = None

    def dedupe_key(self) -> str:
        return f"mail:{self.message_id}"

    def topic(self) -> str | None:
        return None


@dataclass(frozen=True, kw_only=True)
class MailFiles(TicketJob):
    """A received message's attachments, shared as files in its ticket's internal thread."""

    kind: ClassVar[str] = "mail_files"
    mail: int

    def dedupe_key(self) -> str:
        return f"mail-files:{self.mail}"


# --- timers ---


@dataclass(frozen=True, kw_only=True)
class SlaThreshold(TicketJob):
    """An SLA clock reaches `percent` of its target; stale once the clock's epoch moved on."""

    kind: ClassVar[str] = "sla_threshold"
    clock: str
    percent: int
    epoch: int
    due_ts: int


@dataclass(frozen=True, kw_only=True)
class LadderStepDue(TicketJob):
    """A step of the ticket's escalation ladder is due; stale once the ladder epoch moved on. `cycle` > 0:
    a step after a recurring target (next_response, update_every), due at that target's cycle-th miss."""

    kind: ClassVar[str] = "ladder_step"
    epoch: int
    index: int
    priority: str
    cycle: int = 0

    def dedupe_key(self) -> str:
        cycle = f":{self.cycle}" if self.cycle else ""
        return f"ladder:{self.ticket_id}:{self.epoch}:{self.index}{cycle}"


@dataclass(frozen=True, kw_only=True)
class DeliverPage(TicketJob):
    kind: ClassVar[str] = "deliver_page"
    page: int


@dataclass(frozen=True, kw_only=True)
class RedrawPage(TicketJob):
    kind: ClassVar[str] = "redraw_page"
    page: int

    def dedupe_key(self) -> str:
        return f"redraw-page:{self.page}"


# Run before any other due job: under a backlog (a busy channel's notes waiting their turn, redraws), a page
# and the ladder step that makes it must not wait behind them.
URGENT_KINDS = frozenset({LadderStepDue.kind, DeliverPage.kind})


@dataclass(frozen=True, kw_only=True)
class DigestDue(JobPayload):
    """A scheduled digest's run (`digest` is the policy entry's stable key, `run_at` its ISO instant)."""

    kind: ClassVar[str] = "digest"
    digest: str
    run_at: str

    def dedupe_key(self) -> str:
        return f"digest:{self.digest}"  # one pending run per digest, whichever replica scheduled it


@dataclass(frozen=True, kw_only=True)
class Housekeeping(JobPayload):
    kind: ClassVar[str] = "housekeeping"

    def dedupe_key(self) -> str:
        return "housekeeping"


@dataclass(frozen=True, kw_only=True)
class ConfirmFix(TicketJob):
    """A shipped fix's confirmation window ran out: resolve the ticket unless it moved on (its version)."""

    kind: ClassVar[str] = "confirm_fix"
    version: int

    def dedupe_key(self) -> str:
        return f"confirm_fix:{self.ticket_id}:{self.version}"


KINDS: tuple[type[JobPayload], ...] = (
    PostTicket,
    RedrawTicket,
    ThreadNote,
    NotifyReporter,
    TellPerson,
    AlertOperators,
    RefreshHome,
    SlaThreshold,
    LadderStepDue,
    DeliverPage,
    RedrawPage,
    DigestDue,
    Housekeeping,
    ReadMail,
    SendMail,
    MailFiles,
    ConfirmFix,
)
BY_NAME: dict[str, type[JobPayload]] = {kind.kind: kind for kind in KINDS}


def decode(job: Job) -> JobPayload:
    kind = BY_NAME.get(job.kind)
    if kind is None:
        raise PayloadError(f"job {job.id} has unknown kind {job.kind!r}")
    return kind.from_job(job)
