"""**Create issue** end to end: an engineer fills the Link issue form with a summary, the create-issue job
opens the issue on local stand-ins of GitHub's and Jira's REST APIs, and links it to the ticket; a 429 is
retried after its Retry-After, a refusal fails once and loudly (operators alerted, engineer told)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.ids import Action, Block, Callback
from bot.policy import Policy
from bot.policy.engineering import EngineeringSettings, GithubTarget, JiraTarget
from bot.standin import SlackStandIn
from bot.standin.payloads import select_value, text_value, view_submission
from models import IssueLink, Job, Ticket
from models.jobs import JobStatus
from tests.bot.engineering.trackers_standin import (
    GITHUB_TOKEN,
    JIRA_EMAIL,
    JIRA_TOKEN,
    PROJECT,
    REPO,
    TrackerStandIn,
    serve,
)
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import click, raise_ticket, thread_notes

ENGINEER = "U0ENG1"
SUMMARY = "Card payments from EU customers fail at the 3-D Secure step since 2.14."


@pytest.fixture
async def tracker() -> AsyncIterator[TrackerStandIn]:
    async for standin in serve(TrackerStandIn()):
        yield standin


@pytest.fixture
async def running(
    standin: SlackStandIn, database_url: str, clock: FakeClock, policy: Policy, tracker: TrackerStandIn
) -> AsyncIterator[RunningBot]:
    targets = EngineeringSettings(github=GithubTarget(repo=REPO), jira=JiraTarget(project=PROJECT))
    async for running_bot in start_bot(
        standin,
        database_url,
        clock,
        policy.model_copy(update={"engineering": targets}),
        github_api_url=tracker.base_url,
        github_token=GITHUB_TOKEN,
        jira_url=jira_url(tracker),  # another host name than GitHub's: links are recognised by host
        jira_email=JIRA_EMAIL,
        jira_token=JIRA_TOKEN,
    ):
        yield running_bot


def jira_url(tracker: TrackerStandIn) -> str:
    return tracker.base_url.replace("127.0.0.1", "localhost")


async def create_from_the_form(
    running: RunningBot,
    tracker: str = "github",
    summary: str = SUMMARY,
    url: str | None = None,
    title: str = "Checkout fails",
) -> tuple[Ticket, dict[str, Any]]:
    ticket = await raise_ticket(running, title=title, description="Our customer's own words")
    await click(running, ENGINEER, Action.LINK_ISSUE, ticket)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == Callback.LINK_ISSUE_MODAL
    values: dict[str, dict[str, dict[str, Any]]] = {
        Block.ISSUE_URL: {Action.ISSUE_URL: text_value(url)},
        Block.ISSUE_TRACKER: {Action.ISSUE_TRACKER: select_value(tracker)},
        Block.ISSUE_SUMMARY: {Action.ISSUE_SUMMARY: text_value(summary or None)},
    }
    status, text = await running.slack.send(
        *view_submission(
            ENGINEER, Callback.LINK_ISSUE_MODAL, values, private_metadata=form["private_metadata"]
        )
    )
    assert status == 200
    await running.settle()
    return ticket, (json.loads(text) if text.startswith("{") else {})


async def test_the_form_starts_empty_and_creates_and_links_a_github_issue(
    running: RunningBot, tracker: TrackerStandIn
) -> None:
    ticket, answer = await create_from_the_form(running)

    assert "errors" not in answer
    form = running.standin.calls_to("views.open")[-1].args["view"]
    summary_input = next(b for b in form["blocks"] if b.get("block_id") == Block.ISSUE_SUMMARY)
    assert "initial_value" not in summary_input["element"]  # never the customer's text unreviewed
    (created,) = tracker.created
    assert created["title"] == "Checkout fails"
    assert SUMMARY in created["body"] and f"SUP-{ticket.id}" in created["body"]
    assert "customer's own words" not in created["body"]
    (link,) = await IssueLink.all()
    assert (link.ticket_id, link.linked_by, link.url) == (ticket.id, ENGINEER, created["html_url"])
    assert any("linked the engineering issue" in n for n in thread_notes(running, ticket))


async def test_a_jira_issue_is_created_and_linked(running: RunningBot, tracker: TrackerStandIn) -> None:
    ticket, _ = await create_from_the_form(running, tracker="jira")

    (link,) = await IssueLink.all()
    assert (link.ticket_id, link.issue_key) == (ticket.id, f"jira:{PROJECT}-1")
    assert link.url == f"{jira_url(tracker)}/browse/{PROJECT}-1"


async def test_no_summary_or_both_a_link_and_a_summary_are_refused(
    running: RunningBot, tracker: TrackerStandIn
) -> None:
    _, answer = await create_from_the_form(running, summary="")
    assert Block.ISSUE_URL in answer["errors"]
    _, answer = await create_from_the_form(
        running, url=f"https://github.com/{REPO}/issues/9", title="Invoices show the wrong tax rate"
    )
    assert "not both" in answer["errors"][Block.ISSUE_SUMMARY]
    assert not tracker.seen and await IssueLink.all().count() == 0


async def test_a_rate_limit_is_retried_after_retry_after_and_creates_one_issue(
    running: RunningBot, tracker: TrackerStandIn
) -> None:
    tracker.script.append((429, {"Retry-After": "120"}, {"message": "API rate limit exceeded"}))
    ticket, _ = await create_from_the_form(running)

    assert len(tracker.seen) == 1 and await IssueLink.all().count() == 0
    job = await Job.get(kind="create_issue")
    assert job.due_at - running.clock.now() >= timedelta(seconds=120)
    running.clock.advance(timedelta(seconds=60))
    await running.settle()
    assert len(tracker.seen) == 1  # not before Retry-After
    running.clock.advance(timedelta(seconds=61))
    await running.settle()
    posts = [s for s in tracker.seen if s.method == "POST"]  # the retry looks for a lost issue first
    assert len(posts) == 2 and len(tracker.created) == 1
    (link,) = await IssueLink.all()
    assert link.ticket_id == ticket.id


@pytest.mark.parametrize(
    ("status", "body"), [(401, {"message": "Bad credentials"}), (422, {"message": "Validation Failed"})]
)
async def test_a_refusal_fails_once_and_loudly(
    running: RunningBot, tracker: TrackerStandIn, status: int, body: dict[str, str]
) -> None:
    tracker.script.append((status, {}, body))
    ticket, _ = await create_from_the_form(running)

    running.clock.advance(timedelta(hours=1))
    await running.settle()
    assert len(tracker.seen) == 1  # never retried
    job = await Job.get(kind="create_issue")
    assert job.status == JobStatus.FAILED
    assert str(status) in (job.last_error or "")
    assert await IssueLink.all().count() == 0
    notes = thread_notes(running, ticket)
    assert any(f"<@{ENGINEER}>" in n and "could not be created" in n for n in notes)
    operators = [
        c.args["text"]
        for c in running.standin.calls_to("chat.postMessage")
        if "needs an operator" in c.args.get("text", "")
    ]
    assert any(f"SUP-{ticket.id}" in t and str(status) in t for t in operators)


async def test_an_issue_created_but_its_answer_lost_is_found_on_the_retry_not_created_twice(
    running: RunningBot, tracker: TrackerStandIn
) -> None:
    tracker.lose_answers = 1  # GitHub created it, but the bot got a 502
    ticket, _ = await create_from_the_form(running)
    assert len(tracker.created) == 1 and await IssueLink.all().count() == 0

    running.clock.advance(timedelta(seconds=10))
    await running.settle()
    assert [(s.method, s.path) for s in tracker.seen] == [
        ("POST", f"/repos/{REPO}/issues"),
        ("GET", f"/repos/{REPO}/issues"),
    ]
    assert len(tracker.created) == 1
    (link,) = await IssueLink.all()
    assert (link.ticket_id, link.url) == (ticket.id, tracker.created[0]["html_url"])


async def test_a_jira_issue_whose_answer_was_lost_is_found_by_its_label_on_the_retry(
    running: RunningBot, tracker: TrackerStandIn
) -> None:
    tracker.drop_answers = 1  # Jira created it, but the connection closed before the answer
    ticket, _ = await create_from_the_form(running, tracker="jira")
    assert len(tracker.created) == 1 and await IssueLink.all().count() == 0

    running.clock.advance(timedelta(seconds=10))
    await running.settle()
    assert [(s.method, s.path) for s in tracker.seen] == [
        ("POST", "/rest/api/3/issue"),
        ("POST", "/rest/api/3/search/jql"),
    ]
    assert len(tracker.created) == 1
    (link,) = await IssueLink.all()
    assert (link.ticket_id, link.issue_key) == (ticket.id, f"jira:{PROJECT}-1")
