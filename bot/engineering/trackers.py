"""**Create issue**: open a GitHub or Jira issue through their REST APIs, from the create-issue job.

A retried job first looks for the issue an earlier attempt may have created (its answer lost to a timeout
or a 502): on GitHub the job's marker in the newest issues' bodies, on Jira a label made of the marker, found
with JQL through the current search endpoint (`POST /rest/api/3/search/jql`; the old `/rest/api/3/search` is
removed on Jira Cloud and answers 410). Jira's search is eventually consistent, so an issue created moments
before may not show yet; the backoff between attempts leaves it time to.

Answers are sorted as Slack's are (bot/jobs/outcomes.py): a network error, a timeout, 429 (after its
`Retry-After`) or a 5xx is passing and retried with backoff; 401, 403, 404, 422 and any other 4xx mean
a token, repository, project or field is wrong, which retrying cannot mend: the job fails loudly.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.jobs.outcomes import Permanent, RetryLater
from bot.policy.engineering import EngineeringSettings

log = logging.getLogger(__name__)

GITHUB = "github"
JIRA = "jira"
NAMES = {GITHUB: "GitHub", JIRA: "Jira"}
TIMEOUT_SECONDS = 8  # a lookup and a create fit within one job attempt (bot/jobs/worker.py)
ERROR_TEXT_MAX = 300
SUMMARY_MAX = 3000
RECENT_ISSUES = 50  # searched for a retried job's marker
LABEL_CHARACTERS = re.compile(r"[^A-Za-z0-9_-]+")  # a Jira label has no spaces; keep it plain for JQL


@dataclass(frozen=True)
class NewIssue:
    title: str  # the ticket's title
    summary: str  # written by the engineer in the form
    reference: str  # the ticket's reference, SUP-42
    marker: str  # unique to the job, in the body: finds an issue an earlier attempt created

    @property
    def label(self) -> str:
        """The marker as a Jira label, which JQL matches exactly (`labels = "secondline-job-7"`)."""
        plain = LABEL_CHARACTERS.sub("-", self.marker).strip("-")
        return plain if plain.startswith("secondline") else f"secondline-{plain}"


@dataclass
class Trackers:
    github_api_url: str
    github_token: str | None
    jira_url: str | None
    jira_email: str | None
    jira_token: str | None
    session: Callable[[], aiohttp.ClientSession | None] = lambda: None  # the process's, once it runs

    def available(self, engineering: EngineeringSettings) -> list[str]:
        """The trackers this deployment can open issues in: policy target and credentials both set."""
        found = []
        if engineering.github is not None and self.github_token:
            found.append(GITHUB)
        if engineering.jira is not None and self.jira_url and self.jira_email and self.jira_token:
            found.append(JIRA)
        return found

    async def create(
        self, tracker: str, engineering: EngineeringSettings, issue: NewIssue, *, retrying: bool = False
    ) -> str:
        """Open the issue; its web URL (the one people paste, so bot/engineering/urls.py recognises it).

        `retrying`: an earlier attempt may have created it and lost the answer (a timeout, a 502); the
        tracker is searched for the job's marker first (GitHub: the newest issues' bodies; Jira: its label,
        by JQL), so it is not created twice.
        """
        if tracker == GITHUB and engineering.github is not None and self.github_token:
            if retrying:
                found = await self._github_find(engineering.github.repo, self.github_token, issue.marker)
                if found is not None:
                    return found
            return await self._github(engineering.github.repo, self.github_token, issue)
        if tracker == JIRA and engineering.jira is not None and self.jira_url and self.jira_token:
            if retrying:
                found = await self._jira_find(engineering.jira.project, self.jira_url, issue.label)
                if found is not None:
                    return found
            return await self._jira(engineering.jira.project, self.jira_url, issue)
        raise Permanent("not_configured", f"creating {NAMES.get(tracker, tracker)} issues is not set up")

    async def _github_find(self, repo: str, token: str, marker: str) -> str | None:
        url = f"{self.github_api_url.rstrip('/')}/repos/{repo}/issues"
        query = {"state": "all", "sort": "created", "direction": "desc", "per_page": str(RECENT_ISSUES)}
        answer = await self._call(GITHUB, "GET", url, _github_headers(token), None, query)
        for issue in answer if isinstance(answer, list) else []:
            if isinstance(issue, dict) and f"<!-- {marker} -->" in str(issue.get("body") or ""):
                html_url = issue.get("html_url")
                return html_url if isinstance(html_url, str) else None
        return None

    async def _github(self, repo: str, token: str, issue: NewIssue) -> str:
        headers = _github_headers(token)
        body = f"{issue.summary}\n\nSupport ticket: {issue.reference}\n\n<!-- {issue.marker} -->"
        url = f"{self.github_api_url.rstrip('/')}/repos/{repo}/issues"
        answer = await self._post(GITHUB, url, headers, {"title": issue.title, "body": body})
        html_url = answer.get("html_url")
        if not isinstance(html_url, str):
            raise Permanent("github_bad_answer", "GitHub created an issue but did not say its html_url")
        return html_url

    async def _jira_find(self, project: str, base: str, label: str) -> str | None:
        """The issue an earlier attempt created, by its label (JQL needs a bounded query: the project)."""
        url = f"{base.rstrip('/')}/rest/api/3/search/jql"
        search = {
            "jql": f"project = {_jql_string(project)} AND labels = {_jql_string(label)} ORDER BY created ASC",
            "maxResults": 1,
            "fields": ["labels"],  # by default only ids come back; asking for a field brings the key
        }
        answer = await self._post(JIRA, url, self._jira_headers(), search)
        issues = answer.get("issues")
        for found in issues if isinstance(issues, list) else []:
            key = found.get("key") if isinstance(found, dict) else None
            if isinstance(key, str):
                return f"{base.rstrip('/')}/browse/{key}"
        return None

    def _jira_headers(self) -> dict[str, str]:
        login = base64.b64encode(f"{self.jira_email or ''}:{self.jira_token or ''}".encode()).decode()
        return {"Authorization": f"Basic {login}", "Accept": "application/json"}

    async def _jira(self, project: str, base: str, issue: NewIssue) -> str:
        paragraphs = [issue.summary, f"Support ticket: {issue.reference}"]
        fields = {
            "project": {"key": project},
            "summary": issue.title,
            "issuetype": {"name": "Bug"},
            "description": adf_document(paragraphs),
            "labels": [issue.label],  # how a retry finds it (see _jira_find)
        }
        url = f"{base.rstrip('/')}/rest/api/3/issue"
        answer = await self._post(JIRA, url, self._jira_headers(), {"fields": fields})
        key = answer.get("key")
        if not isinstance(key, str):
            raise Permanent("jira_bad_answer", "Jira created an issue but did not say its key")
        return f"{base.rstrip('/')}/browse/{key}"

    async def _post(
        self, tracker: str, url: str, headers: dict[str, str], payload: dict[str, Any]
    ) -> dict[str, Any]:
        answer = await self._call(tracker, "POST", url, headers, payload, None)
        if not isinstance(answer, dict):
            raise Permanent(f"{tracker}_bad_answer", f"{NAMES[tracker]} answered {str(answer)[:80]!r}")
        return answer

    async def _call(
        self,
        tracker: str,
        method: str,
        url: str,
        headers: dict[str, str],
        payload: dict[str, Any] | None,
        query: dict[str, str] | None,
    ) -> Any:
        shared = self.session()
        session = shared or aiohttp.ClientSession()
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        try:
            async with session.request(
                method, url, json=payload, params=query, headers=headers, timeout=timeout
            ) as r:
                text = await r.text()
                if r.status in (200, 201):
                    try:
                        return json.loads(text)
                    except ValueError as exc:
                        message = f"{NAMES[tracker]} answered {text[:80]!r}"
                        raise Permanent(f"{tracker}_bad_answer", message) from exc
                raise _sorted(tracker, r.status, r.headers, text)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryLater(f"{NAMES[tracker]} unreachable: {type(exc).__name__}: {exc}") from exc
        finally:
            if shared is None:
                await session.close()


def _sorted(tracker: str, status: int, headers: Any, text: str) -> Exception:
    name = NAMES[tracker]
    after = _retry_after(headers.get("Retry-After"))
    limited = status == 429 or (
        status == 403 and (after is not None or headers.get("X-RateLimit-Remaining") == "0")
    )
    if limited:  # GitHub's secondary rate limit is a 403 with Retry-After
        return RetryLater(f"{name} rate limit ({status})", after)
    if status >= 500:
        return RetryLater(f"{name} answered {status}", after)
    detail = " ".join(text.split())[:ERROR_TEXT_MAX]
    return Permanent(f"{tracker}_{status}", f"{name} refused the issue ({status}): {detail}")


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:  # an HTTP date: let the backoff decide
        return None


def _jql_string(value: str) -> str:
    """A JQL string literal: quoted, its quotes and backslashes escaped."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _github_headers(token: str) -> dict[str, str]:
    return {
        "Authorization": f"Bearer {token}",
        "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28",
    }


def adf_document(paragraphs: list[str]) -> dict[str, Any]:
    """Atlassian Document Format: one paragraph per non-empty block of text (empty text nodes are invalid)."""
    content = []
    for block in paragraphs:
        for part in block.split("\n\n"):
            if part.strip():
                content.append({"type": "paragraph", "content": [{"type": "text", "text": part.strip()}]})
    return {"type": "doc", "version": 1, "content": content}
