"""Imported first by every benchmark: puts the repository on the path and clears the environment variables
that would mislead the Slack clients. Also what several benchmarks share: the workspace's secrets, its
people and channels, and the raise form's answers. Benchmarks run from the plain install (`pip install -e
.`, no test extra), so nothing here or in any bench imports tests/."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.ids import Action, Block  # noqa: E402 (needs the path above)
from bot.policy import Policy  # noqa: E402
from bot.standin import SlackStandIn  # noqa: E402
from bot.standin.payloads import radio_value, select_value, text_value  # noqa: E402
from bot.standin.processes import MISLEADING  # noqa: E402

for name in MISLEADING:
    os.environ.pop(name, None)

BOT_TOKEN = "xoxb-bench-token"
SIGNING_SECRET = "bench-signing-secret"


def seed_workspace(standin: SlackStandIn, policy: Policy) -> None:
    """The policy's people, the support channel with the bot in it, and #general (everyone but the bot),
    where people type /support."""
    standin.seed_from_policy(policy)
    people = [uid for uid, user in standin.users.items() if not user.get("is_bot")]
    standin.add_channel("C0GENERAL", "general", members=people, bot_member=False)


def raise_values(
    title: str = "Checkout fails",
    priority: str = "P1",
    description: str = "Error 500 on pay",
    tried: str = "Restarted the app",
    environment: str = "production",
    category: str | None = "incident",
) -> dict[str, Any]:
    """The raise form's `view.state.values` as a key user fills it in."""
    values: dict[str, Any] = {
        Block.PRIORITY: {Action.PRIORITY: select_value(priority)},
        Block.ENVIRONMENT: {Action.ENVIRONMENT: radio_value(environment)},
        Block.TITLE: {Action.TITLE: text_value(title)},
        Block.DESCRIPTION: {Action.DESCRIPTION: text_value(description)},
        Block.TRIED: {Action.TRIED: text_value(tried)},
    }
    if category is not None:  # a policy with a scope asks what the ticket is about
        values[Block.CATEGORY] = {Action.CATEGORY: select_value(category)}
    return values
