"""Reading the support mailbox from a real IMAP server (dovecot, started by the tests): each message stored
once and moved, with two replicas reading the same mailbox, across a restart in the middle, through IDLE,
and with \\Seen flags when there is no done folder."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import aioimaplib

from bot.app import Secondline
from bot.clock import FakeClock, SystemClock
from bot.mail.imap import ImapReader, open_mailbox
from bot.policy.email import EmailSettings
from models import InboundMail, Ticket
from tests.mailservers import Dovecot, mail

MESSAGES = 6


def reader_of(bot: Secondline, clock: object = None) -> ImapReader:
    assert bot.mail is not None
    return ImapReader(bot.mail.config, bot.mail.intake, clock or bot.clock)  # type: ignore[arg-type]


async def test_two_replicas_reading_one_mailbox_take_each_message_once(
    mailbot: Secondline, mailbox: Dovecot
) -> None:
    await mailbox.append(*(mail(f"Problem {n}", message_id=f"two-{n}") for n in range(MESSAGES)))
    first, second = reader_of(mailbot), reader_of(mailbot)
    assert mailbot.mail is not None
    (one, validity), (two, _) = (
        await open_mailbox(mailbot.mail.config),
        await open_mailbox(mailbot.mail.config),
    )
    try:
        taken = await asyncio.gather(first.sweep(one, validity), second.sweep(two, validity))
    finally:
        await one.logout()
        await two.logout()
    assert sum(taken) == MESSAGES  # a message stored by one replica is a duplicate for the other
    await mailbot.worker.run_due()
    assert await InboundMail.all().count() == MESSAGES
    assert sorted(t.title for t in await Ticket.all()) == [f"Problem {n}" for n in range(MESSAGES)]
    assert await mailbox.uids("INBOX") == [] and len(await mailbox.uids("Done")) == MESSAGES


class DropsAfterStoring(ImapReader):
    """A replica whose connection dies right after it stored its third message, before moving it."""

    async def _done_with(self, client: aioimaplib.IMAP4, uid: int) -> None:
        if await InboundMail.all().count() >= 3:
            raise ConnectionResetError("the replica died")
        await super()._done_with(client, uid)


async def test_a_restart_in_the_middle_takes_nothing_twice(mailbot: Secondline, mailbox: Dovecot) -> None:
    await mailbox.append(*(mail(f"Problem {n}", message_id=f"restart-{n}") for n in range(MESSAGES)))
    assert mailbot.mail is not None
    crashing = DropsAfterStoring(mailbot.mail.config, mailbot.mail.intake, mailbot.clock)
    client, validity = await open_mailbox(mailbot.mail.config)
    try:
        await crashing.sweep(client, validity)
    except ConnectionResetError:
        pass
    else:
        raise AssertionError("the replica should have died")
    assert await InboundMail.all().count() == 3 and len(await mailbox.uids("INBOX")) == MESSAGES - 2
    restarted = reader_of(mailbot)
    client, validity = await open_mailbox(mailbot.mail.config)
    try:
        assert await restarted.sweep(client, validity) == MESSAGES - 3
        # The one stored but never moved looks like another replica's work in progress for a while, then
        # like what it is: left behind; it is moved, not stored again.
        assert len(await mailbox.uids("INBOX")) == 1
        assert isinstance(mailbot.clock, FakeClock)
        mailbot.clock.advance(timedelta(minutes=6))
        assert await restarted.sweep(client, validity) == 0
    finally:
        await client.logout()
    await mailbot.worker.run_due()
    assert await InboundMail.all().count() == MESSAGES and await Ticket.all().count() == MESSAGES
    assert await mailbox.uids("INBOX") == [] and len(await mailbox.uids("Done")) == MESSAGES


async def test_idle_wakes_the_reader_when_mail_arrives(mailbot: Secondline, mailbox: Dovecot) -> None:
    reader = reader_of(mailbot, SystemClock())
    running = asyncio.create_task(reader.run_forever())
    try:
        for _ in range(20):  # connected and idling
            await asyncio.sleep(0.05)
        await mailbox.append(mail("Arrives while idling", message_id="idle-1"))
        for _ in range(200):
            if await InboundMail.exists(message_id="idle-1@mail.acme.example"):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the idling reader never took the new message")
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    assert reader.health.problem is None
    for _ in range(50):
        if not await mailbox.uids("INBOX"):
            break
        await asyncio.sleep(0.05)
    assert await mailbox.uids("INBOX") == [] and len(await mailbox.uids("Done")) == 1


async def test_without_a_done_folder_messages_are_flagged_seen_and_read_once(
    mailbot: Secondline, mailbox: Dovecot
) -> None:
    assert mailbot.mail is not None
    spec = mailbot.mail.config.settings
    assert spec.inbound.imap is not None
    imap = spec.inbound.imap.model_copy(update={"done_folder": None})
    settings = EmailSettings.model_validate(
        {**spec.model_dump(), "inbound": {**spec.inbound.model_dump(), "imap": imap.model_dump()}}
    )
    config = replace(mailbot.mail.config, settings=settings)
    reader = ImapReader(config, mailbot.mail.intake, mailbot.clock)
    await mailbox.append(mail("Seen, not moved", message_id="seen-1"))
    for expected in (1, 0):  # the second look finds nothing new
        client, validity = await open_mailbox(config)
        try:
            assert await reader.sweep(client, validity) == expected
        finally:
            await client.logout()
    assert len(await mailbox.uids("INBOX")) == 1 and await InboundMail.all().count() == 1
