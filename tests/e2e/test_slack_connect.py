"""Customers in their own Slack organisation, through the channel they share with the vendor (Slack Connect):
no slash command, no shortcut, no App Home for them; a mention or the 🎫 reaction, a card in the thread,
the raise form from its button, and the ticket followed and discussed in that thread."""

from __future__ import annotations

import json
from datetime import timedelta

import aiohttp
import pytest

from bot.ids import Action, Block, Callback
from bot.services.intake import TicketDraft
from bot.standin.payloads import (
    NotDelivered,
    block_actions,
    channel_id_changed,
    channel_unshared,
    member_joined_channel,
    message_event,
    reaction_added,
    retry_headers,
    select_value,
    shared_file,
    slash_command,
    text_value,
)
from models import CsatSurvey, Job, JobStatus, Page, Ticket
from tests.conftest import RunningBot
from tests.e2e.connect_journey import (
    CHANNEL,
    DEV,
    KEY,
    OUTSIDER,
    OUTSIDER_TEAM,
    THEM,
    card_of,
    cards_for,
    customer_thread,
    form_description,
    mention,
    open_raise_form,
    press,
    raised_from_channel,
    react,
    reply_values,
    seed_people,
    send,
    submit_modal,
    submit_raise,
    write,
)
from tests.e2e.journey import advance, channel_message, click, raise_ticket, told, wait_on

# Most of these touch nothing the kind of database changes: the main journeys run on both.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
async def customer(running: RunningBot) -> RunningBot:
    seed_people(running)
    return running


async def test_a_mention_offers_a_card_whose_form_raises_the_ticket_followed_in_the_thread(
    customer: RunningBot,
) -> None:
    running = customer
    ts = await mention(running, KEY, "the export fails since this morning & <b>all</b> of it")
    (card,) = cards_for(running, ts)  # once, though Slack sent the message and the mention
    assert Action.RAISE_FROM_CARD in str(card.args["blocks"]) and Action.NOT_NOW in str(card.args["blocks"])
    view = await open_raise_form(running, ts, str(card.response["ts"]))
    description = next(b for b in view["blocks"] if b.get("block_id") == Block.DESCRIPTION)
    text = description["element"]["initial_value"]
    assert text.startswith("the export fails since this morning & <b>all</b> of it")  # decoded once
    assert f"From: https://acme.slack.com/archives/{CHANNEL}/p{ts.replace('.', '')}" in text
    assert await submit_raise(running, view) in ("", "{}")

    ticket = await Ticket.get(source="slack_connect")
    assert (ticket.customer, ticket.reporter_id, ticket.reporter_team) == ("soylent", KEY, THEM)
    assert ticket.customer_card_ts == card.response["ts"] and ticket.customer_link
    internal = channel_message(running, ticket)
    assert ticket.customer_link in internal and "Reply to customer" in internal
    # The card became the customer's view, in place: reference, priority, status, due time in the plan
    # calendar's timezone (Central: Soylent's premium plan), and only the customer's buttons.
    shown = card_of(running, ticket)
    assert f"SUP-{ticket.id}" in shown and "P2 Critical" in shown and "received" in shown
    assert "First response due by" in shown and "CST" in shown
    assert Action.ADD_DETAILS in shown and Action.ESCALATE in shown
    assert Action.CLAIM not in shown and Action.RESOLVE not in shown and Action.REPLY_TO_CUSTOMER not in shown
    assert any(
        f"<@{KEY}>" in note and "is with second-line support" in note
        for note in customer_thread(running, ticket)
    )
    assert not running.standin.posts_to(KEY)  # no DM: the thread is where they follow it


@sqlite_only
async def test_the_intake_reaction_by_a_key_user_or_staff_offers_the_card(customer: RunningBot) -> None:
    running = customer
    first = await write(running, KEY, "orders stuck in pending")
    await react(running, KEY, first, "eyes")  # another emoji: nothing
    assert cards_for(running, first) == []
    await react(running, KEY, first)
    assert len(cards_for(running, first)) == 1
    await react(running, KEY, first)  # again (or redelivered): still one card
    assert len(cards_for(running, first)) == 1
    second = await write(running, DEV, "invoices look wrong")
    await react(running, "U0ENG1", second)  # vendor staff in the shared channel
    assert len(cards_for(running, second)) == 1
    # On the bot's own card: nothing. On a message that already has its ticket: told which.
    await send(running, reaction_added(KEY, CHANNEL, str(cards_for(running, second)[0].response["ts"]),
                                       item_user="U0BOT", shared=True))  # fmt: skip
    assert len(running.standin.posts_to(CHANNEL)) == 2
    ticket = await raised_from_channel(running)
    await react(running, KEY, ticket.customer_thread_ts or "")
    assert f"SUP-{ticket.id} already follows this message" in (await told(running, KEY))[-1]
    assert running.standin.calls_to("users.info")  # reaction_added names no organisation: asked


