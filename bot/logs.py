"""Logging for operators: one line per meaningful event, as text or JSON, secrets never shown."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# A password inside a connection URL, a Slack token, a `password=...` pair: shown as ***.
_SECRETS = (
    (re.compile(r"(?P<keep>://[^/\s:@]*:)[^@\s/]+(?=@)"), r"\g<keep>***"),  # user optional: redis://:pw@h
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"), "xox*-***"),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), "xapp-***"),
    (re.compile(r"(?P<keep>['\"]?password['\"]?\s*[:=]\s*['\"]?)[^'\",\s}]+", re.IGNORECASE), r"\g<keep>***"),
)
# Loggers whose INFO lines are not events an operator needs (per-request access lines, ORM start/stop).
_QUIET = {"aiohttp.access": logging.WARNING, "tortoise": logging.WARNING, "asyncio": logging.WARNING}
_BOLT_NOISE = "As you gave `client` as well, `token` will be unused."


def redact(text: str) -> str:
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Applied to every record at the handler, whatever library logged it (Tortoise logs its connection
    settings at DEBUG)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message == _BOLT_NOISE:
            return False  # Bolt reads SLACK_BOT_TOKEN itself even when handed a client; nothing is wrong
        cleaned = redact(message)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log shippers."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str, fmt: str) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactSecrets())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name, quiet in _QUIET.items():
        logging.getLogger(name).setLevel(max(quiet, logging.getLevelName(level)))
