"""Real bot processes (`python -m bot`) for crash and multi-replica tests: bot/standin/processes.py, with
the test suite's signing secret."""

from __future__ import annotations

from pathlib import Path

from bot.standin import SlackStandIn, processes
from bot.standin.processes import free_port
from tests.conftest import SIGNING_SECRET

__all__ = ["FAST_POLICY", "BotProcess", "free_port"]

# 24x7, with SLA targets and ladder offsets of seconds, so a test can watch a whole ladder run.
FAST_POLICY = """
support_channel: C0SUPPORT
calendars:
  always: {timezone: UTC, hours: 24x7}
plans:
  enterprise:
    calendar: always
    first_response: {P1: 4s, P2: 4s, P3: 4s, P4: 4s}
escalation:
  levels:
    lead: [U0LEAD]
    manager: [U0MGR]
    executive: [U0EXEC1, U0EXEC2]
  ladder:
    P1:
      - {page: lead, after: first_response, unless: claimed}
      - {page: manager, after: 6s, unless: resolved}
      - {page: executive, after: 8s, unless: resolved}
    default:
      - {page: lead, after: first_response, unless: claimed}
engineers: [U0ENG1]
customers:
  acme: {name: Acme Corp, plan: enterprise, key_users: [U0KEY1]}
"""


class BotProcess(processes.BotProcess):
    def __init__(
        self,
        standin: SlackStandIn,
        workdir: Path,
        policy: Path,
        database_url: str,
        redis_url: str | None = None,
    ) -> None:
        super().__init__(standin, workdir, policy, database_url, redis_url, signing_secret=SIGNING_SECRET)
