"""Engineering issues end to end: an engineer links a ticket with `/support link`, the issue tracker's
webhook says the fix shipped, the key user is told, and the ticket resolves itself after
`engineering.confirm_within` of business time, unless the key user says it still fails.

Real HTTP throughout: Slack-signed requests to /slack/events, signed webhook deliveries to /hooks/…,
GitHub's published example payloads (tests/bot/engineering/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from bot.clock import FakeClock
from bot.engineering.hooks import hmac_hex
from bot.ids import Action, Block, Callback
from bot.policy import Policy
from bot.standin import SlackStandIn
from bot.standin.payloads import block_actions, select_value, text_value, view_submission
from models import IssueLink, Job, Page, ProcessedEvent, SlaClock, Ticket, TicketEvent, TicketStatus
from tests.bot.engineering.documented import JIRA_DONE, LINEAR_DONE
from tests.bot.engineering.examples import example, issue_closed_completed, octokit, pull_request_merged
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import channel_message, click, command, raise_ticket, thread_notes

GITHUB_SECRET = "gh-webhook-secret"
JIRA_SECRET = "jira-webhook-secret"
LINEAR_SECRET = "linear-webhook-secret"
ISSUE_URL = "https://github.com/Codertocat/Hello-World/issues/1"  # the issue of the published examples
PULL_URL = "https://github.com/Codertocat/Hello-World/pull/2"
Examples = dict[str, list[dict[str, Any]]]
__all__ = ["octokit"]  # the fixture
# 45 business hours from Tuesday 17 Nov 2026 10:00 US Central on the Standard calendar (Mon–Fri 08–17):
# 7 + 9 + 9 + 9 + 9 = 43 by Monday's close, 2 more on Tuesday 24 Nov: 10:00 Central, 16:00 UTC.
KEY_USER = "U0KEY2"
CONFIRM_DUE = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)


@pytest.fixture
async def running(
    standin: SlackStandIn, database_url: str, clock: FakeClock, policy: Policy
) -> AsyncIterator[RunningBot]:
    async for running_bot in start_bot(
        standin,
        database_url,
        clock,
        policy,
        github_webhook_secret=GITHUB_SECRET,
        jira_webhook_secret=JIRA_SECRET,
        linear_webhook_secret=LINEAR_SECRET,
    ):
        yield running_bot


async def deliver(
    running: RunningBot,
    path: str,
    payload: dict[str, Any] | bytes,
    headers: dict[str, str],
    *,
    secret: str | None = None,
) -> tuple[int, dict[str, Any]]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    if path == "/hooks/github" and "X-Hub-Signature-256" not in headers:
        headers = {**headers, "X-Hub-Signature-256": "sha256=" + hmac_hex(secret or GITHUB_SECRET, body)}
    if path == "/hooks/linear" and "Linear-Signature" not in headers:
        headers = {**headers, "Linear-Signature": hmac_hex(secret or LINEAR_SECRET, body)}
    async with aiohttp.ClientSession() as session:
        url = running.server.make_url(path)
        async with session.post(
            url, data=body, headers={"Content-Type": "application/json", **headers}
        ) as answer:
            status, text = answer.status, await answer.text()
    await running.settle()
    return status, json.loads(text) if text.startswith("{") else {}


def github_headers(event: str, delivery: str) -> dict[str, str]:
    return {"X-GitHub-Event": event, "X-GitHub-Delivery": delivery}


def dms(running: RunningBot, user: str) -> list[dict[str, Any]]:
    return [c.args for c in running.standin.posts_to(user)]


async def linked_ticket(running: RunningBot, url: str = ISSUE_URL, title: str = "Checkout fails") -> Ticket:
    # Globex's key user, on the Standard plan's business-hours calendar.
    ticket = await raise_ticket(
        running, KEY_USER, title=title, description=f"{title}: error 500", priority="P2"
    )
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    answer = await command(running, "U0ENG1", f"link SUP-{ticket.id} {url}")
    assert f"SUP-{ticket.id} now links" in answer
    return await Ticket.get(id=ticket.id)


async def test_fix_shipped_tells_the_key_user_and_resolves_after_the_confirmation_window(
    running: RunningBot, octokit: Examples
) -> None:
    ticket = await linked_ticket(running)
    other = await linked_ticket(
        running, title="Invoices will not print"
    )  # several tickets may link one issue
    assert await IssueLink.filter(issue_key="github:github.com/codertocat/hello-world#1").count() == 2

    status, answer = await deliver(
        running, "/hooks/github", issue_closed_completed(octokit), github_headers("issues", "d-1")
    )
    assert (status, answer["outcome"]) == (200, "shipped")
    for one in (ticket, other):
        assert (await Ticket.get(id=one.id)).status == TicketStatus.FIX_SHIPPED
        assert any("<@U0ENG1>: the fix shipped" in n for n in thread_notes(running, one))
    told = [m for m in dms(running, KEY_USER) if "has shipped" in m["text"]]
    assert len(told) == 1  # both notices in one DM (bot/outbox/reporter.py coalesces), a button each
    assert f"SUP-{ticket.id}" in told[0]["text"] and f"SUP-{other.id}" in told[0]["text"]
    assert json.dumps(told[0]["blocks"]).count(Action.FIX_STILL_FAILS) == 2
    assert "github.com" not in json.dumps(told)  # the issue's URL is internal

    # A redelivery changes nothing and tells nobody again.
    notes_before = len(thread_notes(running, ticket))
    status, answer = await deliver(
        running, "/hooks/github", issue_closed_completed(octokit), github_headers("issues", "d-1")
    )
    assert (status, answer["outcome"]) == (200, "duplicate")
    assert len(thread_notes(running, ticket)) == notes_before
    assert len([m for m in dms(running, KEY_USER) if "has shipped" in m["text"]]) == 1

    # Resolved only once 45 business hours have passed on the plan's calendar.
    timer = await Job.get(kind="confirm_fix", ticket_id=ticket.id)
    assert abs(timer.due_at - CONFIRM_DUE) < timedelta(minutes=1), timer.due_at
    running.clock.set(timer.due_at - timedelta(minutes=1))
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED
    running.clock.set(timer.due_at)
    await running.settle()
    resolved = await Ticket.get(id=ticket.id)
    assert resolved.status == TicketStatus.RESOLVED and resolved.resolved_at == timer.due_at
    assert any("resolved itself" in n for n in thread_notes(running, ticket))
    assert any("now resolved" in m["text"] for m in dms(running, KEY_USER))

    # The pull request that fixed it merges later (or an old delivery comes again after its id was
    # forgotten): a ticket this loop resolved stays resolved, and nobody is told again.
    told_before = len(dms(running, KEY_USER))
    status, _ = await deliver(
        running, "/hooks/github", issue_closed_completed(octokit), github_headers("issues", "d-1-later")
    )
    assert status == 200 and (await Ticket.get(id=ticket.id)).status == TicketStatus.RESOLVED
    assert len(dms(running, KEY_USER)) == told_before


async def test_still_fails_keeps_the_ticket_open_with_its_history(
    running: RunningBot, octokit: Examples
) -> None:
    ticket = await linked_ticket(running, PULL_URL)
    status, _ = await deliver(
        running, "/hooks/github", pull_request_merged(octokit), github_headers("pull_request", "d-2")
    )
    assert status == 200 and (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED

    async def still_fails(user: str) -> None:
        body, content_type = block_actions(
            user,
            Action.FIX_STILL_FAILS,
            str(ticket.id),
            block_id=Block.FIX_ACTIONS,
            channel_id="D" + user[1:],
        )
        status, _ = await running.slack.send(body, content_type)
        assert status == 200
        await running.settle()

    await still_fails("U0KEY1")  # another customer's key user cannot answer for this ticket
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED
    await still_fails(KEY_USER)

    reopened = await Ticket.get(id=ticket.id)
    assert reopened.status == TicketStatus.OPEN
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]
    assert kinds.index("issue_linked") < kinds.index("fix_shipped") < kinds.index("fix_still_fails")
    assert any("does not solve it" in n for n in thread_notes(running, ticket))

    # The confirmation timer that was pending does nothing now.
    running.clock.set(CONFIRM_DUE + timedelta(hours=1))
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN


async def test_unverified_unknown_and_malformed_deliveries(running: RunningBot, octokit: Examples) -> None:
    ticket = await linked_ticket(running)
    payload = issue_closed_completed(octokit)
    events_before = await TicketEvent.filter(ticket_id=ticket.id).count()

    status, _ = await deliver(
        running, "/hooks/github", payload, github_headers("issues", "d-3"), secret="wrong"
    )
    assert status == 401
    status, _ = await deliver(running, "/hooks/jira?secret=wrong", JIRA_DONE, {})
    assert status == 401
    status, _ = await deliver(running, "/hooks/linear", LINEAR_DONE, {"Linear-Delivery": "x"}, secret="wrong")
    assert status == 401
    assert await ProcessedEvent.filter(event_id__startswith="hook:").count() == 0

    status, answer = await deliver(running, "/hooks/github", b"{not json", github_headers("issues", "d-4"))
    assert status == 400 and "error" in answer
    status, _ = await deliver(running, "/hooks/github", payload, {"X-GitHub-Event": "issues"})
    assert status == 400  # no delivery id

    unknown = example(octokit, "issues", "reopened")
    unknown["issue"]["html_url"] = "https://github.com/Codertocat/Hello-World/issues/999"
    status, answer = await deliver(running, "/hooks/github", unknown, github_headers("issues", "d-5"))
    assert (status, answer["outcome"]) == (200, "ignored")

    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN
    assert await TicketEvent.filter(ticket_id=ticket.id).count() == events_before

    # A reopened issue is noted in the thread, not acted on.
    status, answer = await deliver(
        running, "/hooks/github", example(octokit, "issues", "reopened"), github_headers("issues", "d-6")
    )
    assert (status, answer["outcome"]) == (200, "reopened")
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN
    assert any("was reopened" in n for n in thread_notes(running, ticket))


async def test_jira_and_linear_done_ship_their_linked_tickets(running: RunningBot) -> None:
    jira = await linked_ticket(running, "https://acme.atlassian.net/browse/PAY-123")
    linear = await linked_ticket(running, "https://linear.app/acme/issue/ENG-42/x", title="Reports are empty")

    status, _ = await deliver(running, f"/hooks/jira?secret={JIRA_SECRET}", JIRA_DONE, {})
    assert status == 200 and (await Ticket.get(id=jira.id)).status == TicketStatus.FIX_SHIPPED
    assert any("2.4.1" in m["text"] or "2.4.1" in json.dumps(m["blocks"]) for m in dms(running, KEY_USER))
    status, answer = await deliver(running, f"/hooks/jira?secret={JIRA_SECRET}", JIRA_DONE, {})
    assert (status, answer["outcome"]) == (200, "duplicate")  # the same timestamp and issue id

    status, _ = await deliver(running, "/hooks/linear", LINEAR_DONE, {"Linear-Delivery": "l-1"})
    assert status == 200 and (await Ticket.get(id=linear.id)).status == TicketStatus.FIX_SHIPPED
    assert await Job.filter(kind="confirm_fix").count() == 2


async def test_only_engineers_link_and_only_issue_urls(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    refused = await command(running, "U0KEY1", f"link SUP-{ticket.id} {ISSUE_URL}")
    assert "Only support engineers" in refused
    wrong = await command(running, "U0ENG1", f"link SUP-{ticket.id} https://example.com/issues/1")
    assert "not a link to an engineering issue" in wrong
    assert await IssueLink.all().count() == 0
    await command(running, "U0ENG1", f"link SUP-{ticket.id} {ISSUE_URL}")
    again = await command(running, "U0ENG2", f"link SUP-{ticket.id} {ISSUE_URL.replace('issues', 'pull')}")
    assert "already links" in again and await IssueLink.all().count() == 1
    assert "Engineering issue:* <https://github.com/Codertocat" in await command(
        running, "U0ENG2", f"show SUP-{ticket.id}"
    )
    assert "github.com" not in await command(running, "U0KEY1", f"show SUP-{ticket.id}")  # never the customer


async def test_a_product_defect_waits_on_engineering_until_its_fix_ships(
    running: RunningBot, octokit: Examples
) -> None:
    ticket = await raise_ticket(running, KEY_USER, priority="P2")
    # A lead resolves it unclaimed, so the ladder's steps (unless claimed) are still due.
    await click(running, "U0LEAD", Action.RESOLVE, ticket)
    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed_product_defect")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("A bug in the export")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value(None)},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    status, _ = await running.slack.send(
        *view_submission("U0LEAD", Callback.RESOLVE_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200
    await running.settle()

    pending = await Ticket.get(id=ticket.id)
    assert pending.status == TicketStatus.FIX_PENDING and pending.resolved_at is None
    assert all(c.stopped_at is not None for c in await SlaClock.filter(ticket_id=ticket.id))  # no clock runs
    assert any("engineering team has it" in m["text"] for m in dms(running, KEY_USER))
    listed = await command(running, "U0ENG1", "list")
    assert f"*Waiting on engineering*\n_1 fix pending, the longest for 0 hours_\n*SUP-{ticket.id}*" in listed
    assert "waiting on engineering" in listed

    pages_before = await Page.filter(ticket_id=ticket.id).count()
    running.clock.advance(timedelta(days=3))  # its ladder would have paged by now; it waits on engineering
    await running.settle()
    assert await Page.filter(ticket_id=ticket.id).count() == pages_before

    await command(running, "U0ENG1", f"link SUP-{ticket.id} {ISSUE_URL}")
    payload = issue_closed_completed(octokit)
    status, _ = await deliver(running, "/hooks/github", payload, github_headers("issues", "d-7"))
    assert status == 200 and (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED

    body, content_type = block_actions(
        KEY_USER, Action.FIX_STILL_FAILS, str(ticket.id), block_id=Block.FIX_ACTIONS, channel_id="D0KEY2"
    )
    assert (await running.slack.send(body, content_type))[0] == 200
    await running.settle()
    reopened = await Ticket.get(id=ticket.id)
    assert reopened.status == TicketStatus.OPEN and reopened.resolution is None
    resolution = await SlaClock.get(ticket_id=ticket.id, name="resolution")
    assert resolution.stopped_at is None  # its resolution clock runs again


async def test_the_link_issue_button_opens_a_form_that_links(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    assert Action.LINK_ISSUE in json.dumps(channel_message(running, ticket))

    await click(running, "U0KEY1", Action.LINK_ISSUE, ticket)  # a key user may not link: no form
    assert not [
        c for c in running.standin.calls_to("views.open") if c.args["view"]["callback_id"] == "link_issue"
    ]
    await click(running, "U0ENG1", Action.LINK_ISSUE, ticket)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == Callback.LINK_ISSUE_MODAL

    def filled(url: str) -> tuple[bytes, str]:
        values = {Block.ISSUE_URL: {Action.ISSUE_URL: text_value(url)}}
        return view_submission(
            "U0ENG1", Callback.LINK_ISSUE_MODAL, values, private_metadata=form["private_metadata"]
        )

    status, text = await running.slack.send(*filled("https://example.com/not/an/issue"))
    assert status == 200 and json.loads(text)["errors"][Block.ISSUE_URL].startswith("That is not a link")
    assert await IssueLink.all().count() == 0
    status, text = await running.slack.send(*filled(ISSUE_URL))
    assert status == 200 and text in ("", "{}")
    await running.settle()
    (link,) = await IssueLink.all()
    assert (link.ticket_id, link.linked_by, link.url) == (ticket.id, "U0ENG1", ISSUE_URL)
    assert any("linked the engineering issue" in n for n in thread_notes(running, ticket))


async def test_a_delivery_racing_a_ticket_change_is_refused_for_a_retry_and_keeps_nothing(
    running: RunningBot, octokit: Examples, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = await linked_ticket(running)
    real = Ticket.filter

    def raced(*args: Any, **kwargs: Any) -> Any:  # someone changes the ticket between read and write
        if "version" in kwargs:
            kwargs["version"] = -1
        return real(*args, **kwargs)

    monkeypatch.setattr(Ticket, "filter", raced)
    status, _ = await deliver(
        running, "/hooks/github", issue_closed_completed(octokit), github_headers("issues", "r-1")
    )
    monkeypatch.undo()
    assert status == 503
    assert not await ProcessedEvent.exists(event_id="hook:github:r-1")  # the retry will be acted on
    status, answer = await deliver(
        running, "/hooks/github", issue_closed_completed(octokit), github_headers("issues", "r-1")
    )
    assert (status, answer["outcome"]) == (200, "shipped")
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED
