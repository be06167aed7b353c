"""Next response and update cadence on the Standard plan's business hours (Mon–Fri 08:00–17:00 US Central),
with a fake clock: started and stopped by each kind of message this branch has, paused while waiting on
the customer, reminders, misses, the lead told (a message, not a page) and ladder steps after them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.jobs.kinds import DeliverPage, TellPerson, ThreadNote
from bot.policy import ConfigError, Policy, Priority, parse_config
from models import ClockState, Page, Ticket
from tests.bot.services.conftest import FRIDAY_4PM, TUESDAY_10AM, Env, build_env, central, sent_of
from tests.conftest import EXAMPLE_POLICY

THREAD = ("C0SUPPORT", "1700000000.000100")


def recurring_policy() -> Policy:
    """The example policy, with Standard P2 answering each customer message within 2h, an update at
    least every 4h, and the manager paged at each missed next response."""
    text = EXAMPLE_POLICY.read_text()
    standard = "".join(
        f"    {line}\n"
        for line in (
            "resolution: {P1: 9h, P2: 27h, P3: 90h, P4: 180h}",
            "includes: [slack, email, web]",
            "rank: 3",
        )
    )
    assert standard in text
    text = text.replace(
        standard,
        standard + "    next_response: {P2: 2h}\n    update_every: {P2: 4h}\n"
        "    ladder: {P2: [{page: lead, after: first_response, unless: claimed},"
        " {page: manager, after: next_response}]}\n",
    )
    return parse_config(text)


@pytest.fixture
def renv(database: None, clock: FakeClock) -> Env:
    return build_env(recurring_policy(), clock)


async def claimed_in_thread(env: Env, at: object) -> Ticket:
    env.clock.set(at)  # type: ignore[arg-type]
    ticket = await env.claimed(priority="P2")
    await Ticket.filter(id=ticket.id).update(channel_id=THREAD[0], message_ts=THREAD[1])
    await env.run_due()
    return ticket


def notes(sent: list) -> list[str]:
    return [n.text for n in sent_of(sent, ThreadNote)]


async def vendor_says(env: Env, ticket_id: int) -> None:
    """What every door that shows the customer a vendor's message does (Reply to customer, e-mail …)."""
    async with env.jobs.transaction():
        await env.sla.vendor_message(await Ticket.get(id=ticket_id), env.clock.now(), "U0ENG1")


async def test_a_thread_reply_starts_next_response_which_breaches_over_the_weekend(renv: Env) -> None:
    env = renv
    ticket = await claimed_in_thread(env, FRIDAY_4PM)
    assert not await env.sla.clocks(ticket) or "next_response" not in await env.sla.clocks(ticket)

    env.clock.set(central(20, 16, 30))
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")  # the customer asks again
    clock = await env.clock_row(ticket.id, "next_response")
    # 2h of business time: 30m on Friday, 1h30m on Monday.
    assert clock.state == ClockState.RUNNING and clock.due_at == central(23, 9, 30)
    await env.replies.reply_in_thread(*THREAD, "U0ENG1")  # an engineer in the thread: internal
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")  # a second message: still the first one's due
    assert (await env.clock_row(ticket.id, "next_response")).due_at == central(23, 9, 30)

    sent = await env.advance(central(23, 9) - env.clock.now())  # Monday 09:00: 75 %
    assert any(n.startswith(":warning: The next response target is at risk") for n in notes(sent))
    sent = await env.advance(timedelta(minutes=30))  # 09:30: missed
    assert any(n.startswith(":red_circle: The next response target was missed") for n in notes(sent))
    (page,) = await Page.filter(ticket_id=ticket.id)
    assert (page.level, page.recipient) == ("manager", "U0MGR")
    assert page.reason == "P2 next-response target missed"
    assert DeliverPage(ticket_id=ticket.id, page=page.id, to="U0MGR") in sent

    env.clock.set(central(23, 10))
    await vendor_says(env, ticket.id)
    clock = await env.clock_row(ticket.id, "next_response")
    assert clock.state == ClockState.BREACHED and clock.stopped_at == central(23, 10)
    assert clock.elapsed_seconds == 2.5 * 3600  # 30m Friday + 2h Monday (08:00-10:00)

    # The next message starts a new cycle; answered in time it is met, and the manager is not paged again.
    env.clock.set(central(23, 11))
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")
    env.clock.set(central(23, 12))
    await vendor_says(env, ticket.id)
    clock = await env.clock_row(ticket.id, "next_response")
    assert (clock.state, clock.breached_count, clock.met_count) == (ClockState.MET, 1, 0)
    await env.advance(timedelta(hours=3))
    assert await Page.filter(ticket_id=ticket.id).count() == 1

    # A third miss pages the manager again: one page per missed cycle.
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")
    await env.advance(timedelta(hours=2))
    assert await Page.filter(ticket_id=ticket.id, level="manager").count() == 2


