"""check-config and the start-up check try the mail servers: a definite refusal (wrong login, unknown
folder) is one line naming the setting and stops the bot; a server that does not answer is not definite."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot.mail.checks import check_imap, check_servers, check_smtp
from bot.mail.config import mail_config
from bot.mail.wiring import start_mail
from bot.policy import Policy
from bot.startup import StartupProblem
from tests.mailservers import (
    IMAP_PASSWORD,
    MAIL_ENV,
    SMTP_PASSWORD,
    Dovecot,
    SmtpServer,
    free_port,
    mail_policy_data,
    smtp_server,
)

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def smtp_auth() -> Iterator[SmtpServer]:
    yield from smtp_server(require_auth=True)


def policy_for(smtp: SmtpServer, dovecot: Dovecot | None, **changes: object) -> Policy:
    data = mail_policy_data(smtp.port, imap_port=dovecot.port if dovecot else None, smtp_auth=True)
    if dovecot is not None:
        data["email"]["inbound"]["imap"].update(changes)
    return Policy.model_validate(data)


async def test_servers_that_say_yes_give_no_problem(smtp_auth: SmtpServer, mailbox: Dovecot) -> None:
    config = mail_config(policy_for(smtp_auth, mailbox), MAIL_ENV)
    assert config is not None
    assert await check_servers(config) == []
    assert smtp_auth.recorder.logins == ["support@vendor.example"]


async def test_a_wrong_imap_password_or_folder_is_definite_and_names_no_password(
    smtp_auth: SmtpServer, lone_dovecot: Dovecot
) -> None:
    folder = mail_config(policy_for(smtp_auth, lone_dovecot, done_folder="Nowhere"), MAIL_ENV)
    assert folder is not None
    [problem] = await check_imap(folder)
    assert problem.definite and "'Nowhere'" in problem.text
    wrong = mail_config(policy_for(smtp_auth, lone_dovecot), {**MAIL_ENV, "IMAP_PASSWORD": "not-it"})
    assert wrong is not None
    [problem] = await check_imap(wrong)
    assert problem.definite and "refused the login" in problem.text and "not-it" not in problem.text


async def test_a_wrong_smtp_password_is_definite_and_silence_is_not(smtp_auth: SmtpServer) -> None:
    wrong = mail_config(policy_for(smtp_auth, None), {**MAIL_ENV, "SMTP_PASSWORD": "guess"})
    assert wrong is not None
    [problem] = await check_smtp(wrong)
    assert problem.definite and "email.smtp" in problem.text and "guess" not in problem.text
    data = mail_policy_data(free_port(), imap_port=free_port(), smtp_auth=True)  # nothing listens there
    silent = mail_config(Policy.model_validate(data), MAIL_ENV)
    assert silent is not None
    problems = await check_servers(silent)
    assert len(problems) == 2 and not any(p.definite for p in problems)


async def test_start_up_stops_on_a_refusal_and_starts_degraded_on_silence(
    smtp_auth: SmtpServer, mailbox: Dovecot, mailbot: object
) -> None:
    from bot.app import Secondline

    assert isinstance(mailbot, Secondline) and mailbot.mail is not None
    side = mailbot.mail
    refused = mail_config(policy_for(smtp_auth, mailbox), {**MAIL_ENV, "SMTP_PASSWORD": "guess"})
    assert refused is not None
    side.config = refused
    with pytest.raises(StartupProblem, match=r"email\.smtp"):
        await start_mail(side, mailbot.clock, read_mailbox=False)
    data = mail_policy_data(free_port(), smtp_auth=True)
    silent = mail_config(Policy.model_validate(data), MAIL_ENV)
    assert silent is not None
    side.config = silent
    assert await start_mail(side, mailbot.clock, read_mailbox=False) == []
    assert side.degraded() and "does not answer" in side.degraded()[0]


def test_check_config_tries_the_servers_one_line_per_problem(
    tmp_path: Path, smtp_auth: SmtpServer, lone_dovecot: Dovecot
) -> None:
    path = tmp_path / "policy.yml"
    data = mail_policy_data(smtp_auth.port, imap_port=lone_dovecot.port, smtp_auth=True, done_folder=None)
    path.write_text(yaml.safe_dump(data))
    env = {"PATH": "/usr/bin:/bin", **MAIL_ENV}
    run = [sys.executable, "-m", "bot", "check-config", str(path)]
    ok = subprocess.run(run, capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0, ok.stderr
    bad_env = {**env, "IMAP_PASSWORD": "no", "SMTP_PASSWORD": "nope"}
    bad = subprocess.run(run, capture_output=True, text=True, env=bad_env, timeout=60)
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert len(lines) == 2 and "email.inbound.imap" in lines[0] and "email.smtp" in lines[1]
    assert IMAP_PASSWORD not in bad.stderr and SMTP_PASSWORD not in bad.stderr
    unset = {k: v for k, v in env.items() if k != "SMTP_PASSWORD"}
    missing = subprocess.run(run, capture_output=True, text=True, env=unset, timeout=60)
    assert missing.returncode == 2 and "SMTP_PASSWORD is not set" in missing.stderr
