"""The one workspace the stand-in plays, and Slack-shaped ids and timestamps for it."""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable

TEAM_ID = "T0TEAM"
TEAM_DOMAIN = "acme"
APP_ID = "A0APP"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
DEFAULT_TOKEN = "xoxb-test-token"
DEFAULT_TZ = "America/Chicago"
VERIFICATION_TOKEN = "vErIfIcAtIoNtOkEn0000000"  # deprecated by Slack, still sent; Bolt ignores it

_seq = itertools.count(1)


def dm_channel_for(user_id: str) -> str:
    """The im channel id the stand-in gives a user's DM with the bot: ``U0KEY1`` -> ``D0KEY1``."""
    return "D" + user_id[1:]


def is_user_id(value: str) -> bool:
    """``U…``/``W…`` ids, which Slack accepts as a channel meaning "the app's DM with that person"."""
    return len(value) > 1 and value[0] in "UW" and value[1:].isalnum() and value.isupper()


def next_seq() -> int:
    return next(_seq)


def new_trigger_id() -> str:
    """A unique trigger id shaped like Slack's (``13345224609.738474920.8088930838d88f008e0``)."""
    return f"{13345224609 + next(_seq)}.738474920.{secrets.token_hex(10)[:19]}"


def new_event_id() -> str:
    return "Ev" + secrets.token_hex(5).upper()


def new_ts(at: float | None = None) -> str:
    """A Slack message/action timestamp ("1700000123.456789") for wall time ``at`` (default now)."""
    micros = int((time.time() if at is None else at) * 1_000_000)
    return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


class TsSequence:
    """Increasing, unique message timestamps that are, as Slack's are, the epoch time of the message
    (``wall()``: seconds), bumped by ``step`` microseconds when two come in the same instant.

    Without ``wall``: a deterministic ``1700000000.000100``, ``1700000000.000200``… that tests may name.
    """

    def __init__(
        self,
        wall: Callable[[], float] | None = None,
        start_micros: int = 1_700_000_000_000_000,
        step: int = 100,
    ) -> None:
        self.wall = wall
        self.micros = start_micros
        self.step = step

    def next(self) -> str:
        self.micros += self.step
        if self.wall is not None:
            self.micros = max(self.micros, int(self.wall() * 1_000_000))
        return f"{self.micros // 1_000_000}.{self.micros % 1_000_000:06d}"
