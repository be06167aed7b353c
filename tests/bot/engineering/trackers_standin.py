"""Local stand-ins of GitHub's and Jira Cloud's REST APIs for creating an issue, on a free port.

They check what the real APIs document and refuse the way they do:
- GitHub `POST /repos/{owner}/{repo}/issues` (docs.github.com/rest/issues/issues#create-an-issue): a
  `Bearer` token (else 401 "Bad credentials"), `Accept: application/vnd.github+json`,
  `X-GitHub-Api-Version: 2022-11-28`, a JSON body whose `title` is required (else 422 "Validation
  Failed"); an unknown repository is 404 "Not Found". 201 answers the issue: `number`, `html_url`, ….
- Jira `POST /rest/api/3/issue` (developer.atlassian.com, Issues → Create issue): Basic auth with the
  account's e-mail and API token (else 401), `fields.project.key`, `fields.summary`,
  `fields.issuetype.name` and `fields.description` as an Atlassian Document Format doc (version 1,
  paragraphs of non-empty text nodes), `fields.labels` a list of labels without spaces (else 400 "The
  label … contains spaces which is invalid."). 201 answers `{id, key, self}`.
- Jira `POST /rest/api/3/search/jql` (Issue search → Search for issues using JQL enhanced search): Basic
  auth; a JSON body of the documented keys only (`jql`, `maxResults` 1-5000, `fields`, `nextPageToken`, …;
  another key is 400); a bounded JQL (at least one restriction before `ORDER BY`, else 400 "Unbounded JQL
  queries are not allowed here."), of which this stand-in reads `project = …` and `labels = …` joined by
  AND (another field is 400, as Jira answers a field it does not know). It answers `{"issues": [...],
  "isLast": true}`, each issue only `{"id"}` unless `fields` asks for more (then `id`, `key`, `self` and
  the fields asked for), paged by `nextPageToken`. The old `GET`/`POST /rest/api/3/search` are removed on
  Jira Cloud: 410 with Atlassian's message.
`script` queues answers to give instead (429 with Retry-After, 5xx, …), one per request; `lose_answers`
creates that many issues but answers 502, as a gateway that timed out after GitHub or Jira created it
would; `drop_answers` creates that many and closes the connection without an answer.
GitHub's `GET /repos/{owner}/{repo}/issues` lists them newest first (`state`, `sort`, `direction`,
`per_page` as documented).
"""

from __future__ import annotations