@sqlite_only
async def test_someone_of_the_customer_who_is_not_a_key_user_is_told_who_is(customer: RunningBot) -> None:
    running = customer
    ts = await mention(running, DEV, "please look at the export")
    await react(running, DEV, ts)
    assert cards_for(running, ts) == [] and await Ticket.all().count() == 0
    answers = await told(running, DEV)
    assert answers and all(f"<@{KEY}>" in a and "key users" in a for a in answers)
    assert {e["channel"] for e in running.standin.ephemerals if e["user"] == DEV} == {CHANNEL}
    # The card's button is theirs to see but not to use: the same answer, no form.
    (card,) = cards_for(running, await mention(running, KEY, "export broken"))
    before = len(running.standin.calls_to("views.open"))
    body = block_actions(DEV, Action.RAISE_FROM_CARD, "1", block_id=Block.INTAKE_ACTIONS, channel_id=CHANNEL,
                         message_ts=str(card.response["ts"]), team=THEM)  # fmt: skip
    await send(running, body)
    assert len(running.standin.calls_to("views.open")) == before
    assert f"<@{KEY}>" in (await told(running, DEV))[-1]


@sqlite_only
async def test_slack_never_sends_their_commands_or_shortcuts(customer: RunningBot) -> None:
    with pytest.raises(NotDelivered):
        await customer.slack.send(*slash_command(KEY, "list"))


async def test_the_customer_card_follows_claim_wait_reply_resolve_and_reopen(customer: RunningBot) -> None:
    running = customer
    ticket = await raised_from_channel(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    ticket = await Ticket.get(id=ticket.id)
    assert "being worked on by <@U0ENG1>" in card_of(running, ticket)
    assert any("<@U0ENG1> is working on" in n for n in customer_thread(running, ticket))

    await wait_on(running, "U0ENG1", ticket, "Which export format fails?")
    assert "waiting on you" in card_of(running, ticket)
    asked = [n for n in customer_thread(running, ticket) if "needs more information" in n]
    assert asked and "Which export format fails?" in asked[-1] and f"<@{KEY}>" in asked[-1]

    # Their answer in the thread: copied into the internal thread with their name and organisation, the
    # ticket resumes, they are told the clock runs again; a redelivery changes nothing.
    reply = message_event(DEV, CHANNEL, "CSV &amp; XLSX", ticket.customer_thread_ts, raw=True, team=THEM)
    await send(running, reply)
    await send(running, reply, headers=retry_headers(1))  # the same event again
    ts = str(json.loads(reply[0])["event"]["ts"])
    await send(
        running,
        message_event(DEV, CHANNEL, "CSV &amp; XLSX", ticket.customer_thread_ts, ts=ts, raw=True, team=THEM),
    )  # fmt: skip  (same message, another event id)
    assert (await Ticket.get(id=ticket.id)).status == "open"
    copies = [n for n in internal_thread(running, ticket) if "wrote in their channel" in n]
    assert len(copies) == 1 and "*Dana Dev* (Soylent)" in copies[0] and "CSV &amp; XLSX" in copies[0]
    assert "waiting on you" not in card_of(running, ticket)
    assert any("the clock runs again" in n for n in customer_thread(running, ticket))

    # An engineer writing in the customer's thread: copied, marked as sent to the customer.
    await write(
        running, "U0ENG1", "Thanks, looking at XLSX now", team="T0TEAM", thread_ts=ticket.customer_thread_ts
    )
    assert any(
        "(sent to the customer)" in n and "looking at XLSX" in n for n in internal_thread(running, ticket)
    )

    # Reply to customer from the internal message: posted in their thread with the engineer's name.
    await click(running, "U0ENG1", Action.REPLY_TO_CUSTOMER, ticket)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    assert form["callback_id"] == Callback.REPLY_MODAL and "in their channel's thread" in str(form)
    await submit_modal(running, "U0ENG1", Callback.REPLY_MODAL, reply_values("Fixed in 4.2 <b>tonight</b>"),
                       form["private_metadata"])  # fmt: skip
    said = [n for n in customer_thread(running, ticket) if "from second-line support" in n]
    assert said and "Fixed in 4.2 &lt;b&gt;tonight&lt;/b&gt;" in said[-1] and f"<@{KEY}>" in said[-1]
    assert any("replied to the customer" in n for n in internal_thread(running, ticket))

    await click(running, "U0ENG1", Action.RESOLVE, ticket)
    resolve_form = running.standin.calls_to("views.open")[-1].args["view"]
    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("Upgrade to 4.2.")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value("2h")},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    await submit_modal(running, "U0ENG1", Callback.RESOLVE_MODAL, values, resolve_form["private_metadata"])
    assert (
        "Upgrade to 4.2." in customer_thread(running, ticket)[-1]
    )  # the note for the customer, not the time
    shown = card_of(running, ticket)
    assert "resolved" in shown and Action.REOPEN in shown and Action.ADD_DETAILS not in shown
    await press(running, KEY, Action.REOPEN, str(ticket.id), ticket.customer_card_ts or "")
    assert (await Ticket.get(id=ticket.id)).status == "open"
    assert "is open again" in customer_thread(running, ticket)[-1]


