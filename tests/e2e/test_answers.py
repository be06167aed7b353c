"""Published answers through Slack: publishing on resolve, leads' list and withdraw, `/support search`,
and the raise form offering answers before a ticket is raised."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.ids import Action, Block, Callback
from bot.reports.export import columns
from bot.standin.payloads import checkboxes_value, radio_value, select_value, text_value, view_submission
from bot.standin.validation import check_view
from models import Answer, Deflection, Ticket
from tests.conftest import RunningBot
from tests.e2e.journey import advance, click, command, open_modal, raise_ticket, raise_values


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


async def submit_raise(running: RunningBot, user: str, metadata: str, extra: dict | None = None) -> dict:
    values = {
        **raise_values(title="Export hangs", description="The monthly export never finishes"),
        **(extra or {}),
    }
    status, body = await running.slack.send(
        *view_submission(user, Callback.RAISE_MODAL, values, private_metadata=metadata)
    )
    assert status == 200
    return json.loads(body) if body.strip() else {}


async def offered_form(running: RunningBot, user: str = "U0KEY2") -> dict:
    """A key user's raise form, submitted: answered with the published answers that may solve it."""
    form = await open_modal(running, user)
    answer = await submit_raise(running, user, form["private_metadata"])
    assert answer["response_action"] == "update"
    return check_view(answer["view"], "modal")  # a view Slack would take (the stand-in's rules)


async def test_the_raise_form_offers_answers_and_this_solved_it_raises_nothing(running: RunningBot) -> None:
    acme_ticket = await published_ticket(running)
    before = await Ticket.all().count()

    view = await offered_form(running)  # Globex's key user: another customer
    shown = json.dumps(view["blocks"])
    assert "Large exports time out" in shown and "schedule them" in shown
    assert "payroll" not in shown and "Jane" not in shown and acme_ticket.ref not in shown
    choice = next(b for b in view["blocks"] if b.get("block_id") == Block.ANSWER_CHOICE)
    values = [o["value"] for o in choice["element"]["options"]]
    (answer,) = await Answer.all()
    assert values == [f"solved:{answer.id}", "raise"]

    solved = {Block.ANSWER_CHOICE: {Action.ANSWER_CHOICE: radio_value(f"solved:{answer.id}")}}
    assert await submit_raise(running, "U0KEY2", view["private_metadata"], solved) == {}
    assert await Ticket.all().count() == before
    deflection = await Deflection.get()
    assert (deflection.customer, deflection.person, deflection.answer_id) == ("globex", "U0KEY2", answer.id)


async def test_raise_anyway_raises_the_ticket(running: RunningBot) -> None:
    await published_ticket(running)
    before = await Ticket.all().count()
    view = await offered_form(running)

    anyway = {Block.ANSWER_CHOICE: {Action.ANSWER_CHOICE: radio_value("raise")}}
    assert await submit_raise(running, "U0KEY2", view["private_metadata"], anyway) == {}
    assert await Ticket.all().count() == before + 1
    raised = await Ticket.all().order_by("-id").first()
    assert raised is not None and raised.customer == "globex" and raised.title == "Export hangs"
    assert await Deflection.all().count() == 0


async def test_no_answer_is_offered_for_a_withdrawn_one_or_when_nothing_matches(running: RunningBot) -> None:
    await published_ticket(running)
    (answer,) = await Answer.all()
    await command(running, "U0LEAD", f"answers withdraw {answer.id}")
    before = await Ticket.all().count()

    form = await open_modal(running, "U0KEY2")
    assert await submit_raise(running, "U0KEY2", form["private_metadata"]) == {}  # raised at once
    assert await Ticket.all().count() == before + 1


async def test_a_deflection_is_counted_in_the_account_and_the_report_not_in_the_csv(
    running: RunningBot,
) -> None:
    await published_ticket(running)
    (answer,) = await Answer.all()
    view = await offered_form(running)
    solved = {Block.ANSWER_CHOICE: {Action.ANSWER_CHOICE: radio_value(f"solved:{answer.id}")}}
    await submit_raise(running, "U0KEY2", view["private_metadata"], solved)

    await command(running, "U0LEAD", "account globex")
    assert "*Solved by published answers:* 1 request" in running.standin.posts_to("U0LEAD")[-1].args["text"]
    await command(running, "U0LEAD", "account acme")
    assert "*Solved by published answers:* 0 requests" in running.standin.posts_to("U0LEAD")[-1].args["text"]

    await advance(running, timedelta(minutes=1))  # the lead's DM is paced: one message a second
    assert "are in your DM" in await command(running, "U0LEAD", "report month")
    await running.settle()
    (report,) = [
        p.args["text"] for p in running.standin.posts_to("U0LEAD") if "Support report" in p.args["text"]
    ]
    assert "Solved by published answers (the key user said one solved it): 1" in report
    (table,) = [f for f in running.standin.files.values() if f.filename.endswith(".csv")]
    header = (table.content or b"").decode().splitlines()[0]
    assert header.split(",") == columns(list(running.bot.policy.escalation.levels))
    assert "deflect" not in header and "answer" not in header
