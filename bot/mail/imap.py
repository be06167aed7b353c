"""Reading the support mailbox over IMAP (aioimaplib): each message stored once, then moved to the done
folder (or flagged \\Seen); IDLE where the server offers it (re-issued before its 30-minute limit), else a
look every minute. UIDs only, never sequence numbers (they shift when another client expunges).

Two replicas may read the same mailbox: both fetch a new message, one stores it (the Message-ID and the
mailbox UID are unique), the other finds it stored and leaves the move to it; a message stored but left
behind by a replica that died is moved by whoever finds it minutes later.
"""

from __future__ import annotations

import asyncio
import logging
import re
import ssl
from dataclasses import dataclass, field
from datetime import timedelta

import aioimaplib
from tortoise.expressions import Q

from bot.clock import Clock
from bot.mail.config import MailConfig
from bot.mail.inbound import Duplicate, MailIntake
from bot.mail.parse import MalformedMail
from models import InboundMail

log = logging.getLogger(__name__)

POLL_SECONDS = 60.0
IDLE_SECONDS = 25 * 60.0  # servers end IDLE after 30 minutes (RFC 2177 asks clients to re-issue before 29)
RETRY_SECONDS = 60.0
COMMAND_SECONDS = 30.0
BATCH = 50  # messages per look; the rest on the next
ORPHAN_AFTER = timedelta(minutes=5)  # a replica moves what it stored within seconds
_UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
IMAP_ERRORS = (OSError, TimeoutError, asyncio.TimeoutError, aioimaplib.Abort, aioimaplib.CommandTimeout)


class ImapRefused(Exception):
    """The server answered and said no (wrong login, unknown folder): retrying the same will not help."""


@dataclass
class ImapHealth:
    problem: str | None = None

    def degraded(self) -> list[str]:
        return [self.problem] if self.problem else []


async def open_mailbox(config: MailConfig, folder: str | None = None) -> tuple[aioimaplib.IMAP4, int]:
    """Connect, log in and select the folder; returns the client and the folder's UIDVALIDITY."""
    imap = config.settings.inbound.imap
    assert imap is not None and config.imap_password is not None
    client: aioimaplib.IMAP4
    if imap.tls:
        client = aioimaplib.IMAP4_SSL(
            imap.host, imap.port, timeout=COMMAND_SECONDS, ssl_context=ssl.create_default_context()
        )
    else:
        client = aioimaplib.IMAP4(imap.host, imap.port, timeout=COMMAND_SECONDS)
    await client.wait_hello_from_server()
    answer = await client.login(imap.user, config.imap_password)
    if answer.result != "OK":
        await close_quietly(client)
        raise ImapRefused(f"email.inbound.imap: the server refused the login of {imap.user}")
    name = folder or imap.folder
    answer = await client.select(name)
    if answer.result != "OK":
        await close_quietly(client)
        raise ImapRefused(f"email.inbound.imap: no folder {name!r} in the mailbox of {imap.user}")
    found = next((m for line in answer.lines if (m := _UIDVALIDITY.search(bytes(line)))), None)
    return client, int(found[1]) if found else 0


async def close_quietly(client: aioimaplib.IMAP4) -> None:
    try:
        if client.has_pending_idle():  # a LOGOUT sent while idling waits for an answer that never comes
            client.idle_done()
        await asyncio.wait_for(client.logout(), 5)
    except (*IMAP_ERRORS, aioimaplib.Error):
        pass


def _message_bytes(lines: list[bytes | bytearray]) -> bytes | None:
    """The literal of a `UID FETCH n (BODY.PEEK[])` answer."""
    literals = [bytes(line) for line in lines if isinstance(line, bytearray)]
    return literals[0] if literals else None


