"""Local stand-ins of GitHub's and Jira Cloud's REST APIs for creating an issue, on a free port.

They check what the real APIs document and refuse the way they do:
- GitHub `POST /repos/{owner}/{repo}/issues` (docs.github.com/rest/issues/issues#create-an-issue): a
  `Bearer` token (else 401 "Bad credentials"), `Accept: application/vnd.github+json`,
  `X-GitHub-Api-Version: 2022-11-28`, a JSON body whose `title` is required (else 422 "Validation
  Failed"); an unknown repository is 404 "Not Found". 201 answers the issue: `number`, `html_url`, ….
- Jira `POST /rest/api/3/issue` (developer.atlassian.com, Issues → Create issue): Basic auth with the
  account's e-mail and API token (else 401), `fields.project.key`, `fields.summary`,
  `fields.issuetype.name` and `fields.description` as an Atlassian Document Format doc (version 1,
  paragraphs of non-empty text nodes). 201 answers `{id, key, self}`.
`script` queues answers to give instead (429 with Retry-After, 5xx, …), one per request; `lose_answers`
creates that many issues but answers 502, as a gateway that timed out after GitHub created it would.
GitHub's `GET /repos/{owner}/{repo}/issues` lists them newest first (`state`, `sort`, `direction`,
`per_page` as documented).
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

GITHUB_TOKEN = "ghp_test_token"
JIRA_EMAIL = "bot@example.com"
JIRA_TOKEN = "jira-api-token"
REPO = "Codertocat/Hello-World"
PROJECT = "SUP"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class TrackerStandIn:
    seen: list[Seen] = field(default_factory=list)
    script: list[tuple[int, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    created: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    lose_answers: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/repos/{owner}/{repo}/issues", self._github)
        app.router.add_get("/repos/{owner}/{repo}/issues", self._github_list)
        app.router.add_post("/rest/api/3/issue", self._jira)
        return app

    async def _record(self, request: web.Request) -> Any:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.seen.append(Seen(request.method, request.path, dict(request.headers), body))
        return body

    def _scripted(self) -> web.Response | None:
        if not self.script:
            return None
        status, headers, body = self.script.pop(0)
        return web.json_response(body, status=status, headers=headers)

    async def _github(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if (scripted := self._scripted()) is not None:
            return scripted
        if request.headers.get("Authorization") != f"Bearer {GITHUB_TOKEN}":
            return web.json_response({"message": "Bad credentials", "status": "401"}, status=401)
        if request.headers.get("Accept") != "application/vnd.github+json":
            return web.json_response({"message": "Unsupported media type"}, status=415)
        if request.headers.get("X-GitHub-Api-Version") != "2022-11-28":
            return web.json_response({"message": "Unsupported API version"}, status=400)
        owner, repo = request.match_info["owner"], request.match_info["repo"]
        if f"{owner}/{repo}" != REPO:
            return web.json_response({"message": "Not Found", "status": "404"}, status=404)
        if not isinstance(body, dict) or not isinstance(body.get("title"), str) or not body["title"]:
            return web.json_response(
                {"message": "Validation Failed", "errors": [{"resource": "Issue", "code": "missing_field"}]},
                status=422,
            )
        number = len(self.created) + 1
        issue = {
            "id": 1000 + number,
            "number": number,
            "url": f"{self.base_url}/repos/{REPO}/issues/{number}",
            "html_url": f"https://github.com/{REPO}/issues/{number}",
            "title": body["title"],
            "body": body.get("body"),
            "state": "open",
        }
        self.created.append(issue)
        if self.lose_answers:
            self.lose_answers -= 1
            return web.json_response({"message": "Bad Gateway"}, status=502)
        return web.json_response(issue, status=201)

    async def _github_list(self, request: web.Request) -> web.Response:
        await self._record(request)
        if request.headers.get("Authorization") != f"Bearer {GITHUB_TOKEN}":
            return web.json_response({"message": "Bad credentials", "status": "401"}, status=401)
        query = request.query
        if (query.get("state"), query.get("sort"), query.get("direction")) != ("all", "created", "desc"):
            return web.json_response({"message": "the bot must ask for all issues, newest first"}, status=400)
        per_page = int(query.get("per_page", "30"))
        if not 1 <= per_page <= 100:
            return web.json_response({"message": "per_page must be 1 to 100"}, status=422)
        return web.json_response(list(reversed(self.created))[:per_page])

    async def _jira(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if (scripted := self._scripted()) is not None:
            return scripted
        expected = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return web.json_response({"errorMessages": ["You are not authenticated."]}, status=401)
        problems = _jira_problems(body)
        if problems:
            return web.json_response({"errorMessages": [], "errors": problems}, status=400)
        number = len(self.created) + 1
        issue = {
            "id": str(10000 + number),
            "key": f"{PROJECT}-{number}",
            "self": f"{self.base_url}/rest/api/3/issue/{10000 + number}",
        }
        self.created.append({**issue, "fields": body["fields"]})
        return web.json_response(issue, status=201)


def _jira_problems(body: Any) -> dict[str, str]:
    fields = body.get("fields") if isinstance(body, dict) else None
    if not isinstance(fields, dict):
        return {"fields": "fields are required"}
    problems = {}
    if (fields.get("project") or {}).get("key") != PROJECT:
        problems["project"] = "valid project is required"
    if not isinstance(fields.get("summary"), str) or not fields["summary"]:
        problems["summary"] = "You must specify a summary of the issue."
    if (fields.get("issuetype") or {}).get("name") != "Bug":
        problems["issuetype"] = "valid issue type is required"
    doc = fields.get("description")
    paragraphs = doc.get("content") if isinstance(doc, dict) else None
    if not (
        isinstance(doc, dict)
        and doc.get("type") == "doc"
        and doc.get("version") == 1
        and isinstance(paragraphs, list)
        and all(
            p.get("type") == "paragraph"
            and all(n.get("type") == "text" and n.get("text") for n in p.get("content", []))
            for p in paragraphs
        )
    ):
        problems["description"] = "Operation value must be an Atlassian Document."
    return problems


async def serve(standin: TrackerStandIn) -> AsyncIterator[TrackerStandIn]:
    server = TestServer(standin.app(), host="127.0.0.1")
    await server.start_server()
    standin.base_url = str(server.make_url("")).rstrip("/")
    try:
        yield standin
    finally:
        await server.close()
