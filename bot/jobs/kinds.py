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
class ScheduleTicket(TicketJob):
    """A new ticket's timers (SLA thresholds, ladder), its post, its storm check and its confirmations,
    queued by the raise as one row so the form is answered sooner (bot/services/intake.py). Its clocks
    already run from the raise, and every timer checks the ticket again when it fires."""

    kind: ClassVar[str] = "schedule_ticket"
    tell: list[str] = dataclasses.field(default_factory=list)  # who gets the "raised" confirmation

    def dedupe_key(self) -> str:
        return f"schedule:{self.ticket_id}"


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


@dataclass(frozen=True, kw_only=True)
class ShowQueue(JobPayload):
    """Post or update the support channel's queue message: tickets waiting for their own post
    (bot/outbox/queue.py). One topic, so one runs at a time."""

    kind: ClassVar[str] = "show_queue"

    def dedupe_key(self) -> str:
        return "board:queue"

    def topic(self) -> str:
        return "board:queue"


@dataclass(frozen=True, kw_only=True)
class CheckStorm(JobPayload):
    """A new ticket: is it one of a storm of alike tickets? (bot/services/storms.py) One topic, so two
    checks never open two storm messages for one storm."""

    kind: ClassVar[str] = "check_storm"
    ticket: int

    def topic(self) -> str:
        return "storms"


@dataclass(frozen=True, kw_only=True)
class ShowStorm(JobPayload):
    """Post or update a storm message in the support channel."""

    kind: ClassVar[str] = "show_storm"
    board: int

    def dedupe_key(self) -> str:
        return f"board:{self.board}"

    def topic(self) -> str:
        return f"board:{self.board}"


@dataclass(frozen=True, kw_only=True)
class FollowIncident(TicketJob):
    """The incident (`ticket_id`) changed: its children follow (claimed, waiting, resolved)."""

    kind: ClassVar[str] = "follow_incident"
    event: str
    by: str
    at: str = (
        ""  # ISO instant of the incident's change: a child's clocks are answered then, not when this runs
    )


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
        # A Slack Connect ticket is followed in the customer's thread, not by DM: no DM recipient, so it
        # is never sent along with DMs to the same person (see `topic`).
        to = "" if ticket.source == "slack_connect" else ticket.reporter_id
        return cls(ticket_id=ticket.id, to=to, event=event, **fields)

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


@dataclass(frozen=True, kw_only=True)
class AskCsat(TicketJob):
    """Ask a resolved ticket's reporter "How did we do?" where they follow it (bot/outbox/csat.py)."""

    kind: ClassVar[str] = "ask_csat"

    def dedupe_key(self) -> str:
        return f"ask-csat:{self.ticket_id}"


@dataclass(frozen=True, kw_only=True)
class CsatLowScore(TicketJob):
    """A score of 1 or 2 (or a comment added to one): tell the lead level of the ticket's customer."""

    kind: ClassVar[str] = "csat_low_score"
    comment_only: bool = False  # a comment arrived after the lead was told of the score

    def dedupe_key(self) -> str:
        # A comment arriving while the alert is still pending rides along with it (read when it runs).
        return f"csat-low:{self.ticket_id}"


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


# --- Slack Connect: customers' own channels ---


@dataclass(frozen=True, kw_only=True)
class PostIntakeCard(JobPayload):
    """The card offering a ticket, in the thread of a customer's message (`message_ts`)."""

    kind: ClassVar[str] = "intake_card"
    channel: str
    message_ts: str
    user: str  # who asked (mention, reaction) or wrote (auto)

    def dedupe_key(self) -> str:
        return f"card:{self.channel}:{self.message_ts}"


@dataclass(frozen=True, kw_only=True)
class CloseIntakeCard(JobPayload):
    """Not now: the card says no ticket was raised, and how to offer it again."""

    kind: ClassVar[str] = "intake_card_closed"
    channel: str
    card_ts: str
    user: str


@dataclass(frozen=True, kw_only=True)
class PostHowTo(JobPayload):
    """How to raise a ticket from a customer's channel: in it (`thread_ts`, if any) or, with `user`, only
    for that person (a greeting)."""

    kind: ClassVar[str] = "how_to"
    channel: str
    thread_ts: str | None = None
    user: str | None = None


@dataclass(frozen=True, kw_only=True)
class CopyCustomerMessage(TicketJob):
    """A message written in the customer's thread, copied into the ticket's internal thread: the customer's
    (`from_staff` False) or an engineer's written there (marked sent to the customer)."""

    kind: ClassVar[str] = "copy_customer_message"
    user: str
    team: str = ""
    text: str = ""
    files: list[str] = dataclasses.field(default_factory=list)  # file ids (stubs: asked of files.info)
    from_staff: bool = False


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
    cycle: int = 0  # a step after a recurring target (next response, update): its n-th miss
    repeat: int = 0  # 0: the step itself; n: its n-th repeat (a step's `repeat` in the policy)
    ack: int = 0  # a page of the step acknowledged: its `ack_timeout` ran out (a page id; 0: not that)

    @classmethod
    def of(cls, ticket: Ticket, index: int, **fields: Any) -> LadderStepDue:
        """Step `index` of the ticket's ladder as it stands (its epoch and priority)."""
        return cls(
            ticket_id=ticket.id, epoch=ticket.ladder_epoch, index=index, priority=ticket.priority, **fields
        )

    def dedupe_key(self) -> str:
        cycle = f":{self.cycle}" if self.cycle else ""
        again = f":r{self.repeat}" if self.repeat else ""
        acknowledged = f":ack{self.ack}" if self.ack else ""
        return f"ladder:{self.ticket_id}:{self.epoch}:{self.index}{cycle}{again}{acknowledged}"


@dataclass(frozen=True, kw_only=True)
class DeliverPage(TicketJob):
    """A page to send; pages due together to one person (`to`) go out as one DM (bot/outbox/pages.py)."""

    kind: ClassVar[str] = "deliver_page"
    page: int
    to: str = ""

    def topic(self) -> str | None:
        return f"page:{self.to}" if self.to else None


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


@dataclass(frozen=True, kw_only=True)
class CreateIssue(TicketJob):
    """Open a GitHub or Jira issue with the engineer's summary, then link it to the ticket."""

    kind: ClassVar[str] = "create_issue"
    tracker: str  # github | jira
    summary: str
    by: str  # the engineer, told in the thread if it fails

    def dedupe_key(self) -> str:
        return f"create_issue:{self.ticket_id}:{self.tracker}"


KINDS: tuple[type[JobPayload], ...] = (
    ScheduleTicket,
    PostTicket,
    ShowQueue,
    CheckStorm,
    ShowStorm,
    FollowIncident,
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
    PostIntakeCard,
    CloseIntakeCard,
    PostHowTo,
    CopyCustomerMessage,
    AskCsat,
    CsatLowScore,
    ConfirmFix,
    CreateIssue,
)
BY_NAME: dict[str, type[JobPayload]] = {kind.kind: kind for kind in KINDS}


def decode(job: Job) -> JobPayload:
    kind = BY_NAME.get(job.kind)
    if kind is None:
        raise PayloadError(f"job {job.id} has unknown kind {job.kind!r}")
    return kind.from_job(job)
