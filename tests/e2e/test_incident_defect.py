"""An incident resolved as a product defect: every open child waits on engineering with it, linked to the
same engineering issue, so the webhook that ships the fix moves each child to fix shipped and tells each
child's own key user about their own ticket, and nothing of another customer's.

Real HTTP throughout: Slack-signed requests, a verified GitHub delivery built from the published examples."""

from __future__ import annotations

import json

import pytest

from bot.ids import Action, Block, Callback
from bot.standin.payloads import select_value, text_value, view_submission
from models import IssueLink, Job, Ticket, TicketStatus
from tests.bot.engineering.examples import issue_closed_completed
from tests.conftest import RunningBot
from tests.e2e.journey import click, command, raise_ticket, thread_notes
from tests.e2e.test_engineering import (
    ISSUE_URL,
    Examples,
    deliver,
    github_headers,
    octokit,
    running,
)

__all__ = ["octokit", "running"]  # the fixtures
ISSUE_KEY = "github:github.com/codertocat/hello-world#1"
# Two customers' key users (tests/foundation_policy.yml): Acme Corp's and Globex's.
ACME, GLOBEX = (
    ("U0KEY1", "Acme Corp", "Exports stop at 10,000 rows"),
    ("U0KEY2", "Globex", "CSV export truncated"),
)


async def resolve_as_defect(running: RunningBot, user: str, ticket: Ticket) -> None:
    await click(running, user, Action.RESOLVE, ticket)
    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed_product_defect")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("The export stops at a page boundary.")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value(None)},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    status, _ = await running.slack.send(
        *view_submission(user, Callback.RESOLVE_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200
    await running.settle()


def everything_sent_to(running: RunningBot, user: str) -> str:
    return json.dumps([c.args for c in running.standin.posts_to(user)])


@pytest.mark.parametrize("linked", ["before resolving", "after resolving"])
async def test_an_incident_resolved_as_a_defect_ships_every_child_and_tells_each_key_user_only_theirs(
    running: RunningBot, octokit: Examples, linked: str
) -> None:
    children = {}
    for user, _, title in (ACME, GLOBEX):
        children[user] = await raise_ticket(running, user, title=title, priority="P2")
    refs = " ".join(t.ref for t in children.values())
    await command(running, "U0ENG1", f"incident {refs}")
    await running.settle()
    incident = await Ticket.get(is_incident=True)
    await click(running, "U0ENG1", Action.CLAIM, incident)

    if linked == "before resolving":
        answer = await command(running, "U0ENG1", f"link {incident.ref} {ISSUE_URL}")
        assert "and so do its 2 open ticket(s)" in answer
        await running.settle()
    await resolve_as_defect(running, "U0ENG1", incident)
    if linked == "after resolving":
        answer = await command(running, "U0ENG1", f"link {incident.ref} {ISSUE_URL}")
        assert "and so do its 2 open ticket(s)" in answer
        await running.settle()

    assert (await Ticket.get(id=incident.id)).status == TicketStatus.FIX_PENDING
    for user, child in children.items():
        fresh = await Ticket.get(id=child.id)
        assert fresh.status == TicketStatus.FIX_PENDING and fresh.resolution == "fixed_product_defect"
        assert await IssueLink.exists(ticket_id=child.id, issue_key=ISSUE_KEY)
        assert any(f"through incident {incident.ref}" in n for n in thread_notes(running, child))
        assert "engineering team has it" in everything_sent_to(running, user)

    status, answer = await deliver(
        running, "/hooks/github", issue_closed_completed(octokit), github_headers("issues", "inc-1")
    )
    assert (status, answer["outcome"]) == (200, "shipped")

    assert (await Ticket.get(id=incident.id)).status == TicketStatus.FIX_SHIPPED
    for user, child in children.items():
        assert (await Ticket.get(id=child.id)).status == TicketStatus.FIX_SHIPPED
        assert await Job.exists(kind="confirm_fix", ticket_id=child.id)
        shipped = [c.args for c in running.standin.posts_to(user) if "has shipped" in c.args["text"]]
        assert len(shipped) == 1 and child.ref in shipped[0]["text"]
        assert Action.FIX_STILL_FAILS in json.dumps(shipped[0]["blocks"])
    # Each key user read about their own ticket only: never the other customer, its ticket or the incident.
    for (user, _, _), (_, other_name, other_title) in ((ACME, GLOBEX), (GLOBEX, ACME)):
        sent = everything_sent_to(running, user)
        other = next(t for u, t in children.items() if u != user)
        assert other.ref not in sent and other_title not in sent and other_name not in sent
        assert incident.ref not in sent and "github.com" not in sent
    # The engineer who grouped them (the incident's reporter) is not sent the customers' notice.
    assert "has shipped" not in everything_sent_to(running, "U0ENG1")
