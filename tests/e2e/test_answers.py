"""Published answers through Slack: publishing on resolve, leads' list and withdraw, `/support search`,
and the raise form offering answers before a ticket is raised."""

from __future__ import annotations

import json

from bot.ids import Action, Block, Callback
from bot.standin.payloads import checkboxes_value, select_value, text_value, view_submission
from models import Answer, Ticket
from tests.conftest import RunningBot
from tests.e2e.journey import click, command, raise_ticket


def resolve_values(note: str, publish: bool, title: str | None) -> dict:
    return {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("workaround")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value(note)},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value(None)},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
        Block.PUBLISH_ANSWER: {Action.PUBLISH_ANSWER: checkboxes_value(["publish"] if publish else [])},
        Block.ANSWER_TITLE: {Action.ANSWER_TITLE: text_value(title)},
    }


async def resolve(running: RunningBot, ticket: Ticket, note: str, publish: bool, title: str | None) -> dict:
    status, body = await running.slack.send(
        *view_submission(
            "U0ENG1",
            Callback.RESOLVE_MODAL,
            resolve_values(note, publish, title),
            private_metadata=str(ticket.id),
        )
    )
    assert status == 200
    await running.settle()
    return json.loads(body) if body.strip() else {}


async def published_ticket(running: RunningBot) -> Ticket:
    """A ticket raised with a confidential description, resolved with its answer published."""
    ticket = await raise_ticket(
        running, title="Exports time out", description="Acme payroll export for Jane Doe hangs"
    )
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await click(running, "U0ENG1", Action.RESOLVE, ticket)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    title_input = next(b for b in form["blocks"] if b.get("block_id") == Block.ANSWER_TITLE)
    assert title_input["element"]["initial_value"] == "Exports time out"  # prefilled with the ticket title
    await resolve(
        running, ticket, "Large exports run overnight: schedule them.", True, "Large exports time out"
    )
    return ticket


async def test_resolving_with_publish_makes_the_note_an_answer_and_nothing_else(running: RunningBot) -> None:
    ticket = await published_ticket(running)

    (answer,) = await Answer.all()
    assert (answer.title, answer.text) == (
        "Large exports time out",
        "Large exports run overnight: schedule them.",
    )
    assert answer.ticket_id == ticket.id and answer.published_by == "U0ENG1" and not answer.withdrawn
    assert "payroll" not in answer.text and "Jane" not in answer.text


async def test_resolving_without_publish_publishes_nothing(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await resolve(running, ticket, "Restart the agent.", False, "Checkout fails")
    assert (await Ticket.get(id=ticket.id)).status == "resolved"
    assert await Answer.all().count() == 0


async def test_publishing_without_a_title_is_refused_and_changes_nothing(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    answer = await resolve(running, ticket, "Restart the agent.", True, None)
    assert set(answer["errors"]) == {Block.ANSWER_TITLE}
    assert (await Ticket.get(id=ticket.id)).status == "open" and await Answer.all().count() == 0


async def test_support_search_answers_privately_with_published_answers_only(running: RunningBot) -> None:
    await published_ticket(running)

    # Another customer's key user finds the answer, by another form of its words, and nothing of the ticket.
    text = await command(running, "U0KEY2", "search exporting timing out")
    assert "Large exports time out" in text and "schedule them" in text
    assert "payroll" not in text and "Jane" not in text and "Acme" not in text and "SUP-" not in text
    assert running.standin.responses[-1].user == "U0KEY2"  # through the response URL: only they see it
    assert all(p.args.get("channel") != "C0GENERAL" for p in running.standin.calls_to("chat.postMessage"))

    assert "No published answer matches" in await command(running, "U0KEY2", "search printer driver")
    assert "Usage" in await command(running, "U0KEY2", "search")


async def test_a_lead_lists_and_withdraws_answers_and_withdrawn_ones_are_not_found(
    running: RunningBot,
) -> None:
    await published_ticket(running)
    (answer,) = await Answer.all()

    assert "Only" in await command(running, "U0KEY2", "answers")  # key users may not manage answers
    assert "Only" in await command(running, "U0ENG1", f"answers withdraw {answer.id}")
    listed = await command(running, "U0LEAD", "answers")
    assert f"{answer.id}. *Large exports time out*" in listed and "withdrawn" not in listed

    assert "withdrawn" in await command(running, "U0LEAD", f"answers withdraw {answer.id}")
    assert (await Answer.get(id=answer.id)).withdrawn
    assert "withdrawn" in await command(running, "U0LEAD", "answers")
    assert "No published answer matches" in await command(running, "U0KEY2", "search exports")
    assert "Usage" in await command(running, "U0LEAD", "answers withdraw twelve")
    assert "There is no answer 99" in await command(running, "U0LEAD", "answers withdraw 99")


async def test_a_lead_edits_an_answer_and_search_follows(running: RunningBot) -> None:
    await published_ticket(running)
    (answer,) = await Answer.all()

    await command(running, "U0LEAD", f"answers edit {answer.id} Slow exports | Split the export by month.")
    assert "Slow exports" in await command(running, "U0KEY2", "search month")
    assert "No published answer matches" in await command(running, "U0KEY2", "search overnight")
