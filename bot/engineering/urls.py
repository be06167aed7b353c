"""Recognise an engineering issue from its URL: GitHub issues and pull requests, Jira and Linear issues.

Each issue gets one canonical key, the same whether it comes from a link someone pasted or from a webhook
about it, so a delivery finds every ticket that links the issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

GITHUB_COM = "github.com"
ATLASSIAN_CLOUD = ".atlassian.net"
LINEAR_HOST = "linear.app"
URL_MAX = 500

_GITHUB_PATH = re.compile(r"^/([A-Za-z0-9_.-]{1,100})/([A-Za-z0-9_.-]{1,100})/(issues|pull)/(\d{1,9})/?$")
_JIRA_PATH = re.compile(r"^/browse/([A-Za-z][A-Za-z0-9_]{0,30}-\d{1,9})/?$")
_LINEAR_PATH = re.compile(r"^/[^/]{1,100}/issue/([A-Za-z][A-Za-z0-9]{0,20}-\d{1,9})(?:/[^/]*)?/?$")


@dataclass(frozen=True)
class IssueRef:
    provider: str  # github | jira | linear
    key: str  # canonical: github:host/owner/repo#12, jira:KEY-12, linear:ABC-12
    url: str

    @property
    def label(self) -> str:
        """How people write it: owner/repo#12, KEY-12, ABC-12."""
        if self.provider == "github":
            return self.key.split("/", 1)[1]
        return self.key.split(":", 1)[1]


def host_of(url: str | None) -> str | None:
    """The lower-case host of a setting such as GITHUB_API_URL or JIRA_URL (None when unset)."""
    if not url:
        return None
    return (urlsplit(url.strip()).hostname or "").lower() or None


@dataclass(frozen=True)
class Recogniser:
    """The hosts issues may live on: github.com plus a GitHub Enterprise host, Atlassian Cloud plus a
    self-hosted Jira."""

    github_hosts: frozenset[str] = frozenset({GITHUB_COM})
    jira_hosts: frozenset[str] = frozenset()

    @classmethod
    def from_urls(cls, github_api_url: str | None, jira_url: str | None) -> Recogniser:
        github = {GITHUB_COM}
        api_host = host_of(github_api_url)
        if api_host and api_host != "api.github.com":  # GitHub Enterprise: https://ghe.example.com/api/v3
            github.add(api_host)
        return cls(frozenset(github), frozenset(h for h in [host_of(jira_url)] if h))

    def parse(self, text: str) -> IssueRef | None:
        """The issue a URL points at, or None when it is not one we recognise."""
        url = text.strip().strip("<>").split("|", 1)[0]  # Slack wraps links as <url|label>
        if len(url) > URL_MAX:
            return None
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower()
        except ValueError:  # a malformed port or bracket: not a URL we know
            return None
        if parts.scheme not in ("https", "http") or not host:
            return None
        if host in self.github_hosts or host == "www." + GITHUB_COM:
            return _github(host.removeprefix("www."), parts.path, url)
        if host.endswith(ATLASSIAN_CLOUD) or host in self.jira_hosts:
            match = _JIRA_PATH.match(parts.path)
            return IssueRef("jira", f"jira:{match.group(1).upper()}", url) if match else None
        if host == LINEAR_HOST:
            match = _LINEAR_PATH.match(parts.path)
            return IssueRef("linear", f"linear:{match.group(1).upper()}", url) if match else None
        return None


def _github(host: str, path: str, url: str) -> IssueRef | None:
    match = _GITHUB_PATH.match(path)
    if match is None:
        return None
    owner, repo, _, number = match.groups()
    # Issues and pull requests share one numbering per repository; names are case-insensitive.
    return IssueRef("github", f"github:{host}/{owner.lower()}/{repo.lower()}#{int(number)}", url)