import base64
import json
import re
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
    drop_answers: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/repos/{owner}/{repo}/issues", self._github)
        app.router.add_get("/repos/{owner}/{repo}/issues", self._github_list)
        app.router.add_post("/rest/api/3/issue", self._jira)
        app.router.add_post("/rest/api/3/search/jql", self._jira_search)
        app.router.add_route("*", "/rest/api/3/search", self._jira_removed)
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
        return self._answer_created(request, issue)

    def _answer_created(self, request: web.Request, issue: dict[str, Any]) -> web.Response:
        """Created: answered, or the answer lost on the way back (a 502, or the connection closed)."""
        if self.lose_answers:
            self.lose_answers -= 1
            return web.json_response({"message": "Bad Gateway"}, status=502)
        if self.drop_answers and request.transport is not None:
            self.drop_answers -= 1
            request.transport.close()
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
        if not _jira_authenticated(request):
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
        return self._answer_created(request, issue)

    async def _jira_search(self, request: web.Request) -> web.Response:
        body = await self._record(request)
        if (scripted := self._scripted()) is not None:
            return scripted
        if not _jira_authenticated(request):
            return web.json_response({"errorMessages": ["You are not authenticated."]}, status=401)
        if not isinstance(body, dict):
            return _jira_error("Invalid request payload. Refer to the REST API documentation and try again.")
        unknown = set(body) - SEARCH_KEYS
        if unknown:
            return _jira_error(f'Unrecognized field "{sorted(unknown)[0]}"')
        jql, wanted, size = body.get("jql"), body.get("fields", ["id"]), body.get("maxResults", 50)
        if not isinstance(jql, str):
            return _jira_error("The JQL query is required.")
        if not isinstance(size, int) or not 1 <= size <= 5000:
            return _jira_error("maxResults must be between 1 and 5000.")
        if not isinstance(wanted, list) or not all(isinstance(f, str) for f in wanted):
            return _jira_error("fields must be a list of field names.")
        try:
            restrictions = _jql_restrictions(jql)
        except ValueError as exc:
            return _jira_error(str(exc))
        matching = [
            issue
            for issue in self.created
            if "key" in issue and all(_jira_matches(issue, f, v) for f, v in restrictions)
        ]
        start = int(body.get("nextPageToken") or 0)
        page = matching[start : start + size]
        shown = [self._jira_shown(issue, wanted) for issue in page]
        answer: dict[str, Any] = {"issues": shown, "isLast": start + size >= len(matching)}
        if not answer["isLast"]:
            answer["nextPageToken"] = str(start + size)
        return web.json_response(answer)

    def _jira_shown(self, issue: dict[str, Any], wanted: list[str]) -> dict[str, Any]:
        if wanted == ["id"]:  # the default: ids only
            return {"id": issue["id"]}
        fields = {name: issue["fields"].get(name) for name in wanted if name != "id"}
        return {"expand": "", "id": issue["id"], "self": issue["self"], "key": issue["key"], "fields": fields}

    async def _jira_removed(self, request: web.Request) -> web.Response:
        await self._record(request)
        message = (
            "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full "
            "migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
        )
        return web.json_response({"errorMessages": [message], "errors": {}}, status=410)


SEARCH_KEYS = {
    "jql",
    "maxResults",
    "fields",
    "nextPageToken",
    "expand",
    "properties",
    "fieldsByKeys",
    "failFast",
    "reconcileIssues",
}
JQL_CLAUSE = re.compile(r'\s*(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|[\w-]+)\s*', re.IGNORECASE)
JQL_FIELDS = {"project", "labels"}  # what this stand-in can search; Jira refuses fields it does not know


def _jira_authenticated(request: web.Request) -> bool:
    expected = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()
    return request.headers.get("Authorization") == f"Basic {expected}"


def _jira_error(message: str) -> web.Response:
    return web.json_response({"errorMessages": [message], "errors": {}}, status=400)


def _jql_restrictions(jql: str) -> list[tuple[str, str]]:
    """`field = value AND …` before an optional ORDER BY; an unbounded or unreadable query is refused."""
    parts = re.split(r"\bORDER\s+BY\b", jql, maxsplit=1, flags=re.IGNORECASE)
    where, order = parts[0], (parts[1] if len(parts) > 1 else None)
    if not where.strip():
        raise ValueError(
            "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
        )
    if order is not None and not re.fullmatch(r"\s*\w+(\s+(ASC|DESC))?\s*", order, re.IGNORECASE):
        raise ValueError(f"Error in the JQL Query: the ORDER BY clause {order.strip()!r} is not valid.")
    clauses = []
    for part in re.split(r"\bAND\b", where, flags=re.IGNORECASE):
        match = JQL_CLAUSE.fullmatch(part)
        if match is None:
            raise ValueError(f"Error in the JQL Query: expecting 'field = value' but got {part.strip()!r}.")
        field, value = match.group(1).lower(), match.group(2)
        if field not in JQL_FIELDS:
            raise ValueError(
                f"Field '{match.group(1)}' does not exist or you do not have permission to view it."
            )
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        clauses.append((field, value))
    return clauses


def _jira_matches(issue: dict[str, Any], field: str, value: str) -> bool:
    if field == "project":
        return issue["key"].split("-")[0] == value
    return value in (issue["fields"].get("labels") or [])


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
    labels = fields.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) and label for label in labels):
        problems["labels"] = "labels must be a list of strings"
    elif bad := [label for label in labels if " " in label]:
        problems["labels"] = f"The label '{bad[0]}' contains spaces which is invalid."
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
