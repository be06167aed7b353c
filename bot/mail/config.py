"""The policy's `email:` block with its secrets read from the environment variables it names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.policy import Policy
from bot.policy.email import EmailSettings
from bot.settings import SettingsError


@dataclass(frozen=True)
class MailConfig:
    settings: EmailSettings
    webhook_token: str | None
    imap_password: str | None
    smtp_password: str | None
    mailgun_signing_key: str | None

    @property
    def address(self) -> str:
        return self.settings.address

    def __repr__(self) -> str:  # never print secrets
        return f"MailConfig(address={self.address!r})"


def mail_config(policy: Policy, environment: Mapping[str, str]) -> MailConfig | None:
    """None without an `email:` block; a named variable that is not set stops the bot (SettingsError)."""
    spec = policy.email
    if spec is None:
        return None

    def needed(name: str | None, key: str) -> str | None:
        if name is None:
            return None
        value = environment.get(name, "").strip() or None
        if value is None:
            raise SettingsError(f"{name} is not set; the policy's {key} names it")
        return value

    inbound = spec.inbound
    return MailConfig(
        settings=spec,
        webhook_token=needed(
            inbound.webhook.token_env if inbound.webhook else None, "email.inbound.webhook.token_env"
        ),
        imap_password=needed(
            inbound.imap.password_env if inbound.imap else None, "email.inbound.imap.password_env"
        ),
        smtp_password=needed(spec.smtp.password_env, "email.smtp.password_env"),
        mailgun_signing_key=environment.get("MAILGUN_SIGNING_KEY", "").strip() or None,
    )
