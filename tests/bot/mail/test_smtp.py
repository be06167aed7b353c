"""Sending through an SMTP server that requires a login (aiosmtpd with AUTH): the message arrives whole,
with its threading and Auto-Submitted headers, from the support address."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot import db
from bot.clock import FakeClock
from bot.jobs.kinds import SendMail
from bot.jobs.outcomes import Permanent
from bot.mail.config import mail_config
from bot.mail.smtp import SmtpSender
from bot.policy import Policy
from models import Job
from tests.mailservers import MAIL_ENV, SUPPORT, SmtpServer, mail_policy_data, settle_smtp, smtp_server

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


@pytest.fixture
def smtp_auth() -> Iterator[SmtpServer]:
    yield from smtp_server(require_auth=True)


def sender(smtp: SmtpServer, clock: FakeClock, **env: str) -> SmtpSender:
    policy = Policy.model_validate(mail_policy_data(smtp.port, smtp_auth=True))
    config = mail_config(policy, {**MAIL_ENV, **env})
    assert config is not None
    return SmtpSender(config, clock)


JOB = SendMail(
    message_id="secondline.7.claimed@vendor.example",
    to=["anna@acme.example"],
    cc=["boss@acme.example"],
    subject="[SUP-7] Orders do not sync",
    text="A support engineer has taken your ticket.",
    in_reply_to="root@mail.acme.example",
    references=["root@mail.acme.example", "secondline.6.raised@vendor.example"],
    auto_submitted="auto-generated",
)


@pytest.fixture
async def database(sqlite_url: str) -> AsyncIterator[None]:
    await db.start_database(sqlite_url)
    yield
    await db.stop_database()


async def test_a_mail_sent_with_a_login_arrives_with_its_threading(
    smtp_auth: SmtpServer, clock: FakeClock, database: None
) -> None:
    await sender(smtp_auth, clock).send(JOB, Job(id=1, payload={}))
    await settle_smtp()
    [message] = smtp_auth.recorder.messages
    assert smtp_auth.recorder.logins == ["support@vendor.example"]
    assert smtp_auth.recorder.envelopes[0] == (SUPPORT, ["anna@acme.example", "boss@acme.example"])
    assert message["Message-ID"] == "<secondline.7.claimed@vendor.example>"
    assert message["In-Reply-To"] == "<root@mail.acme.example>"
    assert message["References"] == "<root@mail.acme.example> <secondline.6.raised@vendor.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Subject"] == "[SUP-7] Orders do not sync"


async def test_a_refused_login_fails_the_job_for_good(smtp_auth: SmtpServer, clock: FakeClock) -> None:
    with pytest.raises(Permanent) as refused:
        await sender(smtp_auth, clock, SMTP_PASSWORD="wrong").send(JOB, Job(id=1, payload={}))
    assert refused.value.code.startswith("smtp_5") and "wrong" not in str(refused.value)
    assert smtp_auth.recorder.messages == []
