"""Everything engineers, key users and managers do with a ticket after it is raised, through Slack."""

from __future__ import annotations

import asyncio
import json

from bot.ids import Action, Block, Callback
from bot.standin.payloads import (
    app_home_opened,
    block_actions,
    message_event,
    retry_headers,
    select_value,
    text_value,
    users_select_value,
    view_submission,
)
from models import Ticket, TicketEvent
from tests.conftest import RunningBot
from tests.e2e.journey import (
    channel_message,
    click,
    command,
    open_modal,
    raise_ticket,
    raise_values,
    thread_notes,
    told,
    told_users,
    wait_on,
)


async def submit_view(running: RunningBot, user: str, callback: str, values: dict, metadata: str) -> dict:
    status, body = await running.slack.send(
        *view_submission(user, callback, values, private_metadata=metadata)
    )
    assert status == 200
    await running.settle()
    return json.loads(body) if body else {}


async def last_told(running: RunningBot, user: str) -> str:
    answers = await told(running, user)
    assert answers, f"{user} was told nothing"
    return answers[-1]


async def test_release_and_reassign(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await click(running, "U0ENG2", Action.RELEASE, ticket)  # not the owner: refused
    assert "Only the ticket's owner" in await last_told(running, "U0ENG2")
    assert (await Ticket.get(id=ticket.id)).owner_id == "U0ENG1"
    await click(running, "U0ENG1", Action.RELEASE, ticket)
    assert (await Ticket.get(id=ticket.id)).owner_id is None
    assert Action.CLAIM in channel_message(running, ticket)
    # Reassign opens a user picker; the lead hands the ticket to an engineer.
    await click(running, "U0LEAD", Action.REASSIGN, ticket)
    view = running.standin.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == Callback.REASSIGN_MODAL
    answer = await submit_view(
        running,
        "U0LEAD",
        Callback.REASSIGN_MODAL,
        {Block.NEW_OWNER: {Action.NEW_OWNER: users_select_value("U0KEY1")}},
        str(ticket.id),
    )
    assert "not a support engineer" in answer["errors"][Block.NEW_OWNER]
    await submit_view(
        running,
        "U0LEAD",
        Callback.REASSIGN_MODAL,
        {Block.NEW_OWNER: {Action.NEW_OWNER: users_select_value("U0ENG2")}},
        str(ticket.id),
    )
    assert (await Ticket.get(id=ticket.id)).owner_id == "U0ENG2"
    notes = " ".join(thread_notes(running, ticket))
    assert "released the ticket" in notes and "reassigned the ticket to <@U0ENG2>" in notes
    actors = [(e.kind, e.actor) for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]
    assert ("released", "U0ENG1") in actors and ("reassigned", "U0LEAD") in actors
    released = await TicketEvent.get(ticket_id=ticket.id, kind="released")
    assert released.detail == {"previous_owner": "U0ENG1"}


async def test_resolve_out_of_scope_tells_the_key_user_why_and_offers_reopen(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await click(running, "U0KEY1", Action.RESOLVE, ticket)  # a key user may not resolve
    assert "Only" in await last_told(running, "U0KEY1")
    await click(running, "U0ENG1", Action.RESOLVE, ticket)
    assert running.standin.calls_to("views.open")[-1].args["view"]["callback_id"] == Callback.RESOLVE_MODAL
    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("out_of_scope_third_party")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("The PDF printer driver <crashes>.")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value("1h30m")},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    await submit_view(running, "U0ENG1", Callback.RESOLVE_MODAL, values, str(ticket.id))
    saved = await Ticket.get(id=ticket.id)
    assert saved.status == "resolved" and saved.time_spent_minutes == 90
    dm = running.standin.posts_to("U0KEY1")[-1]
    text = json.dumps(dm.args["blocks"])
    assert "another vendor" in text and "&lt;crashes&gt;" in text and Action.REOPEN in text
    assert [e["action_id"] for e in dm.args["blocks"][-1]["elements"]] == [Action.REOPEN]
    # The key user reopens from the DM.
    body, content_type = block_actions("U0KEY1", Action.REOPEN, str(ticket.id), channel_id="D0KEY1")
    await running.slack.send(body, content_type)
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == "open"
    assert Action.RESOLVE in channel_message(running, ticket)


async def test_resolve_form_errors_change_nothing(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    answer = await submit_view(
        running,
        "U0ENG1",
        Callback.RESOLVE_MODAL,
        {
            Block.RESOLUTION: {Action.RESOLUTION: select_value("duplicate")},
            Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("dup")},
            Block.TIME_SPENT: {Action.TIME_SPENT: text_value("a while")},
            Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value("SUP-999")},
        },
        str(ticket.id),
    )
    assert set(answer["errors"]) == {Block.TIME_SPENT}
    answer = await submit_view(
        running,
        "U0ENG1",
        Callback.RESOLVE_MODAL,
        {
            Block.RESOLUTION: {Action.RESOLUTION: select_value("duplicate")},
            Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("dup")},
            Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value("SUP-999")},
        },
        str(ticket.id),
    )
    assert set(answer["errors"]) == {Block.DUPLICATE_OF}
    assert (await Ticket.get(id=ticket.id)).status == "open"


