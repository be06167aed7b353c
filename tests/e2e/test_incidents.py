"""Storms become one incident, through the real endpoint against the stand-in: alike tickets get one storm
message (updated in place, not reposted), Group as one incident or `/support incident` makes the
incident, and claiming and resolving it reaches every child and every child's reporter; a reopened child
leaves the incident."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.ids import Action, Block, Callback
from bot.standin.payloads import block_actions, select_value, text_value, view_submission
from models import ChannelBoard, ClockState, Page, SlaClock, Ticket, TimeEntry
from tests.conftest import RunningBot
from tests.e2e.journey import advance, click, command, pages_to, raise_ticket

# Four customers' key users, one ticket each, about the same outage.
REPORTERS = ("U0KEY1", "U0KEY2", "U0KEY3", "U0KEY4")
TITLES = (
    "Checkout fails with error 500",
    "Checkout error 500 since this morning",
    "Checkout page fails",
    "Error 500 at checkout",
)


def storm_posts(running: RunningBot) -> list[dict]:
    return [c for c in running.standin.posts_to("C0SUPPORT") if c.args["text"].startswith("Storm:")]


async def raise_storm(running: RunningBot, n: int = 4) -> list[Ticket]:
    tickets = []
    for user, title in zip(REPORTERS[:n], TITLES[:n], strict=True):
        priority = "P1" if user == "U0KEY1" else "P3"  # what each plan offers; the incident takes the highest
        tickets.append(await raise_ticket(running, user, title=title, category="bug", priority=priority))
        running.clock.advance(timedelta(minutes=2))
    return tickets


async def test_alike_tickets_get_one_storm_message_grouped_by_its_button(running: RunningBot) -> None:
    first = await raise_storm(running, 3)
    assert storm_posts(running) == []  # three are no storm (storm.tickets defaults to 4)
    fourth = await raise_ticket(
        running, "U0KEY4", title=TITLES[3], category="incident", priority="P3"
    )  # alike by title
    children = [*first, fourth]
    (posted,) = storm_posts(running)
    shown = json.dumps(posted.args["blocks"])
    assert all(f"*{t.ref}*" in shown for t in children)
    assert "Acme Corp" in shown and "Umbrella" in shown and Action.GROUP_STORM in shown

    running.clock.advance(timedelta(minutes=1))
    fifth = await raise_ticket(
        running, "U0KEY5", title="Checkout fails: error 500", category="bug", priority="P3"
    )
    assert len(storm_posts(running)) == 1  # updated in place, not posted again
    board = await ChannelBoard.get(kind="storm")
    assert f"*{fifth.ref}*" in json.dumps(
        running.standin.message("C0SUPPORT", board.message_ts or "")["blocks"]
    )
    running.clock.advance(timedelta(seconds=5))
    await click(running, "U0ENG2", Action.CLAIM, fourth)  # claimed on its own message: the storm shows it
    drawn = json.dumps(running.standin.message("C0SUPPORT", board.message_ts or "")["blocks"])
    assert f"*{fourth.ref}*" in drawn and "claimed by <@U0ENG2>" in drawn

    body, content_type = block_actions(
        "U0ENG1", Action.GROUP_STORM, str(board.id), block_id=Block.STORM_ACTIONS, message_ts=board.message_ts
    )
    assert (await running.slack.send(body, content_type))[0] == 200
    await running.settle()
    incident = await Ticket.get(is_incident=True)
    assert incident.reporter_id == "U0ENG1" and incident.priority == "P1"
    assert sorted(await Ticket.filter(incident_id=incident.id).values_list("id", flat=True)) == sorted(
        t.id for t in [*children, fifth]
    )
    (posted,) = [
        c for c in running.standin.posts_to("C0SUPPORT") if c.args["text"].startswith(f"{incident.ref} ")
    ]
    assert "Incident: 5 tickets from 5 customers" in json.dumps(posted.args["blocks"])
    now_shown = running.standin.message("C0SUPPORT", board.message_ts or "")
    assert f"grouped as {incident.ref}" in json.dumps(now_shown["blocks"])
    assert Action.GROUP_STORM not in json.dumps(now_shown["blocks"])


async def test_working_the_incident_reaches_every_child_and_reporter(running: RunningBot) -> None:
    children = await raise_storm(running)
    refs = " ".join(t.ref for t in children[:3])  # grouped by hand: three of the four
    answer = await command(running, "U0ENG1", f"incident {refs}")
    await running.settle()
    incident = await Ticket.get(is_incident=True)
    assert incident.ref in answer
    assert incident.ref not in await command(running, "U0KEY1", "list")  # internal: no customer's ticket
    assert "no ticket" in await command(running, "U0KEY1", f"show {incident.ref}")
    grouped, left_out = children[:3], children[3]
    assert (await Ticket.get(id=left_out.id)).incident_id is None

    dms_before = {u: len(running.standin.posts_to(u)) for u in REPORTERS}
    await click(running, "U0ENG2", Action.CLAIM, incident)
    claimed_at = (await Ticket.get(id=incident.id)).claimed_at
    assert claimed_at is not None
    for child in grouped:  # claimed with it: first response met then (its job runs at once, paced)
        fresh = await Ticket.get(id=child.id)
        assert fresh.owner_id == "U0ENG2"
        clock = await SlaClock.get(ticket_id=child.id, name="first_response")
        assert clock.state == ClockState.MET and clock.stopped_at is not None
        assert timedelta(0) <= clock.stopped_at - claimed_at < timedelta(seconds=10)
    for user in REPORTERS[:3]:
        (news,) = running.standin.posts_to(user)[dms_before[user] :]
        assert "<@U0ENG2> has taken your ticket" in news.args["text"] + json.dumps(news.args["blocks"])
    assert running.standin.posts_to("U0KEY4")[dms_before["U0KEY4"] :] == []  # not in the incident
    assert not any("taken your ticket" in c.args["text"] for c in running.standin.posts_to("U0ENG1"))

    # Link to incident: the fourth joins, and catches up with it (claimed by the incident's owner).
    answer = await command(running, "U0ENG1", f"incident {incident.ref} {left_out.ref}")
    await running.settle()
    assert f"{incident.ref} now holds 4 tickets" in answer
    joined = await Ticket.get(id=left_out.id)
    assert joined.incident_id == incident.id and joined.owner_id == "U0ENG2"
    grouped = [*grouped, left_out]

    values = {
        Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")},  # a defect waits on its fix
        Block.RESOLUTION_NOTE: {Action.RESOLUTION_NOTE: text_value("Rolled back the payment gateway.")},
        Block.TIME_SPENT: {Action.TIME_SPENT: text_value(None)},
        Block.DUPLICATE_OF: {Action.DUPLICATE_OF: text_value(None)},
    }
    status, _ = await running.slack.send(
        *view_submission("U0ENG2", Callback.RESOLVE_MODAL, values, private_metadata=str(incident.id))
    )
    assert status == 200
    await running.settle()
    for child in grouped:
        fresh = await Ticket.get(id=child.id)
        assert fresh.status == "resolved" and fresh.resolution_note == "Rolled back the payment gateway."
    for user in REPORTERS:
        told = json.dumps(running.standin.posts_to(user)[-1].args["blocks"])
        assert "resolved your ticket" in told and "Rolled back the payment gateway." in told

    # A customer whose problem is back reopens their ticket: it leaves the incident.
    reopened = grouped[0]
    body, content_type = block_actions("U0KEY1", Action.REOPEN, str(reopened.id), channel_id="D0KEY1")
    assert (await running.slack.send(body, content_type))[0] == 200
    await running.settle()
    fresh = await Ticket.get(id=reopened.id)
    assert fresh.status == "open" and fresh.incident_id is None
    assert await Ticket.filter(incident_id=incident.id).count() == 3


async def test_grouping_by_hand_refuses_what_cannot_be_grouped_and_changes_nothing(
    running: RunningBot,
) -> None:
    children = await raise_storm(running, 2)
    a, b = (t.ref for t in children)
    assert "support team" in await command(running, "U0KEY1", f"incident {a} {b}")
    assert "at least two" in await command(running, "U0ENG1", f"incident {a}")
    assert "There is no ticket SUP-999" in await command(running, "U0ENG1", f"incident {a} SUP-999")
    assert "not a ticket reference" in await command(running, "U0ENG1", f"incident {a} banana")
    assert await Ticket.filter(is_incident=True).count() == 0
    assert await Ticket.filter(incident_id__isnull=False).count() == 0
    await command(running, "U0ENG1", f"incident {a} {b}")
    assert "already part of" in await command(running, "U0ENG1", f"incident {a} {b}")
    assert await Ticket.filter(is_incident=True).count() == 1


async def test_the_childrens_ladders_page_each_person_once_for_the_incident(running: RunningBot) -> None:
    children = await raise_storm(running, 3)  # three customers, one P1 (Acme) and two P3s
    await command(running, "U0ENG1", "incident " + " ".join(t.ref for t in children))
    await running.settle()
    incident = await Ticket.get(is_incident=True)
    await advance(running, timedelta(hours=9), step=timedelta(minutes=30))  # every child's steps fall due

    assert await Page.filter(ticket_id__in=[t.id for t in children]).count() == 0
    pages = await Page.filter(ticket_id=incident.id).order_by("id")
    assert sorted((p.level, p.recipient) for p in pages) == sorted(
        {(p.level, p.recipient) for p in pages}
    )  # one page per person and level however many children fell due
    (lead,) = [p for p in pages if p.recipient == "U0LEAD"]
    assert "holds 3 tickets from 3 customers, highest P1" in lead.reason
    (dm,) = pages_to(running, "U0LEAD")
    assert incident.ref in dm.args["text"] + json.dumps(dm.args["blocks"])


async def test_time_logged_on_the_incident_is_split_among_its_tickets_to_the_minute(
    running: RunningBot,
) -> None:
    children = await raise_storm(running, 3)  # Acme (bank), Globex, Initech: three contracts
    await command(running, "U0ENG1", "incident " + " ".join(t.ref for t in children))
    await running.settle()
    incident = await Ticket.get(is_incident=True)
    answer = await command(running, "U0ENG1", f"log {incident.ref} 10m")
    await running.settle()
    assert "Nothing was logged" not in answer
    assert await TimeEntry.filter(ticket_id=incident.id).count() == 0
    shares = [
        (e.ticket_id, e.customer, e.minutes) for e in await TimeEntry.all().order_by("ticket_id")
    ]  # 10 minutes in three: the one left over goes to the oldest ticket
    assert shares == [(t.id, t.customer, m) for t, m in zip(children, (4, 3, 3), strict=True)]

    await command(running, "U0ENG1", f"log {children[1].ref} 5m")  # on one ticket: that ticket only
    assert [e.minutes for e in await TimeEntry.filter(ticket_id=children[1].id).order_by("id")] == [3, 5]
    assert await TimeEntry.all().count() == 4
