"""Sending a queued message by SMTP (aiosmtplib): paced, a temporary refusal (4xx, network) retried with
backoff by the job queue, a permanent one (5xx) failing the job loudly, as Slack's permanent errors do."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate

import aiosmtplib

from bot.clock import Clock
from bot.jobs.kinds import SendMail
from bot.jobs.outcomes import Deferred, Permanent, RetryLater
from bot.mail.config import MailConfig
from bot.pacing import LocalPacer
from models import Job, OutboundMail

log = logging.getLogger(__name__)

SEND_TIMEOUT = 30.0
PER_MINUTE = 30  # mail servers throttle bursts from one sender; a storm of notices waits its turn
BURST = 5


def build_message(job: SendMail, config: MailConfig, date: float) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((job.from_name or config.settings.display_name, config.address))
    message["To"] = ", ".join(job.to)
    if job.cc:
        message["Cc"] = ", ".join(job.cc)
    message["Subject"] = job.subject
    message["Date"] = formatdate(date, localtime=False, usegmt=True)
    message["Message-ID"] = f"<{job.message_id}>"
    if job.in_reply_to:
        message["In-Reply-To"] = f"<{job.in_reply_to}>"
    if job.references:
        message["References"] = " ".join(f"<{ref}>" for ref in job.references)
    message["Auto-Submitted"] = job.auto_submitted
    message["X-Auto-Response-Suppress"] = "All"  # Exchange: no out-of-office answers to us
    message.set_content(job.text)
    return message


Transport = Callable[[EmailMessage], Awaitable[None]]


@dataclass
class SmtpSender:
    config: MailConfig
    clock: Clock
    pacer: LocalPacer = field(init=False)
    transport: Transport | None = None  # instead of the SMTP server: the playground's mailboxes

    def __post_init__(self) -> None:
        self.pacer = LocalPacer(self.clock, PER_MINUTE, burst=BURST)

    async def send(self, job: SendMail, attempt: Job) -> None:
        wait = await self.pacer.reserve()
        if wait > 0:
            raise Deferred("outgoing mail is paced", wait)
        smtp = self.config.settings.smtp
        message = build_message(job, self.config, self.clock.now().timestamp())
        if self.transport is not None:
            await self.transport(message)
            await OutboundMail.filter(message_id=job.message_id).update(sent_at=self.clock.now())
            return
        try:
            refused, _ = await aiosmtplib.send(
                message,
                hostname=smtp.host,
                port=smtp.port,
                start_tls=smtp.starttls,
                use_tls=smtp.tls,
                username=smtp.user,
                password=self.config.smtp_password,
                timeout=SEND_TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            if all(code >= 500 for code in codes):
                raise Permanent(f"smtp_{codes[0]}", f"{job.message_id}: every recipient refused") from exc
            raise RetryLater(f"recipients refused for now ({codes})") from exc
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                raise Permanent(
                    f"smtp_{exc.code}", f"the SMTP server refused: {exc.code} {exc.message}"
                ) from exc
            raise RetryLater(f"the SMTP server said {exc.code} {exc.message}") from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise RetryLater(f"SMTP {smtp.host}:{smtp.port}: {type(exc).__name__}: {exc}") from exc
        for address, (code, text) in refused.items():
            log.error("mail %s: %s refused (%s %s)", job.message_id, address, code, text)
        await OutboundMail.filter(message_id=job.message_id).update(sent_at=self.clock.now())