@dataclass
class ImapReader:
    config: MailConfig
    intake: MailIntake
    clock: Clock
    health: ImapHealth = field(default_factory=ImapHealth)
    uidvalidity: int | None = None  # the folder's, when last opened

    @property
    def mailbox(self) -> str:
        imap = self.config.settings.inbound.imap
        assert imap is not None
        return f"{imap.user}@{imap.host}:{imap.port}/{imap.folder}"[:200]

    async def sweep(self, client: aioimaplib.IMAP4, uidvalidity: int) -> int:
        """Store every waiting message and move it out of the way; returns how many were taken."""
        imap = self.config.settings.inbound.imap
        assert imap is not None
        # Messages still in the folder are not done: moved ones are gone, flagged ones are \Seen.
        answer = await client.uid_search("UNDELETED" if imap.done_folder else "UNSEEN UNDELETED")
        if answer.result != "OK":
            raise aioimaplib.Abort(f"UID SEARCH: {answer.lines}")
        uids = [int(u) for u in bytes(answer.lines[0]).split() if u.isdigit()][:BATCH]
        taken = 0
        for uid in uids:
            fetched = await client.uid("fetch", str(uid), "(BODY.PEEK[])")
            raw = _message_bytes(fetched.lines) if fetched.result == "OK" else None
            if raw is None:
                continue  # moved by another replica meanwhile
            try:
                await self.intake.store(raw, "imap", mailbox=self.mailbox, uidvalidity=uidvalidity, uid=uid)
                taken += 1
            except Duplicate as exc:
                if not await self._orphaned(exc.message_id, uidvalidity, uid):
                    continue  # another replica stored it just now and moves it itself
            except MalformedMail as exc:
                log.warning(
                    "IMAP message %s in %s is not a usable message (%s); moved aside", uid, imap.folder, exc
                )
            await self._done_with(client, uid)
        return taken

    async def _orphaned(self, message_id: str, uidvalidity: int, uid: int) -> bool:
        """Stored a while ago but still here: whoever stored it died before moving it, so we move it.
        (Moving what another replica is moving right now would copy it into the done folder twice: in
        IMAP, a session sees another's MOVE only later.)"""
        stored = await InboundMail.filter(
            Q(message_id=message_id) | Q(mailbox=self.mailbox, uidvalidity=uidvalidity, uid=uid)
        ).first()
        return stored is None or stored.received_at <= self.clock.now() - ORPHAN_AFTER

    async def _done_with(self, client: aioimaplib.IMAP4, uid: int) -> None:
        imap = self.config.settings.inbound.imap
        assert imap is not None
        if imap.done_folder is None:
            await client.uid("store", str(uid), "+FLAGS", r"(\Seen)")
        elif client.has_capability("MOVE"):
            await client.uid("move", str(uid), imap.done_folder)
        else:  # IMAP4rev1 without MOVE: copy, mark deleted, expunge
            await client.uid("copy", str(uid), imap.done_folder)
            await client.uid("store", str(uid), "+FLAGS", r"(\Deleted)")
            await client.expunge()

    async def run_forever(self) -> None:
        """Read until cancelled; a server that does not answer is tried again every minute."""
        last_problem: str | None = None
        while True:
            client: aioimaplib.IMAP4 | None = None
            try:
                client, uidvalidity = await open_mailbox(self.config)
                self.health.problem = None
                if last_problem:
                    log.info("IMAP: reading the mailbox again")
                last_problem = None
                await self._follow(client, uidvalidity)
            except ImapRefused as exc:
                problem = str(exc)
            except IMAP_ERRORS as exc:
                problem = f"email.inbound.imap: the server does not answer ({type(exc).__name__}: {exc})"
            else:
                continue
            finally:
                if client is not None:
                    await close_quietly(client)
            self.health.problem = problem
            if problem != last_problem:
                log.error("%s; trying again every %.0f s", problem, RETRY_SECONDS)
            last_problem = problem
            await self.clock.sleep(RETRY_SECONDS)

    async def _follow(self, client: aioimaplib.IMAP4, uidvalidity: int) -> None:
        if self.uidvalidity is not None and uidvalidity != self.uidvalidity:
            # The folder was recreated: stored UIDs name nothing now. Each message is stored under the new
            # UIDVALIDITY, and its Message-ID still recognises what was taken before.
            log.warning(
                "IMAP: %s has a new UIDVALIDITY (%s, was %s)", self.mailbox, uidvalidity, self.uidvalidity
            )
        self.uidvalidity = uidvalidity
        while True:
            await self.sweep(client, uidvalidity)
            if client.has_capability("IDLE"):
                idle = await client.idle_start(timeout=IDLE_SECONDS)
                await client.wait_server_push(timeout=IDLE_SECONDS + COMMAND_SECONDS)
                client.idle_done()
                await asyncio.wait_for(idle, COMMAND_SECONDS)
            else:
                await self.clock.sleep(POLL_SECONDS)
