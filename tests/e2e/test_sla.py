"""SLA clocks end to end: due times on the plan calendar, pause/resume, priority change, thresholds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.ids import Action
from models import SlaClock, TicketEvent
from tests.conftest import RunningBot
from tests.e2e.journey import channel_message, click, raise_ticket, thread_notes, wait_on

FRIDAY_4PM_CENTRAL = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)
MONDAY_11AM_CENTRAL = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def stamp(at: datetime) -> str:
    return f"<!date^{int(at.timestamp())}^"


async def test_p2_on_standard_raised_friday_4pm_is_due_monday_11am(running: RunningBot) -> None:
    running.clock.set(FRIDAY_4PM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY2", priority="P2")
    shown = channel_message(running, ticket)
    assert f"*First response*: due {stamp(MONDAY_11AM_CENTRAL)}" in shown
    assert "4 business hours left" in shown
    (dm,) = running.standin.posts_to("U0KEY2")
    assert "A first response is due by *Monday 23 Nov, 11:00 CST*" in dm.args["blocks"][0]["text"]["text"]


async def test_out_of_hours_confirmation_says_when_the_clock_starts(running: RunningBot) -> None:
    running.standin.users["U0KEY2"] = {"tz": "Europe/Berlin"}
    running.clock.set(datetime(2026, 11, 21, 15, 0, tzinfo=UTC))  # Saturday
    await raise_ticket(running, user="U0KEY2", priority="P1")
    (dm,) = running.standin.posts_to("U0KEY2")
    text = dm.args["blocks"][0]["text"]["text"]
    assert (
        "Standard support hours are Mon–Fri 08:00–17:00 US Central; your clock starts Monday 08:00." in text
    )
    assert "Monday 23 Nov, 17:00 CET" in text  # 10:00 Central, in the key user's own timezone


async def test_priority_change_keeps_the_business_time_already_elapsed(running: RunningBot) -> None:
    running.clock.set(FRIDAY_4PM_CENTRAL)
    ticket = await raise_ticket(running, user="U0KEY2", priority="P2")
    running.clock.advance(timedelta(minutes=30))  # 30 business minutes used, 16:30 Friday
    await click(
        running, "U0ENG1", Action.SET_PRIORITY, ticket, value=f"{ticket.id}:P1", action_type="static_select"
    )
    # P1 is 2h: 1h30m left, of which 30m on Friday and 1h on Monday from 08:00.
    monday_9am = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    shown = channel_message(running, ticket)
    assert (
        "P1 Emergency" in shown
        and f"due {stamp(monday_9am)}" in shown
        and "1 business hour 30 min left" in shown
    )
    clock = await SlaClock.get(ticket_id=ticket.id, name="first_response")
    assert clock.target_seconds == 7200 and clock.due_at == monday_9am
    assert "changed the priority from P2 to P1 Emergency" in " ".join(thread_notes(running, ticket))
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="first_response_retargeted").count() == 1


async def test_waiting_on_customer_pauses_resolution_and_resume_moves_the_due_time(
    running: RunningBot,
) -> None:
    tuesday_10am = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
    running.clock.set(tuesday_10am)
    ticket = await raise_ticket(running, user="U0KEY2", priority="P1")  # resolution 9h business
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    running.clock.advance(timedelta(hours=1))  # 11:00: 1h of resolution time used
    await wait_on(running, "U0ENG1", ticket)
    shown = channel_message(running, ticket)
    assert "*Resolution*: paused, 8 business hours left" in shown and Action.RESUME in shown
    waiting_dm = running.standin.posts_to("U0KEY2")[-1]
    assert "paused until you add details" in waiting_dm.args["blocks"][0]["text"]["text"]

    running.clock.advance(timedelta(days=1))  # Wednesday 11:00: paused time does not count
    await click(running, "U0ENG1", Action.RESUME, ticket)
    # 8h left from Wednesday 11:00 → Thursday 10:00 Central.
    thursday_10am = datetime(2026, 11, 19, 16, 0, tzinfo=UTC)
    clock = await SlaClock.get(ticket_id=ticket.id, name="resolution")
    assert clock.due_at == thursday_10am and clock.state == "running"
    shown = channel_message(running, ticket)
    assert f"*Resolution*: due {stamp(thursday_10am)}" in shown and "8 business hours left" in shown
    # (The P1 ladder also paged the manager meanwhile: the ticket is still unresolved.)
    kinds = [
        e.kind
        for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")
        if e.kind not in ("paged", "step_skipped")
    ]
    assert kinds == [
        "raised",
        "claimed",
        "first_response_met",
        "waiting_on_customer",
        "resolution_paused",
        "resumed",
        "resolution_resumed",
    ]


async def test_threshold_crossings_note_at_risk_and_breach_and_redraw_only_then(running: RunningBot) -> None:
    running.clock.set(datetime(2026, 11, 17, 16, 0, tzinfo=UTC))
    ticket = await raise_ticket(running, user="U0KEY1", priority="P2")  # enterprise: 30m first response
    updates = len(running.standin.calls_to("chat.update"))
    for _ in range(35):  # a minute at a time, running due work every minute
        running.clock.advance(timedelta(minutes=1))
        await running.settle()
    notes = thread_notes(running, ticket)
    assert any("first response target is at risk" in n for n in notes)
    assert any("first response target was missed" in n for n in notes)
    # Redrawn at 50, 75, 90 and 100 % only: never once a minute.
    assert len(running.standin.calls_to("chat.update")) - updates == 4
    assert ":red_circle: breached" in channel_message(running, ticket)
    clock = await SlaClock.get(ticket_id=ticket.id, name="first_response")
    assert clock.state == "breached" and clock.breached_at == ticket.created_at + timedelta(minutes=30)
