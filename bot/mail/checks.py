"""Trying the mail servers the policy names (check-config and start-up): the IMAP login and folders, the
SMTP connection and login. Each problem is one line naming the setting, never a password; `definite` when
the server answered no (retrying will not help), not when it did not answer."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass

import aiosmtplib

from bot.mail.config import MailConfig, mail_config
from bot.mail.imap import IMAP_ERRORS, ImapRefused, close_quietly, open_mailbox
from bot.policy import Policy
from bot.settings import SettingsError

CHECK_SECONDS = 10.0


@dataclass(frozen=True)
class ServerProblem:
    text: str
    definite: bool


async def check_imap(config: MailConfig) -> list[ServerProblem]:
    imap = config.settings.inbound.imap
    if imap is None:
        return []
    problems: list[ServerProblem] = []
    for folder in [imap.folder, *([imap.done_folder] if imap.done_folder else [])]:
        try:
            client, _ = await asyncio.wait_for(open_mailbox(config, folder), CHECK_SECONDS)
        except ImapRefused as exc:
            problems.append(ServerProblem(str(exc), definite=True))
            if "login" in str(exc):
                break
            continue
        except IMAP_ERRORS as exc:
            problems.append(
                ServerProblem(
                    f"email.inbound.imap: {imap.host}:{imap.port} does not answer ({type(exc).__name__})",
                    definite=False,
                )
            )
            break
        await close_quietly(client)
    return problems


async def check_smtp(config: MailConfig) -> list[ServerProblem]:
    smtp = config.settings.smtp
    client = aiosmtplib.SMTP(
        hostname=smtp.host, port=smtp.port, use_tls=smtp.tls, start_tls=smtp.starttls, timeout=CHECK_SECONDS
    )
    where = f"email.smtp: {smtp.host}:{smtp.port}"
    try:
        await client.connect()
        if smtp.user is not None and config.smtp_password is not None:
            await client.login(smtp.user, config.smtp_password)
    except aiosmtplib.SMTPAuthenticationError:
        return [ServerProblem(f"email.smtp: the server refused the login of {smtp.user}", definite=True)]
    except aiosmtplib.SMTPResponseException as exc:
        return [ServerProblem(f"{where} refused: {exc.code} {exc.message}", definite=exc.code >= 500)]
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        return [ServerProblem(f"{where} does not answer ({type(exc).__name__})", definite=False)]
    finally:
        if client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, TimeoutError):
                client.close()
    return []


def check_config(policy: Policy, env: Mapping[str, str]) -> list[str]:
    """check-config's mail lines: the secrets named are set, and the servers say yes (one line each)."""
    try:
        config = mail_config(policy, env)
    except SettingsError as exc:
        return [str(exc)]
    if config is None:
        return []
    return [problem.text for problem in asyncio.run(check_servers(config))]


async def check_servers(config: MailConfig) -> list[ServerProblem]:
    imap, smtp = await asyncio.gather(check_imap(config), check_smtp(config))
    return [*imap, *smtp]
