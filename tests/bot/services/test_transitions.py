"""Working a ticket: each transition's effect on the ticket, its clocks, its log and what Slack is asked to
show; refusals change nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.ids import Block
from bot.jobs.kinds import LadderStepDue, NotifyReporter, RedrawTicket, SlaThreshold, ThreadNote
from bot.services.errors import InvalidInput, NotAllowed, ServiceError
from bot.services.resolutions import REOPEN_WINDOW
from bot.services.transitions import MAX_FILES
from models import ClockState, Page, Ticket, TicketEvent, TicketStatus
from tests.bot.services.conftest import FRIDAY_4PM, TUESDAY_10AM, Env, central, sent_of


async def event(ticket_id: int, kind: str) -> TicketEvent:
    return await TicketEvent.get(ticket_id=ticket_id, kind=kind)


# --- claim ---


async def test_claim_takes_the_ticket_and_stops_the_first_response_clock(env: Env) -> None:
    ticket = await env.raise_ticket()
    await env.run_due()  # the post and the "raised" DM went out
    env.clock.advance(timedelta(minutes=20))
    result = await env.transitions.claim(ticket.id, "U0ENG1")
    assert result.won and result.ticket.owner_id == "U0ENG1"
    saved = await Ticket.get(id=ticket.id)
    assert saved.claimed_at == TUESDAY_10AM + timedelta(minutes=20) and saved.version == ticket.version + 1
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.MET and first.stopped_at == saved.claimed_at
    assert first.elapsed_seconds == 20 * 60
    assert (await env.clock_row(ticket.id, "resolution")).state == ClockState.RUNNING
    assert (await event(ticket.id, "claimed")).actor == "U0ENG1"
    assert await env.run_due() == [
        RedrawTicket(ticket_id=ticket.id),
        ThreadNote(ticket_id=ticket.id, text="Claimed by <@U0ENG1>."),
        NotifyReporter(ticket_id=ticket.id, to=ticket.reporter_id, event="claimed", by="U0ENG1"),
    ]


async def test_two_simultaneous_claims_one_wins(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    ticket = await env.raise_ticket()
    load = env.queries.get
    both_read = asyncio.Barrier(2)

    async def load_together(ticket_id: int) -> Ticket:
        seen = await load(ticket_id)
        if seen.owner_id is None and not both_read.broken:
            await asyncio.wait_for(both_read.wait(), 5)  # both clicks saw it unclaimed
        return seen

    monkeypatch.setattr(env.queries, "get", load_together)
    first, second = await asyncio.gather(
        env.transitions.claim(ticket.id, "U0ENG1"), env.transitions.claim(ticket.id, "U0ENG2")
    )
    assert sorted([first.won, second.won]) == [False, True]
    winner = "U0ENG1" if first.won else "U0ENG2"
    assert first.ticket.owner_id == second.ticket.owner_id == winner
    assert (await Ticket.get(id=ticket.id)).version == ticket.version + 1
    assert [e.actor for e in await TicketEvent.filter(ticket_id=ticket.id, kind="claimed")] == [winner]
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="first_response_met").count() == 1
    assert len([n for n in await env.pending(NotifyReporter) if n.event == "claimed"]) == 1


async def test_claiming_a_claimed_ticket_loses_and_changes_nothing(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    before = await env.snapshot()
    result = await env.transitions.claim(ticket.id, "U0ENG2")
    assert not result.won and result.ticket.owner_id == "U0ENG1"
    assert await env.snapshot() == before


async def test_claim_is_refused_to_key_users_and_on_resolved_tickets(env: Env) -> None:
    ticket = await env.raise_ticket()
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="Only support engineers"):
        await env.transitions.claim(ticket.id, "U0KEY2")
    assert await env.snapshot() == before
    await env.transitions.claim(ticket.id, "U0LEAD")  # leads may claim
    await env.transitions.resolve(ticket.id, "U0LEAD", "answered", "", None)
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="already resolved"):
        await env.transitions.claim(ticket.id, "U0ENG2")
    assert await env.snapshot() == before


# --- release and reassign ---


async def test_release_puts_the_ticket_back_in_the_queue(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    await env.run_due()
    released = await env.transitions.release(ticket.id, "U0ENG1")
    assert released.owner_id is None
    assert (await event(ticket.id, "released")).detail == {"previous_owner": "U0ENG1"}
    # The first response was given: releasing does not start that clock again.
    assert (await env.clock_row(ticket.id, "first_response")).state == ClockState.MET
    sent = await env.run_due()
    assert RedrawTicket(ticket_id=ticket.id) in sent
    assert sent_of(sent, ThreadNote)[0].text == "<@U0ENG1> released the ticket; it is back in the queue."
    assert sent_of(sent, NotifyReporter) == []


async def test_only_the_owner_or_escalation_may_release(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="Only the ticket's owner"):
        await env.transitions.release(ticket.id, "U0ENG2")
    assert await env.snapshot() == before
    assert (await env.transitions.release(ticket.id, "U0MGR")).owner_id is None
    with pytest.raises(ServiceError, match="is not claimed"):
        await env.transitions.release(ticket.id, "U0MGR")


async def test_reassign_hands_the_ticket_to_another_engineer(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    claimed_at = (await Ticket.get(id=ticket.id)).claimed_at
    env.clock.advance(timedelta(minutes=5))
    await env.run_due()
    moved = await env.transitions.reassign(ticket.id, "U0ENG1", "U0ENG2")
    assert moved.owner_id == "U0ENG2" and moved.claimed_at == claimed_at  # first claimed then, still
    assert (await event(ticket.id, "reassigned")).detail == {"previous_owner": "U0ENG1", "owner": "U0ENG2"}
    sent = await env.run_due()
    assert sent_of(sent, ThreadNote)[0].text == "<@U0ENG1> reassigned the ticket to <@U0ENG2>."
    assert sent_of(sent, NotifyReporter) == [
        NotifyReporter(ticket_id=ticket.id, to=ticket.reporter_id, event="claimed", by="U0ENG2")
    ]


async def test_reassigning_an_unclaimed_ticket_counts_as_its_first_response(env: Env) -> None:
    ticket = await env.raise_ticket()
    env.clock.advance(timedelta(minutes=45))
    moved = await env.transitions.reassign(ticket.id, "U0LEAD", "U0ENG2")
    assert moved.owner_id == "U0ENG2" and moved.claimed_at == env.clock.now()
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.MET and first.stopped_at == env.clock.now()


async def test_reassign_refusals_change_nothing(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="not a support engineer"):
        await env.transitions.reassign(ticket.id, "U0ENG1", "U0KEY2")
    with pytest.raises(NotAllowed, match="Only the ticket's owner"):
        await env.transitions.reassign(ticket.id, "U0ENG2", "U0ENG2")
    assert await env.snapshot() == before


# --- priority ---


async def test_priority_change_retargets_keeping_the_elapsed_business_time(env: Env) -> None:
    env.clock.set(FRIDAY_4PM)
    ticket = await env.raise_ticket(priority="P2")
    env.clock.advance(timedelta(minutes=30))  # 30 business minutes used
    await env.run_due()
    changed = await env.transitions.change_priority(ticket.id, "U0ENG1", "P1")
    assert changed.priority == "P1" and changed.ladder_epoch == 1
    first = await env.clock_row(ticket.id, "first_response")
    # P1 is 2h: 1h30m left, 30m on Friday and 1h on Monday from 08:00.
    assert (first.target_seconds, first.elapsed_seconds, first.due_at) == (7200, 1800, central(23, 9))
    assert first.epoch == 2 and first.state == ClockState.RUNNING
    resolution = await env.clock_row(ticket.id, "resolution")
    # P1 resolution is 9h: 8h30m left, 30m on Friday and 8h on Monday.
    assert resolution.target_seconds == 9 * 3600 and resolution.due_at == central(23, 16)
    assert (await event(ticket.id, "priority_changed")).detail == {"previous": "P2", "priority": "P1"}
    retargeted = await TicketEvent.get(ticket_id=ticket.id, kind="first_response_retargeted")
    assert retargeted.detail["priority"] == "P1" and retargeted.detail["elapsed_seconds"] == 1800
    sent = await env.run_due()
    assert sent_of(sent, ThreadNote)[0].text == "<@U0ENG1> changed the priority from P2 to P1 Emergency."
    assert sent_of(sent, NotifyReporter) == [
        NotifyReporter(
            ticket_id=ticket.id, to=ticket.reporter_id, event="priority", by="U0ENG1", previous="P2"
        )
    ]


async def test_priority_change_requeues_timers_and_ladder_under_new_epochs(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P3")  # Tuesday 10:00
    env.clock.set(central(17, 11))
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P1")
    # The new ladder counts from when the ticket was raised: lead at 2h, manager at 3h, executives at 4h.
    new_steps = [(due, s) for due, s in await env.pending_with_due(LadderStepDue) if s.epoch == 1]
    assert [(due, s.index, s.priority) for due, s in new_steps] == [
        (central(17, 12), 0, "P1"),
        (central(17, 13), 1, "P1"),
        (central(17, 14), 2, "P1"),
    ]
    first_timers = [
        (due, t.percent)
        for due, t in await env.pending_with_due(SlaThreshold)
        if t.clock == "first_response" and t.epoch == 2
    ]
    # 1h of P1's 2h is used: 75 % at 11:30, 90 % at 11:48, 100 % at 12:00; 50 % has passed.
    assert first_timers == [(central(17, 11, 30), 75), (central(17, 11, 48), 90), (central(17, 12), 100)]


async def test_priority_change_follows_the_policy_the_ticket_was_raised_under(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P3")
    stored = await Ticket.get(id=ticket.id)
    stored.policy["targets"]["first_response"]["P1"] = 3 * 3600  # as if the YAML said 3h back then
    await stored.save()
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P1")
    assert (await env.clock_row(ticket.id, "first_response")).target_seconds == 3 * 3600


async def test_lowering_the_priority_gives_a_breached_clock_time_again(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P1")  # first response 2h
    await env.advance(timedelta(hours=3))  # the 100 % timer recorded the breach
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.BREACHED and first.breached_at == central(17, 12)
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P3")  # 8h: 5h left
    first = await env.clock_row(ticket.id, "first_response")
    assert first.state == ClockState.RUNNING and first.breached_at is None
    assert first.due_at == central(18, 9)  # Tuesday 13:00 + 5h: 4h Tuesday, 1h Wednesday


async def test_same_priority_changes_nothing_and_a_bad_one_is_refused(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P2")
    before = await env.snapshot()
    assert (await env.transitions.change_priority(ticket.id, "U0ENG1", "P2")).priority == "P2"
    with pytest.raises(ServiceError, match="not a priority"):
        await env.transitions.change_priority(ticket.id, "U0ENG1", "P9")
    with pytest.raises(NotAllowed, match="change a ticket's priority"):
        await env.transitions.change_priority(ticket.id, "U0KEY2", "P1")
    assert await env.snapshot() == before


# --- optimistic locking ---


async def test_a_change_made_by_someone_else_meanwhile_is_not_overwritten(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket = await env.claimed("U0ENG1")
    load = env.queries.get
    interleaved = False

    async def load_then_someone_else_acts(ticket_id: int) -> Ticket:
        nonlocal interleaved
        seen = await load(ticket_id)
        if not interleaved:  # between our read and our write, the lead changes the priority
            interleaved = True
            await env.transitions.change_priority(ticket_id, "U0LEAD", "P1")
        return seen

    monkeypatch.setattr(env.queries, "get", load_then_someone_else_acts)
    with pytest.raises(ServiceError, match="changed by someone else just now"):
        await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    saved = await Ticket.get(id=ticket.id)
    assert saved.priority == "P1" and saved.status == TicketStatus.OPEN
    assert "waiting_on_customer" not in await env.events(ticket.id)
    assert (await env.clock_row(ticket.id, "resolution")).state == ClockState.RUNNING


# --- waiting on the customer ---


async def test_waiting_pauses_the_resolution_clock_and_resuming_moves_its_due_time(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", priority="P1")  # Tuesday 10:00, resolution 9h
    due = (await env.clock_row(ticket.id, "resolution")).due_at
    assert due == central(18, 10)
    env.clock.set(central(17, 11))
    await env.run_due()
    waiting = await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    assert waiting.status == TicketStatus.WAITING
    paused = await env.clock_row(ticket.id, "resolution")
    assert (paused.state, paused.due_at, paused.running_since) == (ClockState.PAUSED, None, None)
    assert paused.elapsed_seconds == 3600
    sent = await env.run_due()
    assert "the resolution clock is paused" in sent_of(sent, ThreadNote)[0].text
    assert sent_of(sent, NotifyReporter) == [
        NotifyReporter(ticket_id=ticket.id, to=ticket.reporter_id, event="waiting", by="U0ENG1")
    ]

    env.clock.set(central(18, 11))  # a business day later: 6h Tuesday + 3h Wednesday paused
    resumed = await env.transitions.resume(ticket.id, "U0ENG1")
    assert resumed.status == TicketStatus.OPEN
    running = await env.clock_row(ticket.id, "resolution")
    assert running.state == ClockState.RUNNING and running.elapsed_seconds == 3600
    calendar = env.sla.calendar(resumed)
    paused_for = calendar.between(central(17, 11), central(18, 11))
    assert paused_for == timedelta(hours=9)
    assert running.due_at == calendar.add(due, paused_for) == central(19, 10)
    assert (await event(ticket.id, "resumed")).detail == {"reason": "resumed"}
    assert await env.events(ticket.id) == [
        "raised",
        "claimed",
        "first_response_met",
        "waiting_on_customer",
        "resolution_paused",
        "resumed",
        "resolution_resumed",
    ]


async def test_timers_of_a_paused_clock_do_nothing(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", priority="P1")  # resolution 9h business: 100 % Wednesday 10:00
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    await env.advance(timedelta(days=2))
    resolution = await env.clock_row(ticket.id, "resolution")
    assert resolution.state == ClockState.PAUSED and resolution.breached_at is None
    assert "resolution_breached" not in await env.events(ticket.id)


async def test_waiting_twice_or_resuming_an_open_ticket_changes_nothing(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    before = await env.snapshot()
    assert (await env.transitions.resume(ticket.id, "U0ENG1")).status == TicketStatus.OPEN
    assert await env.snapshot() == before
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    before = await env.snapshot()
    assert (await env.transitions.wait_on_customer(ticket.id, "U0ENG1")).status == TicketStatus.WAITING
    assert await env.snapshot() == before


async def test_who_may_wait_and_resume(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    before = await env.snapshot()
    with pytest.raises(NotAllowed):
        await env.transitions.wait_on_customer(ticket.id, "U0KEY2")
    assert await env.snapshot() == before
    await env.transitions.wait_on_customer(ticket.id, "U0ENG2")  # any engineer
    before = await env.snapshot()
    with pytest.raises(NotAllowed):
        await env.transitions.resume(ticket.id, "U0KEY1")  # another company's key user
    assert await env.snapshot() == before
    assert (await env.transitions.resume(ticket.id, "U0KEY9")).status == TicketStatus.OPEN  # Globex's


async def test_the_customer_replying_in_the_thread_resumes_a_waiting_ticket(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    await Ticket.filter(id=ticket.id).update(channel_id="C0SUPPORT", message_ts="1700000000.000100")
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    engineer_wrote = await env.replies.reply_in_thread("C0SUPPORT", "1700000000.000100", "U0ENG1")
    assert engineer_wrote is not None and engineer_wrote.status == TicketStatus.WAITING
    assert await env.replies.reply_in_thread("C0SUPPORT", "1699999999.000000", "U0KEY2") is None
    resumed = await env.replies.reply_in_thread("C0SUPPORT", "1700000000.000100", "U0KEY2")
    assert resumed is not None and resumed.status == TicketStatus.OPEN
    assert (await event(ticket.id, "resumed")).detail == {"reason": "replied in the thread"}


# --- details ---


async def test_add_details_notes_the_text_and_links_the_files(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    await env.run_due()
    files = [("log <1>.txt", "https://files.example/F1"), ("shot.png", "https://files.example/F2")]
    saved = await env.transitions.add_details(ticket.id, "U0KEY2", "  It fails at <!here> step 3  ", files)
    assert saved.version == ticket.version  # the ticket itself did not change
    detail = (await event(ticket.id, "details_added")).detail
    assert detail == {"text": "It fails at <!here> step 3", "files": [link for _, link in files]}
    assert await env.run_due() == [
        ThreadNote(
            ticket_id=ticket.id,
            text="<@U0KEY2> added details:"
            "\n:paperclip: <https://files.example/F1|log &lt;1&gt;.txt>"
            "\n:paperclip: <https://files.example/F2|shot.png>",
            quote="It fails at <!here> step 3",  # escaped by the outbox when it is sent
        )
    ]


async def test_a_note_links_at_most_ten_files_but_the_log_keeps_all(env: Env) -> None:
    ticket = await env.raise_ticket()
    await env.run_due()
    files = [(f"f{i}.txt", f"https://files.example/F{i}") for i in range(MAX_FILES + 2)]
    await env.transitions.add_details(ticket.id, "U0ENG1", "", files)
    assert len((await event(ticket.id, "details_added")).detail["files"]) == MAX_FILES + 2
    (note,) = sent_of(await env.run_due(), ThreadNote)
    assert note.text.count(":paperclip:") == MAX_FILES and note.quote is None


async def test_empty_or_overlong_details_are_refused_under_the_details_block(env: Env) -> None:
    ticket = await env.raise_ticket()
    before = await env.snapshot()
    for text in ("   ", "x" * 2901):
        with pytest.raises(InvalidInput) as refused:
            await env.transitions.add_details(ticket.id, "U0KEY2", text)
        assert list(refused.value.errors) == [Block.DETAILS]
    with pytest.raises(NotAllowed):
        await env.transitions.add_details(ticket.id, "U0KEY1", "not my company's ticket")
    assert await env.snapshot() == before


async def test_details_on_a_waiting_ticket_resume_it(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    resumed = await env.transitions.add_details(ticket.id, "U0KEY2", "Here are the logs")
    assert resumed.status == TicketStatus.OPEN
    assert (await env.events(ticket.id))[-3:] == ["details_added", "resumed", "resolution_resumed"]
    assert (await event(ticket.id, "resumed")).detail == {"reason": "added details"}


async def test_a_dm_goes_to_the_one_ticket_waiting_on_its_author(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    assert await env.replies.reply_from_dm("U0KEY2", "hello") is None  # nothing waits on them
    await env.transitions.wait_on_customer(ticket.id, "U0ENG1")
    answered = await env.replies.reply_from_dm("U0KEY2", "Version 4.2", [("a.log", "https://f/1")])
    assert answered is not None and answered.id == ticket.id and answered.status == TicketStatus.OPEN
    assert (await event(ticket.id, "details_added")).detail == {
        "text": "Version 4.2",
        "files": ["https://f/1"],
    }


async def test_a_dm_is_refused_when_several_tickets_wait_on_its_author(env: Env) -> None:
    one = await env.claimed("U0ENG1")
    two = await env.claimed("U0ENG2", title="Something else entirely")
    await env.transitions.wait_on_customer(one.id, "U0ENG1")
    await env.transitions.wait_on_customer(two.id, "U0ENG2")
    before = await env.snapshot()
    with pytest.raises(ServiceError, match="Several of your tickets wait on you") as refused:
        await env.replies.reply_from_dm("U0KEY2", "which one?")
    assert one.ref in str(refused.value) and two.ref in str(refused.value)
    assert await env.snapshot() == before


# --- resolve and reopen ---


async def test_resolve_closes_the_ticket_and_stops_both_clocks(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", priority="P2")
    env.clock.advance(timedelta(hours=2))
    await env.run_due()
    resolved = await env.transitions.resolve(ticket.id, "U0ENG1", "workaround", "  Use CSV  ", 45)
    assert resolved.status == TicketStatus.RESOLVED and resolved.resolved_at == env.clock.now()
    assert (resolved.resolution, resolved.resolution_note, resolved.time_spent_minutes) == (
        "workaround",
        "Use CSV",
        45,
    )
    resolution = await env.clock_row(ticket.id, "resolution")
    assert resolution.state == ClockState.MET and resolution.stopped_at == env.clock.now()
    assert (await event(ticket.id, "resolved")).detail == {
        "resolution": "workaround",
        "time_spent_minutes": 45,
        "duplicate_of": None,
    }
    sent = await env.run_due()
    assert sent_of(sent, ThreadNote)[0].text == "<@U0ENG1> resolved the ticket: Workaround given."
    assert sent_of(sent, NotifyReporter) == [
        NotifyReporter(ticket_id=ticket.id, to=ticket.reporter_id, event="resolved", by="U0ENG1")
    ]
    # Its timers are stale now: nothing more happens to it.
    await env.advance(timedelta(days=10))
    assert (await env.events(ticket.id))[-1] == "resolution_met"
    assert await Page.filter(ticket_id=ticket.id).count() == 0


async def test_resolving_a_duplicate_needs_another_existing_ticket(env: Env) -> None:
    original = await env.raise_ticket()
    ticket = await env.claimed("U0ENG1", title="Something else entirely")
    before = await env.snapshot()
    for duplicate_of in (None, ticket.id, 9999):
        with pytest.raises(InvalidInput) as refused:
            await env.transitions.resolve(ticket.id, "U0ENG1", "duplicate", "", None, duplicate_of)
        assert list(refused.value.errors) == [Block.DUPLICATE_OF]
    with pytest.raises(InvalidInput) as refused:
        await env.transitions.resolve(ticket.id, "U0ENG1", "solved it", "", None)
    assert list(refused.value.errors) == [Block.RESOLUTION]
    assert await env.snapshot() == before
    await env.run_due()
    await env.transitions.resolve(ticket.id, "U0ENG1", "duplicate", "", None, original.id)
    assert (await event(ticket.id, "resolved")).detail["duplicate_of"] == original.id
    (news,) = sent_of(await env.run_due(), NotifyReporter)
    assert news.duplicate_of == original.id


async def test_who_may_resolve(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    before = await env.snapshot()
    for user in ("U0ENG2", "U0KEY2"):  # not the owner, not on an escalation level
        with pytest.raises(NotAllowed, match="resolve a ticket"):
            await env.transitions.resolve(ticket.id, user, "fixed", "", None)
    assert await env.snapshot() == before
    await env.transitions.resolve(ticket.id, "U0MGR", "fixed", "", None)
    with pytest.raises(ServiceError, match="is resolved; reopen it first"):
        await env.transitions.resolve(ticket.id, "U0MGR", "fixed", "", None)


async def test_reopen_runs_the_resolution_clock_again_from_where_it_stopped(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", priority="P1")  # Tuesday 10:00, resolution 9h
    env.clock.set(central(17, 12))
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "", 30)  # 2h used
    env.clock.set(central(19, 9))  # Thursday 09:00
    await env.run_due()
    reopened = await env.transitions.reopen(ticket.id, "U0KEY2")
    assert (
        reopened.status == TicketStatus.OPEN and reopened.resolved_at is None and reopened.resolution is None
    )
    resolution = await env.clock_row(ticket.id, "resolution")
    assert resolution.state == ClockState.RUNNING and resolution.stopped_at is None
    assert resolution.due_at == central(19, 16)  # 7h left from Thursday 09:00
    assert (await env.clock_row(ticket.id, "first_response")).state == ClockState.MET
    timers = [t for t in await env.pending(SlaThreshold) if t.epoch == resolution.epoch]
    assert [t.percent for t in timers] == [50, 75, 90, 100] and {t.clock for t in timers} == {"resolution"}
    sent = await env.run_due()
    assert sent_of(sent, NotifyReporter) == [
        NotifyReporter(ticket_id=ticket.id, to=ticket.reporter_id, event="reopened", by="U0KEY2")
    ]


async def test_key_users_may_reopen_for_seven_days_staff_at_any_time(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "", None)
    env.clock.advance(REOPEN_WINDOW)
    assert (await env.transitions.reopen(ticket.id, "U0KEY2")).status == TicketStatus.OPEN  # just in time
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "", None)
    env.clock.advance(REOPEN_WINDOW + timedelta(seconds=1))
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="more than 7 days ago"):
        await env.transitions.reopen(ticket.id, "U0KEY2")
    with pytest.raises(NotAllowed, match="Only"):
        await env.transitions.reopen(ticket.id, "U0KEY1")  # another company's key user, at any time
    assert await env.snapshot() == before
    env.clock.advance(timedelta(days=60))
    assert (await env.transitions.reopen(ticket.id, "U0ENG2")).status == TicketStatus.OPEN


async def test_reopening_an_open_ticket_is_refused(env: Env) -> None:
    ticket = await env.raise_ticket()
    before = await env.snapshot()
    with pytest.raises(ServiceError, match="is not resolved"):
        await env.transitions.reopen(ticket.id, "U0ENG1")
    with pytest.raises(ServiceError, match="no ticket SUP-999"):
        await env.transitions.reopen(999, "U0ENG1")
    assert await env.snapshot() == before


async def test_every_transition_is_logged_with_its_actor_at_its_time(env: Env) -> None:
    ticket = await env.raise_ticket()
    steps = [
        (lambda: env.transitions.claim(ticket.id, "U0ENG1"), "claimed", "U0ENG1"),
        (lambda: env.transitions.change_priority(ticket.id, "U0LEAD", "P1"), "priority_changed", "U0LEAD"),
        (lambda: env.transitions.wait_on_customer(ticket.id, "U0ENG1"), "waiting_on_customer", "U0ENG1"),
        (lambda: env.transitions.resume(ticket.id, "U0KEY2"), "resumed", "U0KEY2"),
        (lambda: env.transitions.reassign(ticket.id, "U0ENG1", "U0ENG2"), "reassigned", "U0ENG1"),
        (lambda: env.transitions.resolve(ticket.id, "U0ENG2", "fixed", "", 5), "resolved", "U0ENG2"),
        (lambda: env.transitions.reopen(ticket.id, "U0KEY9"), "reopened", "U0KEY9"),
    ]
    for act, kind, actor in steps:
        env.clock.advance(timedelta(minutes=7))
        await act()
        logged = await event(ticket.id, kind)
        assert (logged.actor, logged.at) == (actor, env.clock.now())
    assert (await Ticket.get(id=ticket.id)).version == len(steps)
