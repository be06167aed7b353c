"""The policy's `engineering:` block: how long a key user has to say a shipped fix still fails, and where
**Create issue** opens issues (`github.repo: owner/name`, `jira.project: KEY`)."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from bot.policy.base import Duration, Strict

CONFIRM_WITHIN_DEFAULT = timedelta(hours=45)


class GithubTarget(Strict):
    repo: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$")


class JiraTarget(Strict):
    project: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,30}$")


class EngineeringSettings(Strict):
    # Business time on the ticket's plan calendar, from the fix shipping to the ticket resolving itself.
    confirm_within: Duration = CONFIRM_WITHIN_DEFAULT
    github: GithubTarget | None = None
    jira: JiraTarget | None = None
