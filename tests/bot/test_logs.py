"""Logging for operators: secrets hidden wherever they turn up (arguments, tracebacks, any library), one JSON
object per line when asked, library chatter kept quiet even at DEBUG."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from bot import logs

TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
APP_TOKEN = "xapp-1-A0TEST-1234567890-abcdef0123456789"
PASSWORD = "s3cr3t-Pa55"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            f"postgres://secondline:{PASSWORD}@db.internal:5432/secondline",
            "postgres://secondline:***@db.internal",
        ),
        pytest.param(
            f"redis://:{PASSWORD}@redis.internal:6379/0",
            "redis://:***@redis.internal",
            id="redis-url-without-user",
        ),
        (f"Authorization: Bearer {TOKEN}", "Authorization: Bearer xox*-***"),
        (f"token={APP_TOKEN}&x=1", "token=xapp-***&x=1"),
        (f"{{'password': '{PASSWORD}', 'host': 'db'}}", "{'password': '***', 'host': 'db'}"),
        (f"password={PASSWORD} user=bot", "password=*** user=bot"),
    ],
)
def test_secrets_are_hidden_in_any_text(text: str, shown: str) -> None:
    assert shown in logs.redact(text)
    assert PASSWORD not in logs.redact(text) and TOKEN not in logs.redact(text)


def test_text_without_secrets_is_left_alone() -> None:
    text = "SUP-42 paged U0LEAD (lead level, step P1.0), see https://acme.slack.com/archives/C0SUPPORT/p1"
    assert logs.redact(text) == text


@pytest.fixture
def configured() -> Iterator[None]:
    """logs.configure() on the real root logger; put back as pytest had it afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    quiet = {name: logging.getLogger(name).level for name in ("tortoise", "aiohttp.access", "asyncio")}
    yield
    root.handlers[:], root.level = saved
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


def printed(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_secret_in_an_argument_or_a_traceback_is_never_printed(
    configured: None, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    logs.configure("DEBUG", fmt)
    log = logging.getLogger("some.library")
    log.debug("connecting to %s", f"postgres://bot:{PASSWORD}@db/secondline")
    try:
        raise ConnectionError(f"auth failed for {TOKEN} on postgres://bot:{PASSWORD}@db/x")
    except ConnectionError:
        log.exception("could not connect")
    output = "\n".join(printed(capsys))
    assert "postgres://bot:***@db/secondline" in output and "could not connect" in output
    assert "ConnectionError" in output  # the traceback is kept, only the secrets go
    assert PASSWORD not in output and TOKEN not in output


def test_json_logs_are_one_object_per_line_even_for_tracebacks(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("INFO", "json")
    log = logging.getLogger("bot.jobs.worker")
    log.info("two\nlines")
    try:
        raise ValueError("bad\npayload")
    except ValueError:
        log.exception("job 7 (post_ticket) failed")
    lines = printed(capsys)
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert (
        first["message"] == "two\nlines" and first["level"] == "INFO" and first["logger"] == "bot.jobs.worker"
    )
    assert second["level"] == "ERROR" and "ValueError: bad\npayload" in second["error"]
    assert first["time"].endswith("+00:00")


def test_library_chatter_stays_quiet_even_at_debug(
    configured: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logs.configure("DEBUG", "text")
    logging.getLogger("tortoise").info("Tortoise-ORM started, {...}")
    logging.getLogger("aiohttp.access").info('127.0.0.1 "POST /slack/events HTTP/1.1" 200')
    logging.getLogger("slack_bolt.AsyncApp").warning("As you gave `client` as well, `token` will be unused.")
    logging.getLogger("bot.db").debug("migrations applied")
    logging.getLogger("tortoise").warning("a real problem")
    lines = printed(capsys)
    assert len(lines) == 2, lines
    assert "DEBUG bot.db: migrations applied" in lines[0]
    assert "WARNING tortoise: a real problem" in lines[1]
