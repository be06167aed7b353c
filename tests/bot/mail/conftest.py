"""Fixtures for the mail tests: a dovecot started once per session, aiosmtpd per test, and the bot built
(database open, worker driven by the test) on a policy pointing at them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot import db
from bot.app import Secondline, build
from bot.clock import FakeClock
from bot.policy import Policy
from bot.settings import Settings
from tests.conftest import BOT_TOKEN, EXAMPLE_POLICY, SIGNING_SECRET, service_missing
from tests.mailservers import MAIL_ENV, Dovecot, SmtpServer, mail_policy_data, smtp_server


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    try:
        server = Dovecot.start()
    except (FileNotFoundError, TimeoutError, OSError) as exc:
        service_missing("dovecot (Debian's dovecot-imapd)", exc)
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lone_dovecot() -> Iterator[Dovecot]:
    """A dovecot of its own, for a test that logs in with a wrong password: dovecot delays every later
    login from the same address by seconds (its auth penalty), which would slow the other tests."""
    try:
        server = Dovecot.start()
    except (FileNotFoundError, TimeoutError, OSError) as exc:
        service_missing("dovecot (Debian's dovecot-imapd)", exc)
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def mailbox(dovecot: Dovecot) -> Dovecot:
    await dovecot.reset("Done")
    return dovecot


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


@pytest.fixture
def imap_policy(smtp: SmtpServer, dovecot: Dovecot) -> Policy:
    return Policy.model_validate(mail_policy_data(smtp.port, imap_port=dovecot.port))


def mail_settings(database_url: str, **environment: str) -> Settings:
    return Settings(
        bot_token=BOT_TOKEN,
        signing_secret=SIGNING_SECRET,
        support_config=Path(EXAMPLE_POLICY),
        database_url=database_url,
        slack_api_url="http://127.0.0.1:9/api/",  # never called by these tests
        environment={**MAIL_ENV, **environment},
    )


@pytest.fixture
async def mailbot(database_url: str, clock: FakeClock, imap_policy: Policy) -> AsyncIterator[Secondline]:
    await db.start_database(database_url)
    try:
        yield build(mail_settings(database_url), imap_policy, clock, run_worker=False)
    finally:
        await db.stop_database()
