"""Reads for lists, App Home and /support: who sees a ticket, the queue's order, what is at risk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.services.errors import NotFound
from models import Page
from tests.bot.services.conftest import Env, central


@pytest.mark.parametrize("user", ["U0KEY2", "U0KEY9", "U0ENG2", "U0LEAD", "U0EXEC2"])
async def test_the_customers_key_users_and_the_vendors_staff_see_a_ticket(env: Env, user: str) -> None:
    ticket = await env.raise_ticket()
    assert (await env.queries.visible_to(ticket.id, user)).id == ticket.id


@pytest.mark.parametrize("user", ["U0KEY1", "U0KEY3", "U0STRANGER"])
async def test_anyone_else_is_told_there_is_no_such_ticket(env: Env, user: str) -> None:
    ticket = await env.raise_ticket()
    with pytest.raises(NotFound, match=f"no ticket {ticket.ref} that you can see"):
        await env.queries.visible_to(ticket.id, user)


async def test_an_unknown_ticket_is_not_found(env: Env) -> None:
    with pytest.raises(NotFound, match="There is no ticket SUP-404"):
        await env.queries.get(404)


async def test_the_unclaimed_queue_is_ordered_by_plan_rank_then_first_response_due(env: Env) -> None:
    standard_p4 = await env.raise_ticket(priority="P4", title="Dark mode")  # 16h: Wednesday 17:00
    enterprise = await env.raise_ticket(reporter_id="U0KEY1", priority="P3", title="Slow")  # 30m
    basic = await env.raise_ticket(reporter_id="U0KEY3", priority="P2", title="Down")  # 9h: Wed 10:00
    standard_p1 = await env.raise_ticket(priority="P1", title="Checkout broken")  # 2h: Tuesday 12:00
    claimed = await env.claimed("U0ENG1", priority="P1", title="Claimed one")
    resolved = await env.claimed("U0ENG1", priority="P1", title="Resolved one")
    await env.transitions.resolve(resolved.id, "U0ENG1", "fixed", "", None)
    released = await env.claimed("U0ENG1", priority="P2", title="Released one")  # was due Tuesday 14:00
    await env.transitions.release(released.id, "U0ENG1")
    queue = await env.queries.unclaimed_by_due()
    # Enterprise (rank 0) first, then Standard (rank 3) by due time, then Basic (rank 4) though due sooner.
    assert [t.id for t in queue] == [enterprise.id, standard_p1.id, released.id, standard_p4.id, basic.id]
    assert claimed.id not in [t.id for t in queue]


async def test_first_response_due_is_given_for_unclaimed_tickets_in_a_list(env: Env) -> None:
    waiting = await env.raise_ticket(priority="P1")
    taken = await env.claimed("U0ENG1", priority="P1", title="Taken")
    listed = await env.queries.open_for_customers(["globex"])
    assert await env.queries.first_response_due(listed) == {waiting.id: central(17, 12)}
    assert taken.id in [t.id for t in listed]
    assert await env.queries.first_response_due([]) == {}


async def test_an_overdue_unclaimed_ticket_keeps_its_first_response_due_in_lists(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P1")  # first response due Tuesday 12:00
    await env.advance(timedelta(hours=3))  # the breach is recorded; still nobody claimed it
    listed = await env.queries.open_for_customers(["globex"])
    assert await env.queries.first_response_due(listed) == {ticket.id: central(17, 12)}


async def test_at_risk_lists_clocks_past_75_percent_most_urgent_first(env: Env) -> None:
    calm = await env.raise_ticket(priority="P4", title="Calm")  # first response 16h
    risky = await env.raise_ticket(priority="P2", title="Risky")  # first response 4h
    breached = await env.raise_ticket(reporter_id="U0KEY1", priority="P2", title="Late")  # 30m, 24x7
    done = await env.claimed("U0ENG1", reporter_id="U0KEY1", priority="P3", title="Done")
    await env.transitions.resolve(done.id, "U0ENG1", "fixed", "", None)
    assert await env.queries.at_risk() == []
    await env.advance(timedelta(hours=2, minutes=59))  # risky at 74.6 %
    assert [t.id for t in await env.queries.at_risk()] == [breached.id]
    await env.advance(timedelta(minutes=1))  # 75 %
    assert [t.id for t in await env.queries.at_risk()] == [breached.id, risky.id]
    assert calm.id not in [t.id for t in await env.queries.at_risk()]


async def test_a_clock_paused_past_75_percent_is_not_at_risk_while_it_waits(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", reporter_id="U0KEY1", priority="P1")  # resolution 8h, 24x7
    await env.advance(timedelta(hours=6, minutes=30))  # 81 %
    assert [t.id for t in await env.queries.at_risk()] == [ticket.id]
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    env.clock.advance(timedelta(days=3))
    assert await env.queries.at_risk() == []
    await env.transitions.resume(ticket.id, "U0KEY1")
    assert [t.id for t in await env.queries.at_risk()] == [ticket.id]


async def test_lists_of_a_customer_an_owner_and_a_reporter(env: Env) -> None:
    p3 = await env.raise_ticket(priority="P3", title="Three")
    p1 = await env.raise_ticket(reporter_id="U0KEY9", customer="globex", priority="P1", title="One")
    mine = await env.claimed("U0ENG2", priority="P2", title="Two")
    done = await env.claimed("U0ENG2", priority="P1", title="Done")
    await env.transitions.resolve(done.id, "U0ENG2", "fixed", "", None)
    urgent = await env.claimed("U0ENG2", reporter_id="U0KEY9", customer="globex", priority="P1", title="Up")
    await env.raise_ticket(reporter_id="U0KEY1", title="Acme's")
    # Nothing is at risk yet: by the soonest due target. P1's first response Tuesday 12:00, P3's Wednesday
    # 09:00, the claimed P1's resolution Wednesday 10:00, the claimed P2's (27h) Friday.
    open_ = [p1.id, p3.id, urgent.id, mine.id]
    assert [t.id for t in await env.queries.open_for_customers(["globex"])] == open_
    assert [t.id for t in await env.queries.owned_by("U0ENG2")] == [urgent.id, mine.id]
    assert [t.id for t in await env.queries.raised_by("U0KEY2")] == [p3.id, mine.id]
    assert [t.id for t in await env.queries.raised_by("U0KEY9")] == [p1.id, urgent.id]
    staff = await env.raise_ticket(reporter_id="U0ENG1", customer="globex", title="On their behalf")
    assert staff.id in [t.id for t in await env.queries.raised_by("U0ENG1")]  # staff raised it: theirs too


async def test_breached_tickets_come_first_then_those_at_risk_then_the_rest_by_due(env: Env) -> None:
    later = await env.raise_ticket(priority="P4", title="Dark mode")  # first response 16h: Wed 17:00
    soon = await env.raise_ticket(priority="P2", title="Slow export")  # 4h: Tuesday 14:00
    first = await env.raise_ticket(priority="P1", title="Checkout down")  # 2h: Tuesday 12:00
    await env.advance(timedelta(hours=3))  # 13:00: P1 1h past its target, P2 75 % used, P4 on track
    urgency = await env.queries.urgency([later, soon, first])
    assert [urgency[t.id].standing.name for t in (first, soon, later)] == ["BREACHED", "AT_RISK", "ON_TRACK"]
    assert [t.id for t in await env.queries.open_for_customers(["globex"])] == [first.id, soon.id, later.id]
    assert [t.id for t in await env.queries.unclaimed_by_due()] == [first.id, soon.id, later.id]


async def test_a_breached_ticket_beyond_the_first_twenty_still_comes_first(env: Env) -> None:
    for n in range(20):
        await env.raise_ticket(priority="P4", title=f"Request {n}")  # 16h: on track all day
    late = await env.raise_ticket(priority="P1", title="Checkout down")  # the 21st, due 12:00
    await env.advance(timedelta(hours=2, minutes=30))
    listed = await env.queries.open_for_customers(["globex"])
    assert len(listed) == 20 and listed[0].id == late.id
    assert (await env.queries.unclaimed_by_due())[0].id == late.id


async def test_history_is_the_event_log_in_order(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    env.clock.advance(timedelta(minutes=3))
    await env.transitions.release(ticket.id, "U0ENG1")
    history = await env.queries.history(ticket.id)
    assert [e.kind for e in history] == ["raised", "claimed", "first_response_met", "released"]
    assert history[-1].at == central(17, 10, 3)


async def test_unacknowledged_pages_of_a_person(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")  # Enterprise: lead at 30m
    await env.advance(timedelta(minutes=30))
    (page,) = await env.queries.unacknowledged_pages("U0LEAD")
    assert page.ticket_id == ticket.id and page.level == "lead"
    assert await env.queries.unacknowledged_pages("U0MGR") == []
    await env.pages.acknowledge(page.id, "U0LEAD")
    assert await env.queries.unacknowledged_pages("U0LEAD") == []
    await Page.filter(id=page.id).update(acknowledged_at=None)
    await env.transitions.resolve(ticket.id, "U0LEAD", "fixed", "", None)
    assert await env.queries.unacknowledged_pages("U0LEAD") == []  # a resolved ticket's pages are done
