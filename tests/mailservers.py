"""Real mail servers for the tests, on free ports: Debian's dovecot-imapd as a throwaway IMAP server (its
own configuration, Maildir and state under a temporary directory) and aiosmtpd in the test process,
recording every message the bot sends (optionally requiring a login, or answering an error code)."""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import aioimaplib
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
IMAP_USER = "support@vendor.example"
IMAP_PASSWORD = "imap-secret"
SMTP_USER = "support@vendor.example"
SMTP_PASSWORD = "smtp-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


@dataclass
class Dovecot:
    """A running dovecot: one user, whose folders the test fills with IMAP APPEND."""

    port: int
    root: Path
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls) -> Dovecot:
        if not Path(DOVECOT).exists():
            raise FileNotFoundError(f"{DOVECOT} (install dovecot-imapd)")
        # Under /tmp itself: the mail user (not root) must be able to reach its Maildir.
        root = Path(tempfile.mkdtemp(prefix="secondline-dovecot-"))
        root.chmod(0o755)
        mail = root / "mail"
        mail.mkdir()
        if os.geteuid() == 0:  # dovecot never runs mail as root: an unprivileged user owns the Maildir
            owner = pwd.getpwnam("nobody")
            uid, gid = owner.pw_uid, owner.pw_gid
            os.chown(mail, uid, gid)
            users = "default_login_user = dovenull\ndefault_internal_user = dovecot\n"
            if not _user_exists("dovenull") or not _user_exists("dovecot"):
                users = "default_login_user = nobody\ndefault_internal_user = nobody\n"
        else:
            uid, gid = os.getuid(), os.getgid()
            me = pwd.getpwuid(uid).pw_name
            users = f"default_login_user = {me}\ndefault_internal_user = {me}\n"
        (root / "passwd").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
        port = free_port()
        config = root / "dovecot.conf"
        config.write_text(
            f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_failure_delay = 0
mailbox_idle_check_interval = 1 secs
auth_mechanisms = plain login
{users}mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
"""
        )
        process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stderr=subprocess.PIPE)
        try:
            wait_for_port(port)
        except TimeoutError:
            process.kill()
            log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
            raise TimeoutError(f"dovecot did not start: {log[-500:]}") from None
        return cls(port, root, process)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    async def client(self) -> aioimaplib.IMAP4:
        client = aioimaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        await client.wait_hello_from_server()
        answer = await client.login(IMAP_USER, IMAP_PASSWORD)
        assert answer.result == "OK", answer
        return client

    async def reset(self, *folders: str) -> None:
        """Empty INBOX and make sure `folders` exist, empty too."""
        client = await self.client()
        try:
            for folder in ("INBOX", *folders):
                if folder != "INBOX":
                    await client.create(folder)  # "already exists" is fine
                await client.select(folder)
                await client.uid("store", "1:*", "+FLAGS", r"(\Deleted)")
                await client.expunge()
        finally:
            await client.logout()

    async def append(self, *messages: bytes, folder: str = "INBOX") -> None:
        client = await self.client()
        try:
            for message in messages:
                answer = await client.append(message, mailbox=folder)
                assert answer.result == "OK", answer
        finally:
            await client.logout()

    async def uids(self, folder: str) -> list[int]:
        client = await self.client()
        try:
            await client.select(folder)
            answer = await client.uid_search("UNDELETED")
            return [int(u) for u in bytes(answer.lines[0]).split() if u.isdigit()]
        finally:
            await client.logout()


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@dataclass
class Recorder:
    """aiosmtpd's handler: keeps each message; `answer` overrides the reply (e.g. "451 …", "550 …")."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    answer: str | None = None
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answer is not None:
            return self.answer
        message = BytesParser(policy=email_policy.default).parsebytes(envelope.original_content)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m, (_, rcpt) in zip(self.messages, self.envelopes, strict=True) if address in rcpt]