def internal_thread(running: RunningBot, ticket: Ticket) -> list[str]:
    fresh = [c for c in running.standin.posts_to("C0SUPPORT") if f"SUP-{ticket.id} " in c.args["text"]]
    ts = fresh[0].response["ts"]
    return [str(m.get("text") or "") for m in running.standin.replies("C0SUPPORT", ts)]


@sqlite_only
async def test_files_of_the_customer_arrive_as_stubs_and_are_linked_through_files_info(
    customer: RunningBot,
) -> None:
    running = customer
    ticket = await raised_from_channel(running)
    log = shared_file("export.log", user=DEV)
    running.standin.post_file(log)
    thread = ticket.customer_thread_ts
    event = message_event(DEV, CHANNEL, "the log", thread, subtype="file_share", files=[log], team=THEM)
    await send(running, event)
    (copy,) = [n for n in internal_thread(running, ticket) if "wrote in their channel" in n]
    assert f"<{log['permalink']}|export.log>" in copy
    assert running.standin.calls_to("files.info")


@sqlite_only
async def test_other_organisations_and_forged_clicks_are_refused(customer: RunningBot) -> None:
    running = customer
    ticket = await raised_from_channel(running)
    card = ticket.customer_card_ts or ""
    opened = len(running.standin.calls_to("views.open"))
    # Soylent's key user's id, but a click from another organisation: forged.
    await press(running, KEY, Action.ADD_DETAILS, str(ticket.id), card, team=OUTSIDER_TEAM)
    assert "another organisation" in (await told(running, KEY))[-1]
    # Someone of a third organisation in the same channel: not theirs.
    await press(running, OUTSIDER, Action.ADD_DETAILS, str(ticket.id), card, team=OUTSIDER_TEAM)
    await press(running, OUTSIDER, Action.REOPEN, str(ticket.id), card, team=OUTSIDER_TEAM)
    assert len(running.standin.calls_to("views.open")) == opened
    assert (await told(running, OUTSIDER)) and (await Ticket.get(id=ticket.id)).status == "open"
    await mention(running, OUTSIDER, "list", team=OUTSIDER_TEAM)
    await mention(running, OUTSIDER, f"status SUP-{ticket.id}", team=OUTSIDER_TEAM)
    for answer in await told(running, OUTSIDER):
        assert "Export fails" not in answer
    # Their words in the ticket's thread are not copied into it.
    await write(running, OUTSIDER, "me too!", team=OUTSIDER_TEAM, thread_ts=ticket.customer_thread_ts)
    assert not any("me too" in n for n in internal_thread(running, ticket))
    # A forged submission of the raise form (Kay's id, another organisation) raises nothing.
    ts = await mention(running, KEY, "another problem")
    (new_card,) = cards_for(running, ts)
    view = await open_raise_form(running, ts, str(new_card.response["ts"]))
    answer = await submit_raise(running, view, team=OUTSIDER_TEAM)
    assert "another organisation" in answer and await Ticket.all().count() == 1


@sqlite_only
async def test_list_and_status_answer_privately_with_their_organisations_tickets_only(
    customer: RunningBot,
) -> None:
    running = customer
    ticket = await raised_from_channel(running)
    acme = await raise_ticket(running, "U0KEY1", title="Acme secret problem")
    await mention(running, DEV, "list")
    listed = (await told(running, DEV))[-1]
    assert f"SUP-{ticket.id}" in listed and "Acme" not in listed
    await mention(running, DEV, f"status SUP-{ticket.id}")
    assert "received" in (await told(running, DEV))[-1]
    await mention(running, DEV, f"status SUP-{acme.id}")
    assert (await told(running, DEV))[-1] == f"Your organisation has no ticket SUP-{acme.id}."
    posted_in_channel = [c.args.get("text", "") for c in running.standin.posts_to(CHANNEL)]
    assert not any("Acme secret" in t for t in posted_in_channel)


