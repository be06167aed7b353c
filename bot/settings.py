"""Process settings, read from the environment once at start and passed down."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

SLACK_API_DEFAULT = "https://slack.com/api/"
GITHUB_API_DEFAULT = "https://api.github.com"
DEFAULT_DATABASE_URL = "sqlite://data/secondline.sqlite3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
# Every variable the bot reads (the README's settings table, compose.yaml and the systemd example use these).
ENV_VARS = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "SUPPORT_CONFIG",
    "DATABASE_URL",
    "REDIS_URL",
    "PORT",
    "LOG_LEVEL",
    "LOG_FORMAT",
    "MAILGUN_SIGNING_KEY",
    "GITHUB_API_URL",
    "JIRA_URL",
    "GITHUB_WEBHOOK_SECRET",
    "JIRA_WEBHOOK_SECRET",
    "LINEAR_WEBHOOK_SECRET",
    "GITHUB_TOKEN",
    "JIRA_EMAIL",
    "JIRA_TOKEN",
    # and the variables the policy's `email:` block names (token_env, password_env)
)
LOG_FORMATS = ("text", "json")


class SettingsError(Exception):
    """A setting that is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    bot_token: str
    signing_secret: str
    support_config: Path
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = SLACK_API_DEFAULT
    redis_url: str | None = None
    port: int = 3000
    app_token: str | None = None
    log_level: str = "INFO"
    log_format: str = "text"
    # Engineering issues (bot/engineering/): where they live, and the webhooks' secrets (unset: no route).
    github_api_url: str = GITHUB_API_DEFAULT
    jira_url: str | None = None
    github_webhook_secret: str | None = field(default=None, repr=False)
    jira_webhook_secret: str | None = field(default=None, repr=False)
    linear_webhook_secret: str | None = field(default=None, repr=False)
    # Create issue (bot/engineering/trackers.py): GitHub's token, Jira's account e-mail and API token.
    github_token: str | None = field(default=None, repr=False)
    jira_email: str | None = field(default=None, repr=False)
    jira_token: str | None = field(default=None, repr=False)
    # The environment as it was at start: the policy's `email:` block names the variables holding its
    # secrets, read from here (bot/mail/config.py), never from the file.
    environment: Mapping[str, str] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:  # never print secrets
        return (
            f"Settings(database_url={_redact(self.database_url)!r}, slack_api_url={self.slack_api_url!r}, "
            f"redis_url={_redact(self.redis_url)!r}, port={self.port}, "
            f"socket_mode={self.app_token is not None})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env

        def required(name: str, prefix: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise SettingsError(f"{name} is not set; copy it from your Slack app's settings ({prefix}…)")
            return value

        token = required("SLACK_BOT_TOKEN", "xoxb-")
        if not token.startswith("xoxb-"):
            raise SettingsError(
                "SLACK_BOT_TOKEN must be the Bot User OAuth Token (xoxb-…), from OAuth & Permissions"
            )
        secret = required("SLACK_SIGNING_SECRET", "Basic Information → Signing Secret: ")
        port_text = env.get("PORT", "3000").strip() or "3000"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError(f"PORT must be a TCP port number, not {port_text!r}")
        api_url = env.get("SLACK_API_URL", "").strip() or SLACK_API_DEFAULT
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError(f"SLACK_API_URL must be an http(s) URL, not {api_url!r}")
        database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
        if not database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
            raise SettingsError("DATABASE_URL must start with sqlite:// or postgres://")
        app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
        if app_token is not None and not app_token.startswith("xapp-"):
            raise SettingsError("SLACK_APP_TOKEN must be an app-level token (xapp-…)")
        log_level = env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO"
        if log_level not in LOG_LEVELS:
            raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {log_level!r}")
        log_format = env.get("LOG_FORMAT", "text").strip().lower() or "text"
        if log_format not in LOG_FORMATS:
            raise SettingsError(f"LOG_FORMAT must be text or json, not {log_format!r}")
        engineering_urls = {}
        for name in ("GITHUB_API_URL", "JIRA_URL"):
            value = env.get(name, "").strip()
            if value and not value.startswith(("http://", "https://")):
                raise SettingsError(f"{name} must be an http(s) URL, not {value!r}")
            engineering_urls[name] = value or None
        return cls(
            github_api_url=engineering_urls["GITHUB_API_URL"] or GITHUB_API_DEFAULT,
            jira_url=engineering_urls["JIRA_URL"],
            github_webhook_secret=env.get("GITHUB_WEBHOOK_SECRET", "").strip() or None,
            jira_webhook_secret=env.get("JIRA_WEBHOOK_SECRET", "").strip() or None,
            linear_webhook_secret=env.get("LINEAR_WEBHOOK_SECRET", "").strip() or None,
            github_token=env.get("GITHUB_TOKEN", "").strip() or None,
            jira_email=env.get("JIRA_EMAIL", "").strip() or None,
            jira_token=env.get("JIRA_TOKEN", "").strip() or None,
            bot_token=token,
            signing_secret=secret,
            support_config=Path(env.get("SUPPORT_CONFIG", "").strip() or "config/support.example.yml"),
            database_url=database_url,
            slack_api_url=api_url if api_url.endswith("/") else api_url + "/",
            redis_url=env.get("REDIS_URL", "").strip() or None,
            port=int(port_text),
            app_token=app_token,
            log_level=log_level,
            log_format=log_format,
            environment=dict(env),
        )


def environment() -> dict[str, str]:
    """The environment, for commands that check the secrets a policy names (check-config)."""
    return dict(os.environ)


def data_sources(env: Mapping[str, str] | None = None) -> tuple[str, Path]:
    """DATABASE_URL and SUPPORT_CONFIG alone, for the commands that read the data but not Slack."""
    env = os.environ if env is None else env
    database_url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    if not database_url.startswith(("sqlite://", "postgres://", "postgresql://", "asyncpg://")):
        raise SettingsError("DATABASE_URL must start with sqlite:// or postgres://")
    return database_url, Path(env.get("SUPPORT_CONFIG", "").strip() or "config/support.example.yml")


def _redact(url: str | None) -> str | None:
    """Hide a password in a connection URL."""
    if url is None or "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    credentials, _, host = rest.rpartition("@")
    user = credentials.partition(":")[0]
    return f"{scheme}://{user}:***@{host}"
