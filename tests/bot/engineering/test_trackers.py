"""Create issue's REST calls against local stand-ins of GitHub's and Jira's APIs: what is sent, and how
each answer is sorted (created, retried later, or failed for good)."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.engineering.trackers import GITHUB, JIRA, NewIssue, Trackers
from bot.jobs.outcomes import Permanent, RetryLater
from bot.policy.engineering import EngineeringSettings, GithubTarget, JiraTarget
from tests.bot.engineering.trackers_standin import (
    GITHUB_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    PROJECT,
    REPO,
    TrackerStandIn,
    serve,
)

SETTINGS = EngineeringSettings(github=GithubTarget(repo=REPO), jira=JiraTarget(project=PROJECT))
ISSUE = NewIssue(
    "Checkout fails", "The pay button errors on EU cards.\n\nSteps: …", "SUP-42", "secondline-job:7"
)


@pytest.fixture
async def tracker() -> AsyncIterator[TrackerStandIn]:
    async for standin in serve(TrackerStandIn()):
        yield standin


def trackers(standin: TrackerStandIn, token: str = GITHUB_TOKEN, jira_token: str = JIRA_TOKEN) -> Trackers:
    return Trackers(standin.base_url, token, standin.base_url, JIRA_EMAIL, jira_token)


async def test_a_github_issue_is_created_as_the_api_documents(tracker: TrackerStandIn) -> None:
    url = await trackers(tracker).create(GITHUB, SETTINGS, ISSUE)

    assert url == f"https://github.com/{REPO}/issues/1"
    (seen,) = tracker.seen
    assert (seen.method, seen.path) == ("POST", f"/repos/{REPO}/issues")
    assert seen.headers["Authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert seen.headers["Accept"] == "application/vnd.github+json"
    assert seen.headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert seen.body["title"] == "Checkout fails"
    assert seen.body["body"].startswith("The pay button errors on EU cards.")
    assert "SUP-42" in seen.body["body"]


async def test_a_jira_issue_is_created_with_basic_auth_and_a_document(tracker: TrackerStandIn) -> None:
    url = await trackers(tracker).create(JIRA, SETTINGS, ISSUE)

    assert url == f"{tracker.base_url}/browse/{PROJECT}-1"
    (seen,) = tracker.seen
    assert (seen.method, seen.path) == ("POST", "/rest/api/3/issue")
    assert (
        seen.headers["Authorization"]
        == "Basic " + base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()
    )
    fields = seen.body["fields"]
    assert fields["project"] == {"key": PROJECT} and fields["issuetype"] == {"name": "Bug"}
    assert fields["summary"] == "Checkout fails"
    texts = [p["content"][0]["text"] for p in fields["description"]["content"]]
    assert texts[:3] == ["The pay button errors on EU cards.", "Steps: …", "Support ticket: SUP-42"]
    assert fields["labels"] == ["secondline-job-7"]  # the job's marker, which JQL finds exactly


@pytest.mark.parametrize("lost", ["502", "connection dropped"])
async def test_a_jira_issue_whose_answer_was_lost_is_found_on_the_retry_not_created_twice(
    tracker: TrackerStandIn, lost: str
) -> None:
    if lost == "502":
        tracker.lose_answers = 1
    else:
        tracker.drop_answers = 1
    with pytest.raises(RetryLater):  # Jira created it; the bot never heard
        await trackers(tracker).create(JIRA, SETTINGS, ISSUE)
    assert len(tracker.created) == 1

    url = await trackers(tracker).create(JIRA, SETTINGS, ISSUE, retrying=True)

    assert url == f"{tracker.base_url}/browse/{PROJECT}-1"
    assert len(tracker.created) == 1
    search = tracker.seen[-1]
    assert (search.method, search.path) == ("POST", "/rest/api/3/search/jql")
    assert search.headers["Authorization"] == tracker.seen[0].headers["Authorization"]
    assert search.body["jql"].startswith(f'project = "{PROJECT}" AND labels = "secondline-job-7"')


async def test_a_retried_jira_job_that_created_nothing_creates_the_issue_once(
    tracker: TrackerStandIn,
) -> None:
    other = NewIssue("Invoices", "Wrong tax.", "SUP-41", "secondline-job:6")
    await trackers(tracker).create(JIRA, SETTINGS, other)  # another job's issue is not this one's
    tracker.script.append((503, {}, {"errorMessages": ["Service Unavailable"]}))
    with pytest.raises(RetryLater):
        await trackers(tracker).create(JIRA, SETTINGS, ISSUE)

    url = await trackers(tracker).create(JIRA, SETTINGS, ISSUE, retrying=True)

    assert url == f"{tracker.base_url}/browse/{PROJECT}-2"
    assert [issue["fields"]["labels"] for issue in tracker.created] == [
        ["secondline-job-6"],
        ["secondline-job-7"],
    ]


async def test_429_is_retried_after_what_retry_after_asked(tracker: TrackerStandIn) -> None:
    tracker.script.append((429, {"Retry-After": "30"}, {"message": "API rate limit exceeded"}))
    with pytest.raises(RetryLater) as caught:
        await trackers(tracker).create(GITHUB, SETTINGS, ISSUE)
    assert caught.value.after == 30
    tracker.script.append((503, {}, {}))
    with pytest.raises(RetryLater):
        await trackers(tracker).create(JIRA, SETTINGS, ISSUE)
    assert not tracker.created


@pytest.mark.parametrize(
    ("token", "settings", "code"),
    [
        ("wrong", SETTINGS, "github_401"),
        (GITHUB_TOKEN, EngineeringSettings(github=GithubTarget(repo="acme/missing")), "github_404"),
    ],
)
async def test_a_wrong_token_or_repository_fails_for_good(
    tracker: TrackerStandIn, token: str, settings: EngineeringSettings, code: str
) -> None:
    with pytest.raises(Permanent) as caught:
        await trackers(tracker, token=token).create(GITHUB, settings, ISSUE)
    assert caught.value.code == code
    assert not tracker.created


async def test_422_and_a_refused_jira_login_fail_for_good(tracker: TrackerStandIn) -> None:
    tracker.script.append((422, {}, {"message": "Validation Failed"}))
    with pytest.raises(Permanent) as caught:
        await trackers(tracker).create(GITHUB, SETTINGS, ISSUE)
    assert caught.value.code == "github_422" and "Validation Failed" in str(caught.value)
    with pytest.raises(Permanent) as caught:
        await trackers(tracker, jira_token="wrong").create(JIRA, SETTINGS, ISSUE)
    assert caught.value.code == "jira_401"


async def test_an_unreachable_tracker_is_retried() -> None:
    unreachable = Trackers("http://127.0.0.1:9", GITHUB_TOKEN, None, None, None)
    with pytest.raises(RetryLater):
        await unreachable.create(GITHUB, SETTINGS, ISSUE)


def test_only_trackers_with_a_target_and_credentials_are_offered() -> None:
    assert Trackers("https://api.github.com", "t", None, None, None).available(SETTINGS) == [GITHUB]
    assert Trackers("https://api.github.com", None, "https://x", "e", "t").available(SETTINGS) == [JIRA]
    assert (
        Trackers("https://api.github.com", "t", "https://x", "e", "t").available(EngineeringSettings()) == []
    )


async def test_the_jira_stand_in_searches_as_strictly_as_jira(tracker: TrackerStandIn) -> None:
    await trackers(tracker).create(JIRA, SETTINGS, ISSUE)
    login = base64.b64encode(f"{JIRA_EMAIL}:{JIRA_TOKEN}".encode()).decode()
    headers = {"Authorization": f"Basic {login}", "Accept": "application/json"}
    search = f"{tracker.base_url}/rest/api/3/search/jql"
    bounded = f'project = "{PROJECT}" AND labels = "secondline-job-7"'
    async with aiohttp.ClientSession() as session:

        async def post(url: str, body: object, sent: dict[str, str] = headers) -> tuple[int, dict]:
            async with session.post(url, json=body, headers=sent) as answer:
                return answer.status, await answer.json()

        assert (await post(search, {"jql": bounded}))[1] == {"issues": [{"id": "10001"}], "isLast": True}
        status, found = await post(search, {"jql": bounded, "fields": ["labels"]})
        assert found["issues"][0]["key"] == f"{PROJECT}-1" and found["issues"][0]["fields"] == {
            "labels": ["secondline-job-7"]
        }
        assert (await post(search, {"jql": "ORDER BY created DESC"}))[0] == 400  # unbounded
        assert (await post(search, {"jql": "summary = x"}))[0] == 400  # a field it cannot search
        assert (await post(search, {"jql": bounded, "startAt": 0}))[0] == 400  # not in the new API
        assert (await post(search, {"jql": bounded}, {"Accept": "application/json"}))[0] == 401
        status, removed = await post(f"{tracker.base_url}/rest/api/3/search", {"jql": bounded})
        assert status == 410 and "/rest/api/3/search/jql" in removed["errorMessages"][0]