@sqlite_only
async def test_help_and_joining_post_the_how_to_once(customer: RunningBot) -> None:
    running = customer
    await mention(running, DEV, "help")
    how = [
        c for c in running.standin.posts_to(CHANNEL) if "reach second-line support" in c.args.get("text", "")
    ]
    assert len(how) == 1 and Action.RAISE_FROM_CARD in str(how[0].args["blocks"])
    await send(running, member_joined_channel("U0BOT", CHANNEL))
    await send(running, member_joined_channel("U0BOT", CHANNEL))
    how = [
        c for c in running.standin.posts_to(CHANNEL) if "reach second-line support" in c.args.get("text", "")
    ]
    assert len(how) == 2  # help's, then one on joining
    running.standin.add_user("U0SOYNEW", team=THEM)
    running.standin.join(CHANNEL, "U0SOYNEW")
    for _ in range(2):
        await send(running, member_joined_channel("U0SOYNEW", CHANNEL, team=THEM))
    greeted = [e for e in running.standin.ephemerals if e["user"] == "U0SOYNEW"]
    assert len(greeted) == 1 and "reach second-line support" in str(greeted)
    # The how-to's button: the form, empty; the ticket's card then starts its own thread in the channel.
    view = await open_raise_form(running, "how-to", str(how[-1].response["ts"]))
    assert form_description(view) == ""
    await submit_raise(running, view, description="Reports are slow")
    ticket = await Ticket.get(source="slack_connect")
    assert ticket.customer_thread_ts == ticket.customer_card_ts
    assert running.standin.message(CHANNEL, ticket.customer_card_ts or "").get("thread_ts") is None
    assert f"SUP-{ticket.id}" in card_of(running, ticket)


@sqlite_only
async def test_channel_id_changes_are_followed_and_ended_shares_shown_in_healthz(
    customer: RunningBot,
) -> None:
    running = customer
    ticket = await raised_from_channel(running)
    running.standin.change_channel_id(CHANNEL, "C0SOYNEW")
    await send(running, channel_id_changed(CHANNEL, "C0SOYNEW"))
    assert (await Ticket.get(id=ticket.id)).customer_channel == "C0SOYNEW"
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    assert "being worked on" in str(running.standin.message("C0SOYNEW", ticket.customer_card_ts or ""))
    await send(running, channel_unshared("C0SOYNEW", THEM))
    async with (
        aiohttp.ClientSession() as session,
        session.get(str(running.server.make_url("/healthz"))) as got,
    ):
        health = await got.json()
    assert any("the share with organisation T0SOYLENT ended" in line for line in health["degraded"])


@sqlite_only
async def test_dms_to_an_external_person_only_while_a_channel_is_shared_else_the_thread(
    customer: RunningBot,
) -> None:
    running = customer
    await raised_from_channel(running)
    # Staff raised a ticket for Kay from the vendor's workspace: it is followed by DM.
    dm_ticket = await running.bot.deps.intake.raise_ticket(
        TicketDraft(KEY, "soylent", "P3", "production", "Slow reports", "Reports take a minute", "", "how-to")
    )
    await running.settle()
    assert [c for c in running.standin.posts_to(KEY) if f"SUP-{dm_ticket.id}" in c.args["text"]]
    running.standin.unshare(CHANNEL, THEM)  # Kay now shares no channel with the bot
    await click(running, "U0ENG1", Action.CLAIM, dm_ticket)
    assert not [j for j in await Job.filter(status=JobStatus.FAILED)]  # not a failure of the ticket
    fresh = await Ticket.get(id=dm_ticket.id)
    assert fresh.customer_channel == CHANNEL and any(
        "<@U0ENG1> is working on" in n for n in customer_thread(running, fresh)
    )


