"""Which URLs name an engineering issue, and the one key each issue gets."""

from __future__ import annotations

import pytest

from bot.engineering.urls import IssueRef, Recogniser

PLAIN = Recogniser.from_urls(None, None)
ENTERPRISE = Recogniser.from_urls("https://ghe.example.com/api/v3", "https://jira.example.com")


@pytest.mark.parametrize(
    ("url", "key", "label"),
    [
        (
            "https://github.com/Octo/Hello-World/issues/12",
            "github:github.com/octo/hello-world#12",
            "octo/hello-world#12",
        ),
        (
            "https://github.com/octo/hello-world/pull/12/",
            "github:github.com/octo/hello-world#12",
            "octo/hello-world#12",
        ),
        ("<https://github.com/octo/app/issues/7|octo/app#7>", "github:github.com/octo/app#7", "octo/app#7"),
        ("https://acme.atlassian.net/browse/PAY-123", "jira:PAY-123", "PAY-123"),
        ("https://linear.app/acme/issue/ENG-42/checkout-fails-on-pay", "linear:ENG-42", "ENG-42"),
        ("https://linear.app/acme/issue/eng-42", "linear:ENG-42", "ENG-42"),
    ],
)
def test_recognised(url: str, key: str, label: str) -> None:
    found = PLAIN.parse(url)
    assert found is not None
    assert (found.key, found.label) == (key, label)


def test_an_issue_and_its_pull_request_url_differ_only_in_kind() -> None:
    issue = PLAIN.parse("https://github.com/o/r/issues/3")
    pull = PLAIN.parse("https://github.com/o/r/pull/3")
    assert issue is not None and pull is not None and issue.key == pull.key


def test_enterprise_hosts_come_from_the_settings() -> None:
    assert PLAIN.parse("https://ghe.example.com/o/r/issues/1") is None
    assert ENTERPRISE.parse("https://ghe.example.com/o/r/issues/1") == IssueRef(
        "github", "github:ghe.example.com/o/r#1", "https://ghe.example.com/o/r/issues/1"
    )
    assert PLAIN.parse("https://jira.example.com/browse/OPS-9") is None
    found = ENTERPRISE.parse("https://jira.example.com/browse/OPS-9")
    assert found is not None and found.key == "jira:OPS-9"


@pytest.mark.parametrize(
    "url",
    [
        "",
        "not a url",
        "ftp://github.com/o/r/issues/1",
        "https://github.com/o/r",
        "https://github.com/o/r/issues/",
        "https://github.com/o/r/issues/1/comments",
        "https://github.com/o/r/discussions/1",
        "https://gitlab.com/o/r/issues/1",
        "https://evil.example/github.com/o/r/issues/1",
        "https://github.com.evil.example/o/r/issues/1",
        "https://acme.atlassian.net/wiki/spaces/X",
        "https://linear.app/acme/project/foo",
        "https://[::1/o",
        "https://github.com/o/r/issues/1" + "9" * 600,
    ],
)
def test_not_an_issue(url: str) -> None:
    assert PLAIN.parse(url) is None