def _authenticator(recorder: Recorder) -> Any:
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == SMTP_USER
        ok = ok and data.password.decode() == SMTP_PASSWORD
        if ok:
            recorder.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)

    return check


@dataclass
class SmtpServer:
    recorder: Recorder
    port: int
    controller: Controller

    def stop(self) -> None:
        self.controller.stop()


def start_smtp(*, require_auth: bool = False) -> SmtpServer:
    recorder = Recorder()
    port = free_port()
    extra: dict[str, Any] = {}
    if require_auth:
        extra = {
            "authenticator": _authenticator(recorder),
            "auth_required": True,
            "auth_require_tls": False,  # loopback only
        }
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **extra)
    controller.start()
    return SmtpServer(recorder, port, controller)


def smtp_server(require_auth: bool = False) -> Iterator[SmtpServer]:
    server = start_smtp(require_auth=require_auth)
    try:
        yield server
    finally:
        server.stop()


async def settle_smtp() -> None:
    """aiosmtpd records in its own thread; a moment for the last message to land."""
    await asyncio.sleep(0.05)


WEBHOOK_TOKEN = "webhook-token-for-tests"
MAILGUN_KEY = "mailgun-signing-key-for-tests"
MAIL_ENV = {
    "EMAIL_WEBHOOK_TOKEN": WEBHOOK_TOKEN,
    "IMAP_PASSWORD": IMAP_PASSWORD,
    "SMTP_PASSWORD": SMTP_PASSWORD,
    "MAILGUN_SIGNING_KEY": MAILGUN_KEY,
}
SUPPORT = "support@vendor.example"
ANNA = "anna@acme.example"  # an e-mail key user of Acme (enterprise: includes e-mail)
HANK = "hank@hooli.example"  # an e-mail key user of Hooli, whose plan (in these tests) has no e-mail


def mail_policy_data(
    smtp_port: int, *, imap_port: int | None = None, smtp_auth: bool = False, done_folder: str | None = "Done"
) -> dict[str, Any]:
    """The example policy with an `email:` block pointing at the test servers."""
    import yaml

    from tests.conftest import EXAMPLE_POLICY

    data: dict[str, Any] = yaml.safe_load(EXAMPLE_POLICY.read_text())
    smtp: dict[str, Any] = {"host": "127.0.0.1", "port": smtp_port, "starttls": False}
    if smtp_auth:
        smtp.update(user=SMTP_USER, password_env="SMTP_PASSWORD")
    inbound: dict[str, Any] = {"webhook": {"token_env": "EMAIL_WEBHOOK_TOKEN"}}
    if imap_port is not None:
        inbound["imap"] = {
            "host": "127.0.0.1",
            "port": imap_port,
            "tls": False,
            "user": IMAP_USER,
            "password_env": "IMAP_PASSWORD",
            "folder": "INBOX",
            "done_folder": done_folder,
        }
    data["email"] = {"address": SUPPORT, "inbound": inbound, "smtp": smtp}
    data["customers"]["acme"]["domains"] = ["acme.example"]
    data["customers"]["acme"]["email"] = {"key_users": [ANNA, "ops@acme.example"]}
    data["customers"]["hooli"]["domains"] = ["hooli.example"]
    data["customers"]["hooli"]["email"] = {"key_users": [HANK]}
    data["plans"]["premium"]["includes"] = ["slack", "web"]
    return data


def mail(
    subject: str = "Orders do not sync",
    body: str = "Since 9:00 no order reaches the warehouse.\r\n",
    *,
    sender: str = ANNA,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    to: str = SUPPORT,
) -> bytes:
    """A message as a mail client sends it (CRLF line ends)."""
    message = EmailMessage()
    message["From"] = f"Anna Example <{sender}>" if sender == ANNA else sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id or os.urandom(6).hex()}@mail.acme.example>"
    message["Date"] = "Tue, 17 Nov 2026 16:00:00 +0000"
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes(policy=email_policy.SMTP)
