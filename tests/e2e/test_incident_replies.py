"""A Reply to customer on an incident, through the real endpoint against the stand-in: every child's
reporter hears it by DM, and it is every child's first response (unclaimed children) and next response
(a claimed child the customer wrote on) at the moment of the incident's reply, not when the children
follow it; releasing the incident releases the children it held."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.ids import Action, Block, Callback
from bot.policy import Policy
from bot.standin.payloads import message_event, text_value, view_submission
from models import ClockState, SlaClock, Ticket, TicketEvent
from tests.bot.services.test_recurring_clocks import recurring_policy
from tests.conftest import BOLT_TASKS, RunningBot
from tests.e2e.journey import click, command, raise_ticket

TUESDAY_10AM_CENTRAL = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


@pytest.fixture
def policy() -> Policy:
    return recurring_policy()  # Globex (Standard) P2: next response 2h; Acme (Enterprise): first response 30m


async def test_a_reply_on_the_incident_answers_every_child_at_that_moment(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    # Three tickets from two customers: two of Globex's key user, one of Acme's.
    waiting = await raise_ticket(running, "U0KEY2", title="Checkout fails with error 500", priority="P2")
    second = await raise_ticket(running, "U0KEY2", title="Checkout error 500 again", priority="P2")
    acme = await raise_ticket(running, "U0KEY1", title="Checkout page fails", priority="P3")
    children = [waiting, second, acme]
    # One is already claimed and owes Globex an answer to a message in its thread.
    await click(running, "U0ENG1", Action.CLAIM, waiting)
    running.clock.advance(timedelta(minutes=2))
    fresh = await Ticket.get(id=waiting.id)
    body = message_event("U0KEY2", "C0SUPPORT", "Any news?", thread_ts=fresh.message_ts)
    assert (await running.slack.send(*body))[0] == 200
    await running.settle()
    assert (await SlaClock.get(ticket_id=waiting.id, name="next_response")).state == ClockState.RUNNING

    await command(running, "U0ENG1", "incident " + " ".join(t.ref for t in children))
    await running.settle()
    incident = await Ticket.get(is_incident=True)
    assert await Ticket.filter(incident_id=incident.id).count() == 3
    dms_before = {user: len(running.standin.posts_to(user)) for user in ("U0KEY1", "U0KEY2")}

    running.clock.advance(timedelta(minutes=5))
    await click(running, "U0ENG2", Action.REPLY_TO_CUSTOMER, incident)
    form = running.standin.calls_to("views.open")[-1].args["view"]
    values = {Block.REPLY: {Action.REPLY: text_value("The payment gateway is rolled back.")}}
    status, _ = await running.slack.send(
        *view_submission("U0ENG2", Callback.REPLY_MODAL, values, private_metadata=form["private_metadata"])
    )
    assert status == 200
    await BOLT_TASKS.drain()  # the reply is saved; its children follow it a little later
    replied = (await TicketEvent.get(ticket_id=incident.id, kind="replied_to_customer")).at
    running.clock.advance(timedelta(minutes=3))
    await running.settle()

    for child in children:  # each reporter, about each of their tickets (bundled in one DM per person)
        news = "".join(
            json.dumps(c.args)
            for c in running.standin.posts_to(child.reporter_id)[dms_before[child.reporter_id] :]
        )
        said = f"replied on *{child.ref}*: {child.title}\\n>The payment gateway is rolled back."
        assert news.count(said) == 1, news
    for child in (second, acme):  # unclaimed: answered by the incident's reply, as of the reply
        first = await SlaClock.get(ticket_id=child.id, name="first_response")
        assert (first.state, first.stopped_at) == (ClockState.MET, replied), child.ref
    claimed = await SlaClock.get(ticket_id=waiting.id, name="first_response")
    assert (claimed.state, claimed.stopped_at) == (ClockState.MET, TUESDAY_10AM_CENTRAL)  # as it was
    answered = await SlaClock.get(ticket_id=waiting.id, name="next_response")
    assert (answered.state, answered.stopped_at) == (ClockState.MET, replied)
    # Nothing else of the incident reached a customer: no other reference, no internal note.
    for user in ("U0KEY1", "U0KEY2"):
        assert not any(incident.ref in json.dumps(c.args) for c in running.standin.posts_to(user))


async def test_releasing_the_incident_releases_the_children_it_held(running: RunningBot) -> None:
    running.clock.set(TUESDAY_10AM_CENTRAL)
    held = await raise_ticket(running, "U0KEY2", title="Checkout fails with error 500", priority="P2")
    acme = await raise_ticket(running, "U0KEY1", title="Checkout page fails", priority="P3")
    own = await raise_ticket(running, "U0KEY2", title="Checkout error 500 again", priority="P2")
    await click(running, "U0ENG1", Action.CLAIM, own)  # taken on its own before it was grouped
    await command(running, "U0ENG1", f"incident {held.ref} {acme.ref} {own.ref}")
    await running.settle()
    incident = await Ticket.get(is_incident=True)
    await click(running, "U0ENG2", Action.CLAIM, incident)
    assert [(await Ticket.get(id=t.id)).owner_id for t in (held, acme, own)] == ["U0ENG2", "U0ENG2", "U0ENG1"]

    await click(running, "U0ENG2", Action.RELEASE, incident)
    assert (await Ticket.get(id=incident.id)).owner_id is None
    # Back in the queue with the incident, but the one its own engineer took stays theirs.
    assert [(await Ticket.get(id=t.id)).owner_id for t in (held, acme, own)] == [None, None, "U0ENG1"]