async def test_an_unclaimed_ticket_has_no_next_response_clock(renv: Env) -> None:
    env = renv
    env.clock.set(TUESDAY_10AM)
    ticket = await env.raise_ticket(priority="P2")
    await Ticket.filter(id=ticket.id).update(channel_id=THREAD[0], message_ts=THREAD[1])
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")
    # The first response covers it.
    assert set(await env.sla.clocks(ticket)) == {"first_response", "resolution"}


async def test_add_details_by_the_customer_starts_it_by_an_engineer_does_not(renv: Env) -> None:
    env = renv
    ticket = await claimed_in_thread(env, TUESDAY_10AM)
    await env.transitions.add_details(ticket.id, "U0ENG1", "Checked the logs: error 500 in the exporter.")
    assert "next_response" not in await env.sla.clocks(ticket)
    env.clock.set(central(17, 11))
    await env.transitions.add_details(ticket.id, "U0KEY2", "It also fails for CSV.")
    assert (await env.clock_row(ticket.id, "next_response")).due_at == central(17, 13)


async def test_paused_while_waiting_and_a_dm_answer_starts_the_next_one(renv: Env) -> None:
    env = renv
    ticket = await claimed_in_thread(env, TUESDAY_10AM)
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")  # 10:00, due 12:00
    env.clock.set(central(17, 11))
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    for name in ("next_response", "update_every"):
        clock = await env.clock_row(ticket.id, name)
        assert clock.state == ClockState.PAUSED and clock.due_at is None
    await env.run_due()
    assert notes(await env.advance(timedelta(hours=5))) == []  # no note while paused: nothing can miss

    env.clock.set(central(18, 9))  # Wednesday: the customer answers by DM
    await env.replies.reply_from_dm("U0KEY2", "Here is the export log.")
    assert (await Ticket.get(id=ticket.id)).status == "open"
    clock = await env.clock_row(ticket.id, "next_response")
    # The unanswered message's hour left resumes; the DM does not restart it (the earliest answer is owed).
    assert clock.state == ClockState.RUNNING and clock.due_at == central(18, 10)
    update = await env.clock_row(ticket.id, "update_every")
    assert update.due_at == central(18, 12)  # 1h of the period used before the wait, 3h left


