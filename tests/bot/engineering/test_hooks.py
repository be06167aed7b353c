"""Reading webhook deliveries: GitHub's published examples, Jira's and Linear's documented payloads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.engineering import hooks
from bot.engineering.hooks import Happened, Malformed
from bot.engineering.urls import Recogniser
from tests.bot.engineering.documented import JIRA_DONE, LINEAR_DONE, jira_reopened, linear_cancelled
from tests.bot.engineering.examples import (
    example,
    issue_closed_completed,
    issue_closed_not_planned,
    pull_request_merged,
)

RECOGNISE = Recogniser.from_urls(None, None)
Examples = dict[str, list[dict[str, Any]]]


def _github(event: str, payload: dict[str, Any]) -> hooks.IssueNews:
    headers = {"X-GitHub-Event": event, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958"}
    return hooks.github(json.dumps(payload).encode(), headers, RECOGNISE)


def test_github_issue_closed_as_completed_ships(octokit: Examples) -> None:
    news = _github("issues", issue_closed_completed(octokit))
    assert news.issue_key == "github:github.com/codertocat/hello-world#1"
    assert news.happened == Happened.SHIPPED


def test_github_merged_pull_request_ships_and_an_unmerged_one_does_not(octokit: Examples) -> None:
    merged = _github("pull_request", pull_request_merged(octokit))
    assert (merged.issue_key, merged.happened) == (
        "github:github.com/codertocat/hello-world#2",
        Happened.SHIPPED,
    )
    unmerged = _github("pull_request", example(octokit, "pull_request", "closed"))
    assert unmerged.happened == Happened.NOT_PLANNED


def test_github_reopened_and_not_planned_are_only_noted(octokit: Examples) -> None:
    assert _github("issues", example(octokit, "issues", "reopened")).happened == Happened.REOPENED
    assert _github("issues", issue_closed_not_planned(octokit)).happened == Happened.NOT_PLANNED
    assert _github("issues", example(octokit, "issues", "labeled")).happened == Happened.OTHER


def test_github_issue_on_an_unknown_host_names_no_issue(octokit: Examples) -> None:
    payload = issue_closed_completed(octokit)
    payload["issue"]["html_url"] = "https://ghe.example.com/o/r/issues/1"  # GITHUB_API_URL not set for it
    assert _github("issues", payload).issue_key is None


def test_github_signature_is_hmac_sha256_of_the_raw_body() -> None:
    body = b'{"zen": "Keep it logically awesome."}'
    good = {"X-Hub-Signature-256": "sha256=" + hooks.hmac_hex("s3cret", body)}
    assert hooks.github_signed("s3cret", body, good)
    assert not hooks.github_signed("other", body, good)
    assert not hooks.github_signed("s3cret", body + b" ", good)
    assert not hooks.github_signed("s3cret", body, {})


def test_jira_done_ships_with_its_fix_version_and_a_reopen_is_noted() -> None:
    headers = {"X-Atlassian-Webhook-Identifier": "1234-abcd"}
    news = hooks.jira(json.dumps(JIRA_DONE).encode(), headers)
    assert (news.issue_key, news.happened, news.release) == ("jira:PAY-123", Happened.SHIPPED, "2.4.1")
    assert news.dedupe_id == "hook:jira:1234-abcd"
    reopened = hooks.jira(json.dumps(jira_reopened()).encode(), {})
    assert reopened.happened == Happened.REOPENED
    assert reopened.delivery_id == "1763395200000:10002"  # no header: the payload's timestamp and issue id


def test_linear_completed_ships_and_cancelled_is_noted() -> None:
    body = json.dumps(LINEAR_DONE).encode()
    news = hooks.linear(body, {"Linear-Delivery": "234d1a4e-b617-4388-90fe-adc3633d6b72"}, RECOGNISE)
    assert (news.issue_key, news.happened) == ("linear:ENG-42", Happened.SHIPPED)
    assert hooks.linear_signed("k", body, {"Linear-Signature": hooks.hmac_hex("k", body)})
    assert not hooks.linear_signed("k", body, {"Linear-Signature": hooks.hmac_hex("other", body)})
    cancelled = hooks.linear(json.dumps(linear_cancelled()).encode(), {}, RECOGNISE)
    assert cancelled.happened == Happened.NOT_PLANNED
    assert cancelled.delivery_id == f"{LINEAR_DONE['webhookId']}:{LINEAR_DONE['createdAt']}"


@pytest.mark.parametrize("body", [b"", b"not json", b"[1, 2]", b'{"action": "closed"}', b'{"issue": "x"}'])
def test_unreadable_bodies_are_malformed(body: bytes) -> None:
    with pytest.raises(Malformed):
        hooks.github(body, {"X-GitHub-Event": "issues", "X-GitHub-Delivery": "d"}, RECOGNISE)
    with pytest.raises(Malformed):
        hooks.jira(body, {"X-Atlassian-Webhook-Identifier": "d"})


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[1, 2]", b'{"type": "Issue", "action": "update"}', b'{"type": "Issue", "data": {}}'],
)
def test_unreadable_linear_bodies_are_malformed(body: bytes) -> None:
    with pytest.raises(Malformed):
        hooks.linear(body, {"Linear-Delivery": "d"}, RECOGNISE)


def test_long_delivery_ids_still_fit_one_row() -> None:
    news = hooks.IssueNews("linear", "x" * 300, None, Happened.OTHER)
    assert len(news.dedupe_id) <= 64