async def test_key_user_adds_details_from_the_dm_and_it_resumes_the_clock(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await wait_on(running, "U0ENG1", ticket)
    body, content_type = block_actions("U0KEY1", Action.ADD_DETAILS, str(ticket.id), channel_id="D0KEY1")
    await running.slack.send(body, content_type)
    await running.settle()
    assert running.standin.calls_to("views.open")[-1].args["view"]["callback_id"] == Callback.DETAILS_MODAL
    await submit_view(
        running,
        "U0KEY1",
        Callback.DETAILS_MODAL,
        {Block.DETAILS: {Action.DETAILS: text_value("Logs attached: <!here> error 42")}},
        str(ticket.id),
    )
    notes = thread_notes(running, ticket)
    assert any("<@U0KEY1> added details" in n and "&lt;!here&gt; error 42" in n for n in notes)
    assert (await Ticket.get(id=ticket.id)).status == "open"


async def test_customer_reply_in_thread_or_dm_resumes_a_waiting_ticket_once(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await wait_on(running, "U0ENG1", ticket)
    fresh = await Ticket.get(id=ticket.id)
    body, content_type = message_event(
        "U0KEY1", "C0SUPPORT", "Here is the log", thread_ts=fresh.message_ts, event_id="Ev0REPLY1"
    )
    assert (await running.slack.send(body, content_type))[0] == 200
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == "open"
    await wait_on(running, "U0ENG1", ticket)
    # Slack redelivers the same event: nothing happens twice (the ticket stays waiting).
    await running.slack.send(body, content_type, headers=retry_headers(1))
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == "waiting"
    # An engineer's message in the thread does not resume it; the key user's DM does.
    await running.slack.send(*message_event("U0ENG2", "C0SUPPORT", "any news?", thread_ts=fresh.message_ts))
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == "waiting"
    await running.slack.send(*message_event("U0KEY1", "D0KEY1", "Version 4.2, <@U0EXEC1> knows"))
    await running.settle()
    assert (await Ticket.get(id=ticket.id)).status == "open"
    assert any("Version 4.2, &lt;@U0EXEC1&gt;" in n for n in thread_notes(running, ticket))
    resumed = await TicketEvent.filter(ticket_id=ticket.id, kind="resumed").count()
    assert resumed == 2


async def test_twenty_simultaneous_claims_leave_exactly_one_owner(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    fresh = await Ticket.get(id=ticket.id)
    engineers = ["U0ENG1", "U0ENG2", "U0LEAD", "U0MGR"]
    clicks = [
        running.slack.send(
            *block_actions(engineers[n % 4], Action.CLAIM, str(ticket.id), message_ts=fresh.message_ts or "")
        )
        for n in range(20)
    ]
    statuses = await asyncio.gather(*clicks)
    assert all(status == 200 for status, _ in statuses)
    await running.settle()
    owner = (await Ticket.get(id=ticket.id)).owner_id
    assert owner in engineers
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="claimed").count() == 1
    assert len(await told_users(running)) == 19  # everyone else is told who has it
    claimed_dms = [c for c in running.standin.posts_to("U0KEY1") if "has taken your ticket" in c.args["text"]]
    assert len(claimed_dms) == 1


async def test_duplicate_check_offers_to_add_details_instead(running: RunningBot) -> None:
    first = await raise_ticket(running, title="Checkout fails with error 500")
    view = await open_modal(running)
    values = raise_values(title="checkout FAILS with error 500!", description="Again, since 10:00")
    status, body = await running.slack.send(
        *view_submission("U0KEY1", Callback.RAISE_MODAL, values, private_metadata=view["private_metadata"])
    )
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "update"
    shown = json.dumps(answer["view"])
    assert f"SUP-{first.id}" in shown and "Again, since 10:00" in shown  # the draft is kept
    choice = next(b for b in answer["view"]["blocks"] if b.get("block_id") == Block.DUPLICATE_CHOICE)
    add = choice["element"]["options"][0]["value"]
    values[Block.DUPLICATE_CHOICE] = {Action.DUPLICATE_CHOICE: select_value(add) | {"type": "radio_buttons"}}
    await submit_view(running, "U0KEY1", Callback.RAISE_MODAL, values, view["private_metadata"])
    assert await Ticket.all().count() == 1
    assert any("Again, since 10:00" in n for n in thread_notes(running, first))
    # Choosing "new" raises a second ticket.
    values[Block.DUPLICATE_CHOICE] = {
        Action.DUPLICATE_CHOICE: select_value("new") | {"type": "radio_buttons"}
    }
    await submit_view(running, "U0KEY1", Callback.RAISE_MODAL, values, view["private_metadata"])
    assert await Ticket.all().count() == 2


async def test_support_subcommands(running: RunningBot) -> None:
    ticket = await raise_ticket(running, title="Reports are empty")

    async def say(user: str, text: str) -> str:
        return await command(running, user, text)

    assert "`/support list`" in await say("U0KEY1", "help")
    assert "`/support oncall`" in await say("U0ENG1", "frobnicate")  # unknown: help, no stack trace
    assert f"SUP-{ticket.id}" in await say("U0KEY1", "list")
    assert f"SUP-{ticket.id}" in await say("U0ENG1", "list")
    assert f"SUP-{ticket.id}" not in await say("U0KEY2", "list")  # another company's ticket
    assert f"SUP-{ticket.id}" in await say("U0KEY1", "mine")
    shown = await say("U0ENG1", f"show SUP-{ticket.id}")
    assert "Reports are empty" in shown and "raised by <@U0KEY1>" in shown
    assert "no ticket" in (await say("U0KEY2", f"show SUP-{ticket.id}")).lower()
    assert "no ticket" in (await say("U0ENG1", "show SUP-999")).lower()
    oncall = await say("U0KEY1", "oncall")
    assert "*lead*: <@U0LEAD>" in oncall and "<@U0EXEC1>, <@U0EXEC2>" in oncall


async def test_app_home_per_role(running: RunningBot) -> None:
    ticket = await raise_ticket(running, title="Exports time out")

    async def home(user: str) -> str:
        await running.slack.send(*app_home_opened(user))
        await running.settle()
        publish = [c for c in running.standin.calls_to("views.publish") if c.args["user_id"] == user][-1]
        return json.dumps(publish.args["view"])

    key_user = await home("U0KEY1")
    assert (
        "Your company's open tickets" in key_user
        and "Exports time out" in key_user
        and "Unclaimed" not in key_user
    )
    engineer = await home("U0ENG1")
    assert "Unclaimed, most urgent first" in engineer and f"SUP-{ticket.id}" in engineer
    running.clock.advance(__import__("datetime").timedelta(minutes=31))  # past the 30m target
    await running.settle()
    lead = await home("U0LEAD")
    assert "At risk or breached" in lead and "Your unacknowledged pages" in lead
    assert "P1 first-response target missed" in lead
    stranger = await home("U0NOBODY")
    assert f"SUP-{ticket.id}" not in stranger
    # After their own action, an engineer's Home is redrawn without opening it again.
    before = len(running.standin.calls_to("views.publish"))
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    assert len(running.standin.calls_to("views.publish")) == before + 1