async def test_update_cadence_reminds_the_owner_then_tells_the_lead_without_paging(renv: Env) -> None:
    env = renv
    ticket = await claimed_in_thread(env, TUESDAY_10AM)  # the claim starts the first period
    assert (await env.clock_row(ticket.id, "update_every")).due_at == central(17, 14)

    sent = await env.advance(central(17, 13) - env.clock.now())  # 75 %
    (reminder,) = sent_of(sent, TellPerson)
    assert reminder.to == "U0ENG1" and reminder.text.startswith(f"{ticket.ref} owes the customer an update")
    assert notes(sent) == []  # the reminder is private

    sent = await env.advance(timedelta(hours=1))  # 14:00: missed
    due = int(central(17, 14).timestamp())
    assert notes(sent) == [
        f":red_circle: The customer got no update in time: one was due <!date^{due}"
        "^{date_short_pretty} at {time}|due time>."
    ]
    (told,) = sent_of(sent, TellPerson)
    assert told.to == "U0LEAD" and "missed its customer update" in told.text and "4h" in told.text
    assert await Page.filter(ticket_id=ticket.id).count() == 0  # a message, not a page

    # Nothing more until the next customer-visible message, which starts the next period.
    assert sent_of(await env.advance(timedelta(hours=6)), TellPerson) == []
    env.clock.set(central(18, 10))
    await vendor_says(env, ticket.id)
    update = await env.clock_row(ticket.id, "update_every")
    assert (update.state, update.breached_count, update.due_at) == (ClockState.RUNNING, 1, central(18, 14))

    # Resolving with a note is a customer-visible message: the last period ends met (in the row's state;
    # the counts hold the earlier periods), every clock stops.
    env.clock.set(central(18, 11))
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "Patched the exporter.", 30)
    update = await env.clock_row(ticket.id, "update_every")
    assert (update.state, update.breached_count, update.met_count) == (ClockState.MET, 1, 0)
    assert update.stopped_at == central(18, 11)
    assert sent_of(await env.advance(timedelta(hours=8)), TellPerson) == []


async def test_plans_without_the_targets_start_no_recurring_clock(env: Env) -> None:
    ticket = await env.claimed(priority="P2")
    await env.transitions.add_details(ticket.id, "U0KEY2", "More.")
    assert set(await env.sla.clocks(ticket)) == {"first_response", "resolution"}
    assert "next_response" not in ticket.policy["targets"]


async def test_resolving_answers_the_customer_and_reopening_owes_updates_again(renv: Env) -> None:
    env = renv
    ticket = await claimed_in_thread(env, TUESDAY_10AM)
    env.clock.set(central(17, 11))
    await env.replies.reply_in_thread(*THREAD, "U0KEY2")
    env.clock.set(central(17, 12))
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "Patched the exporter.", 30)
    answer = await env.clock_row(ticket.id, "next_response")
    assert (answer.state, answer.stopped_at, answer.elapsed_seconds) == (
        ClockState.MET,
        central(17, 12),
        3600,
    )

    env.clock.set(central(18, 9))
    await env.transitions.reopen(ticket.id, "U0KEY2")
    update = await env.clock_row(ticket.id, "update_every")
    assert (update.state, update.due_at, update.met_count) == (ClockState.RUNNING, central(18, 13), 1)
    assert (await env.clock_row(ticket.id, "next_response")).state == ClockState.MET  # nothing asked yet


def test_steps_after_recurring_targets_need_them_on_the_plan() -> None:
    policy = recurring_policy()
    (step,) = [s for s in policy.ladder_for("standard", Priority.P2) if s.after == "next_response"]
    assert step.on_miss and step.offset({"next_response": timedelta(hours=2)}) is None
    text = EXAMPLE_POLICY.read_text().replace(
        "      - {page: lead, after: first_response, unless: claimed}   # unclaimed",
        "      - {page: lead, after: update_every}\n"
        "      - {page: lead, after: first_response, unless: claimed}  #",
    )
    with pytest.raises(
        ConfigError, match=r"escalation\.ladder\.P1\.0\.after: plan 'premium' has no update_every"
    ):
        parse_config(text)
    wrong = EXAMPLE_POLICY.read_text().replace(
        "    first_response: {P2: 9h, P3: 9h, P4: 9h}\n",
        "    first_response: {P2: 9h, P3: 9h, P4: 9h}\n    next_response: {P1: 1h}\n",
    )
    with pytest.raises(ConfigError, match="next_response names P1, which the plan does not offer"):
        parse_config(wrong)