@sqlite_only
async def test_nothing_internal_ever_reaches_the_customers_channel_or_their_people(
    customer: RunningBot,
) -> None:
    """Every call the bot made to the customer's channel, and every DM or private answer to their people,
    after a full journey with internal notes, time logged, pages and other customers' tickets."""
    running = customer
    other = await raise_ticket(running, "U0KEY2", title="Globex confidential outage")
    ticket = await raised_from_channel(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await running.bot.deps.timesheet.log(ticket.id, "U0ENG1", 45, note="INTERNAL-TIME-NOTE spent on logs")
    await wait_on(running, "U0ENG1", ticket, "Which file?")
    await write(running, KEY, "this one", thread_ts=ticket.customer_thread_ts)
    await advance(running, timedelta(hours=12), step=timedelta(minutes=30))  # pages go out
    await running.bot.deps.transitions.resolve(ticket.id, "U0ENG1", "fixed", "Done.", 30)
    await running.settle()
    assert await Page.all().exists()  # the ladder paged people meanwhile
    internal_notes = internal_thread(running, ticket)
    assert internal_notes
    forbidden = [
        "INTERNAL-TIME-NOTE", "Globex", "Acme Corp", "U0LEAD", "U0MGR", "U0EXEC", "paged", "Escalation",
        "Claimed by", "resolution clock", "45m", "time", other.title,
    ]  # fmt: skip
    people = {KEY, DEV, OUTSIDER}
    to_them = [
        c for c in running.standin.calls
        if c.args.get("channel") in {CHANNEL, *people, "D" + KEY[1:], "D" + DEV[1:]}
        or c.args.get("user") in people
    ]  # fmt: skip
    assert to_them
    for call in to_them:
        shown = str({k: v for k, v in call.args.items() if k != "metadata"})
        for word in forbidden:
            assert word not in shown, (word, call.method, shown[:300])
        metadata = call.args.get("metadata")
        if metadata:
            assert set(metadata["event_payload"]) == {"key"}, metadata
    # App Home is not for them: the bot never publishes one to them.
    assert not [c for c in running.standin.calls_to("views.publish") if c.args.get("user_id") in people]
    for view in [c.args.get("view") for c in running.standin.calls_to("views.open")]:
        if view and view.get("callback_id") == Callback.RAISE_MODAL:
            assert "Globex" not in str(view)


@sqlite_only
async def test_not_now_closes_the_card_for_a_key_user_only(customer: RunningBot) -> None:
    running = customer
    ts = await mention(running, KEY, "maybe a problem")
    (card,) = cards_for(running, ts)
    card_ts = str(card.response["ts"])

    async def not_now(user: str) -> None:
        body = block_actions(user, Action.NOT_NOW, ts, block_id=Block.INTAKE_ACTIONS, channel_id=CHANNEL,
                             message_ts=card_ts, team=THEM)  # fmt: skip
        await send(running, body)

    await not_now(DEV)  # not a key user: told who is, the card stays
    assert Action.RAISE_FROM_CARD in json.dumps(running.standin.message(CHANNEL, card_ts))
    assert f"<@{KEY}>" in (await told(running, DEV))[-1]
    await not_now(KEY)
    closed = json.dumps(running.standin.message(CHANNEL, card_ts))
    assert "No ticket for now" in closed and Action.RAISE_FROM_CARD not in closed
    assert await Ticket.all().count() == 0


@sqlite_only
async def test_the_satisfaction_question_is_asked_in_their_thread_and_answered_from_their_organisation(
    customer: RunningBot,
) -> None:
    running = customer
    ticket = await raised_from_channel(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await click(running, "U0ENG1", Action.RESOLVE, ticket)
    resolve_form = running.standin.calls_to("views.open")[-1].args["view"]
    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")},
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("Upgrade to 4.2.")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value("30m")},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    await submit_modal(running, "U0ENG1", Callback.RESOLVE_MODAL, values, resolve_form["private_metadata"])
    await advance(running, timedelta(minutes=3))
    ticket = await Ticket.get(id=ticket.id)
    asked = [
        m
        for m in running.standin.replies(CHANNEL, ticket.customer_thread_ts or "")
        if Action.CSAT_4 in str(m)
    ]
    assert len(asked) == 1, "asked once, in the customer's own thread (not by DM: they are of another org)"
    assert not [c for c in running.standin.posts_to(KEY) if Action.CSAT_4 in str(c.args)]
    ts = str(asked[0]["ts"])
    # Someone of the vendor clicking in their thread is not the reporter; the reporter, from Soylent, is.
    for user, team, score in (("U0ENG1", "T0TEAM", None), (KEY, "T0OTHERORG", None), (KEY, THEM, 4)):
        body = block_actions(
            user, Action.CSAT_4, str(ticket.id), block_id=Block.CSAT_SCORES, channel_id=CHANNEL,
            message_ts=ts, team=team,
        )  # fmt: skip
        await send(running, body)
        assert (await CsatSurvey.get(ticket_id=ticket.id)).score == score, (user, team)
    survey = await CsatSurvey.get(ticket_id=ticket.id)
    assert (survey.place, survey.team_id, survey.score) == ("thread", THEM, 4)
