"""A local stand-in for Slack: the Web API an app calls, and the requests Slack sends the app.

``SlackStandIn`` serves the Web API on 127.0.0.1 as strictly as Slack does (where the app may post,
scopes, rate limits, file uploads, response URLs); :mod:`bot.standin.payloads` builds and signs what
Slack sends. Used by the tests, the benchmarks and a browser playground, so nothing here needs pytest.
"""

from bot.standin.files import StoredFile
from bot.standin.ids import (
    APP_ID,
    BOT_ID,
    BOT_USER_ID,
    DEFAULT_TOKEN,
    DEFAULT_TZ,
    TEAM_DOMAIN,
    TEAM_ID,
    dm_channel_for,
)
from bot.standin.limits import METHOD_TIERS, TIERS, Limits
from bot.standin.recording import Call
from bot.standin.responses import Response
from bot.standin.server import SlackStandIn
from bot.standin.workspace import DEFAULT_SCOPES, Channel

__all__ = [
    "APP_ID",
    "BOT_ID",
    "BOT_USER_ID",
    "DEFAULT_SCOPES",
    "DEFAULT_TOKEN",
    "DEFAULT_TZ",
    "METHOD_TIERS",
    "TEAM_DOMAIN",
    "TEAM_ID",
    "TIERS",
    "Call",
    "Channel",
    "Limits",
    "Response",
    "SlackStandIn",
    "StoredFile",
    "dm_channel_for",
]
