"""A mail's attachments, shared as files in its ticket's internal thread (the `MailFiles` job)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.jobs.kinds import MailFiles
from bot.jobs.outcomes import Deferred
from bot.mail.parse import MalformedMail, parse
from bot.slack.api import SlackApi
from models import InboundMail, Job, Ticket

NOT_POSTED_RETRY = 30.0


@dataclass
class MailAttachments:
    api: SlackApi

    async def share(self, job: MailFiles, attempt: Job) -> None:
        ticket = await Ticket.get_or_none(id=job.ticket_id)
        mail = await InboundMail.get_or_none(id=job.mail)
        if ticket is None or mail is None:
            return
        if ticket.channel_id is None or ticket.message_ts is None:
            raise Deferred(f"{ticket.ref} is not posted yet; its mail's files wait", NOT_POSTED_RETRY)
        try:
            files = parse(bytes(mail.content)).attachments
        except MalformedMail:
            return
        done = int((attempt.payload or {}).get("_shared", 0))  # files shared by an earlier attempt
        for index, file in enumerate(files[done:], start=done):
            await self.api.upload(
                ticket.channel_id, file.filename, file.data, title=file.filename, thread_ts=ticket.message_ts
            )
            attempt.payload = {**(attempt.payload or {}), "_shared": index + 1}
            await Job.filter(id=attempt.id).update(payload=attempt.payload)
