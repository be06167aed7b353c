"""Acting on escalations: acknowledge a page, take the ticket from it, ask for the next level."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.jobs.kinds import DeliverPage, NotifyReporter, RedrawPage, RedrawTicket, ThreadNote
from bot.services.errors import NotAllowed, ServiceError
from bot.services.pages import REASON_MAX
from models import Page, Ticket, TicketEvent
from tests.bot.services.conftest import Env, sent_of


async def lead_page(env: Env, **overrides: str) -> Page:
    """An Enterprise P1 left unclaimed until its lead is paged (30 minutes)."""
    await env.raise_ticket(reporter_id="U0KEY1", priority="P1", **overrides)
    await env.advance(timedelta(minutes=30))
    return await Page.get(recipient="U0LEAD", step_key="P1.0")


# --- acknowledge ---


async def test_the_paged_person_acknowledges_once(env: Env) -> None:
    page = await lead_page(env)
    env.clock.advance(timedelta(minutes=2))
    acknowledged = await env.pages.acknowledge(page.id, "U0LEAD")
    assert acknowledged.acknowledged_by == "U0LEAD" and acknowledged.acknowledged_at == env.clock.now()
    logged = await TicketEvent.get(ticket_id=page.ticket_id, kind="page_acknowledged")
    assert logged.actor == "U0LEAD" and logged.detail == {"page": page.id, "level": "lead"}
    assert await env.run_due() == [
        RedrawPage(ticket_id=page.ticket_id, page=page.id),
        ThreadNote(ticket_id=page.ticket_id, text="<@U0LEAD> acknowledged the escalation."),
    ]
    env.clock.advance(timedelta(minutes=2))
    again = await env.pages.acknowledge(page.id, "U0LEAD")  # a double click
    assert again.acknowledged_at == acknowledged.acknowledged_at
    assert await TicketEvent.filter(kind="page_acknowledged").count() == 1
    assert await env.run_due() == []


async def test_someone_else_on_a_level_may_acknowledge_for_them(env: Env) -> None:
    page = await lead_page(env)
    assert (await env.pages.acknowledge(page.id, "U0MGR")).acknowledged_by == "U0MGR"


async def test_an_engineer_who_was_not_paged_may_not_acknowledge(env: Env) -> None:
    page = await lead_page(env)
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="acknowledge a page"):
        await env.pages.acknowledge(page.id, "U0ENG1")
    with pytest.raises(NotAllowed, match="no longer exists"):
        await env.pages.acknowledge(page.id + 100, "U0LEAD")
    assert await env.snapshot() == before


# --- take ---


async def test_taking_an_unclaimed_ticket_claims_it_and_acknowledges_the_page(env: Env) -> None:
    page = await lead_page(env)
    taken = await env.pages.take(page.id, "U0LEAD")
    assert taken.owner_id == "U0LEAD"
    page = await Page.get(id=page.id)
    assert page.acknowledged_by == "U0LEAD"
    # The claim stopped the first-response clock, already breached at 30 minutes.
    assert (await env.events(page.ticket_id))[-3:] == [
        "claimed",
        "first_response_breached",
        "page_acknowledged",
    ]
    assert (await TicketEvent.get(ticket_id=page.ticket_id, kind="claimed")).actor == "U0LEAD"
    sent = await env.run_due()
    assert RedrawPage(ticket_id=page.ticket_id, page=page.id) in sent
    reporter = (await Ticket.get(id=page.ticket_id)).reporter_id
    assert NotifyReporter(ticket_id=page.ticket_id, to=reporter, event="claimed", by="U0LEAD") in sent


async def test_taking_a_ticket_someone_else_owns_reassigns_it(env: Env) -> None:
    page = await lead_page(env)
    await env.transitions.claim(page.ticket_id, "U0ENG1")
    taken = await env.pages.take(page.id, "U0LEAD")
    assert taken.owner_id == "U0LEAD"
    reassigned = await TicketEvent.get(ticket_id=page.ticket_id, kind="reassigned")
    assert reassigned.actor == "U0LEAD" and reassigned.detail == {
        "previous_owner": "U0ENG1",
        "owner": "U0LEAD",
    }
    assert (await Page.get(id=page.id)).acknowledged_by == "U0LEAD"


async def test_taking_from_a_page_of_a_resolved_ticket_is_refused(env: Env) -> None:
    page = await lead_page(env)
    await env.transitions.claim(page.ticket_id, "U0ENG1")
    await env.transitions.resolve(page.ticket_id, "U0ENG1", "fixed", "", None)
    before = await env.snapshot()
    with pytest.raises(ServiceError, match="is resolved"):
        await env.pages.take(page.id, "U0LEAD")
    assert await env.snapshot() == before


async def test_a_refused_take_changes_nothing(env: Env) -> None:
    page = await lead_page(env)
    before = await env.snapshot()
    try:
        await env.pages.take(page.id, "U0ENG2")
    except ServiceError:
        assert await env.snapshot() == before  # refused: nothing may have changed
    else:  # or allowed: then all of it
        assert (await Ticket.get(id=page.ticket_id)).owner_id == "U0ENG2"
        assert (await Page.get(id=page.id)).acknowledged_at is not None


async def test_taking_from_a_page_when_you_already_own_the_ticket_acknowledges_it(env: Env) -> None:
    page = await lead_page(env)
    await env.transitions.claim(page.ticket_id, "U0LEAD")
    taken = await env.pages.take(page.id, "U0LEAD")
    assert taken.owner_id == "U0LEAD"
    assert (await Page.get(id=page.id)).acknowledged_by == "U0LEAD"


# --- asking for escalation ---


async def test_a_key_user_asks_for_escalation_and_the_first_level_is_paged_at_once(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P3")
    await env.run_due()
    pages = await env.pages.request(ticket.id, "U0KEY2", "  month-end <!channel>\n close  ")
    (page,) = pages
    reason = "escalation requested by <@U0KEY2>: month-end &lt;!channel&gt; close"
    assert (page.recipient, page.level, page.step_key, page.reason) == ("U0LEAD", "lead", "request.1", reason)
    assert page.due_at == env.clock.now() and not page.late
    requested = await TicketEvent.get(ticket_id=ticket.id, kind="escalation_requested")
    assert requested.actor == "U0KEY2"
    assert requested.detail == {"level": "lead", "reason": "month-end <!channel> close"}
    assert await env.run_due() == [
        # a page goes before any other work (URGENT_KINDS)
        DeliverPage(ticket_id=ticket.id, page=page.id, to="U0LEAD"),
        RedrawTicket(ticket_id=ticket.id),
        NotifyReporter(
            ticket_id=ticket.id,
            to=ticket.reporter_id,
            event="escalated",
            text="Escalation requested by <@U0KEY2>: the lead level is being paged now.",
        ),
        ThreadNote(ticket_id=ticket.id, text=f"Escalated to <@U0LEAD>: {reason}."),
    ]


async def test_each_request_goes_one_level_up_and_the_top_stays(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P3")
    levels = []
    for reason in ("one", "two", "three", "four"):
        pages = await env.pages.request(ticket.id, "U0ENG1", reason)
        levels.append(sorted(p.recipient for p in pages))
    assert levels == [["U0LEAD"], ["U0MGR"], ["U0EXEC1", "U0EXEC2"], ["U0EXEC1", "U0EXEC2"]]


async def test_a_request_after_the_ladder_paged_the_lead_goes_to_the_manager(env: Env) -> None:
    page = await lead_page(env)
    (manager,) = await env.pages.request(page.ticket_id, "U0KEY1", "still down")
    assert manager.recipient == "U0MGR"


async def test_a_long_reason_is_cut(env: Env) -> None:
    ticket = await env.raise_ticket()
    await env.pages.request(ticket.id, "U0KEY2", "x" * (REASON_MAX + 50))
    requested = await TicketEvent.get(ticket_id=ticket.id, kind="escalation_requested")
    assert requested.detail["reason"] == "x" * REASON_MAX


async def test_refused_requests_change_nothing(env: Env) -> None:
    ticket = await env.raise_ticket()
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="ask for escalation"):
        await env.pages.request(ticket.id, "U0KEY1", "not my company's ticket")
    with pytest.raises(ServiceError, match="Say why"):
        await env.pages.request(ticket.id, "U0KEY2", " \n ")
    assert await env.snapshot() == before
    await env.transitions.claim(ticket.id, "U0ENG1")
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "", None)
    before = await env.snapshot()
    with pytest.raises(ServiceError, match="is resolved; reopen it first"):
        await env.pages.request(ticket.id, "U0KEY2", "please")
    assert await env.snapshot() == before
    assert sent_of(await env.run_due(), DeliverPage) == []
