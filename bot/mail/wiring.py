"""The e-mail side of the composition root: built only when the policy has an `email:` block."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.jobs import kinds
from bot.jobs.kinds import AlertOperators, MailFiles, ReadMail, SendMail
from bot.jobs.outcomes import Permanent
from bot.jobs.queue import JobQueue
from bot.jobs.worker import HandlerTable
from bot.mail.actions import MailActions
from bot.mail.checks import check_servers
from bot.mail.config import MailConfig
from bot.mail.files import MailAttachments
from bot.mail.imap import ImapReader
from bot.mail.inbound import MailIntake
from bot.mail.links import MailLinks
from bot.mail.outbox import Mailer
from bot.mail.place import EmailPlace
from bot.mail.smtp import SmtpSender
from bot.policy import Policy
from bot.services.intake import Intake
from bot.services.sla import SlaService
from bot.services.transitions import Transitions
from bot.slack.api import SlackApi
from bot.slack.errors import SlackBusy, SlackRefused
from bot.startup import StartupProblem
from models import Job

log = logging.getLogger(__name__)


@dataclass
class MailSide:
    config: MailConfig
    mailer: Mailer
    intake: MailIntake
    place: EmailPlace
    sender: SmtpSender
    attachments: MailAttachments
    jobs: JobQueue
    reader: ImapReader | None = None
    actions: MailActions | None = None  # the signed links' actions, with PUBLIC_URL (bot/app.py)
    links: MailLinks | None = None
    check_servers: bool = True  # off in the playground, whose mail never leaves the process
    warnings: list[str] = field(default_factory=list)

    def degraded(self) -> list[str]:
        """For /healthz: the mailbox not readable now (the SMTP side shows as failed jobs)."""
        if self.reader is not None:
            return self.reader.health.degraded()
        return list(self.warnings)

    async def send_failed(self, job: SendMail, _: Job, code: str, reason: str) -> None:
        """A mail that can never be sent (the server refused it for good): an operator must know."""
        about = f" about SUP-{job.ticket_id}" if job.ticket_id else ""
        await self.jobs.enqueue(
            AlertOperators(
                code=f"mail:{code}",
                text=f"A mail to {', '.join(job.to)}{about} could not be sent: {reason}",
            )
        )


def build_mail(
    config: MailConfig | None,
    policy: Policy,
    clock: Clock,
    jobs: JobQueue,
    intake: Intake,
    transitions: Transitions,
    sla: SlaService,
    api: SlackApi,
) -> MailSide | None:
    if config is None:
        return None
    mailer = Mailer(config, clock, jobs)
    return MailSide(
        config=config,
        mailer=mailer,
        intake=MailIntake(policy, config, clock, jobs, intake, transitions, mailer),
        place=EmailPlace(policy, sla, mailer, _names(api)),
        sender=SmtpSender(config, clock),
        attachments=MailAttachments(api),
        jobs=jobs,
    )


def _names(api: SlackApi) -> Callable[[str], Awaitable[str | None]]:
    """An engineer's name from Slack (users.info); a reply is rare enough not to need a cache."""

    async def name_of(user_id: str) -> str | None:
        try:
            answer = await api.call("users.info", user=user_id)
        except (SlackBusy, SlackRefused) as exc:
            log.warning("no name for %s (%s); the mail goes out under the support name", user_id, exc)
            return None
        user = answer.get("user") or {}
        profile = user.get("profile") or {}
        name = profile.get("real_name") or user.get("real_name") or profile.get("display_name")
        return str(name) if name else None

    return name_of


async def _mail_is_off(payload: kinds.JobPayload, _: Job) -> None:
    raise Permanent("email_off", f"{payload.kind}: the policy has no email: block")


def mail_handlers(table: HandlerTable, side: MailSide | None) -> HandlerTable:
    if side is None:
        return table.on(ReadMail, _mail_is_off).on(SendMail, _mail_is_off).on(MailFiles, _mail_is_off)
    return (
        table.on(ReadMail, side.intake.read)
        .on(SendMail, side.sender.send, failed=side.send_failed)
        .on(MailFiles, side.attachments.share)
    )


async def start_mail(side: MailSide | None, clock: Clock, *, read_mailbox: bool) -> list[asyncio.Task[None]]:
    """At start: try the servers (a definite refusal stops the bot; silence does not), then read the
    mailbox in the background."""
    if side is None:
        return []
    problems = await check_servers(side.config) if side.check_servers else []
    for problem in problems:
        if problem.definite:
            raise StartupProblem(problem.text)
        log.warning("%s; starting anyway, trying again later", problem.text)
        side.warnings.append(problem.text)
    if side.config.settings.inbound.imap is None or not read_mailbox:
        return []
    side.reader = ImapReader(side.config, side.intake, clock)
    return [asyncio.create_task(side.reader.run_forever(), name="secondline-imap")]
