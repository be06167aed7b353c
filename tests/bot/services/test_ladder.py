"""The escalation ladder: who is paged when a step fires, never twice, skipped when the ticket moved on."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FakeClock
from bot.jobs.kinds import DeliverPage, LadderStepDue, NotifyReporter, ThreadNote
from bot.policy import Priority, parse_config
from models import Job, Page, Ticket, TicketEvent
from tests.bot.services.conftest import TUESDAY_10AM, Env, build_env, central, sent_of
from tests.conftest import EXAMPLE_POLICY

HALF_HOUR = TUESDAY_10AM + timedelta(minutes=30)  # an Enterprise P1's first-response target


async def step_job(ticket_id: int, index: int, epoch: int = 0) -> Job:
    jobs = await Job.filter(kind=LadderStepDue.kind, ticket_id=ticket_id)
    (job,) = [j for j in jobs if j.payload["index"] == index and j.payload["epoch"] == epoch]
    return job


async def test_an_unclaimed_p1_pages_the_lead_at_its_first_response_target(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")  # Enterprise, 24x7
    await env.run_due()
    await env.advance(timedelta(minutes=29, seconds=59))
    assert await Page.all().count() == 0
    sent = await env.advance(timedelta(seconds=1))
    (page,) = await Page.all()
    assert (page.ticket_id, page.recipient, page.level, page.step_key) == (
        ticket.id,
        "U0LEAD",
        "lead",
        "P1.0",
    )
    assert page.reason == "P1 first-response target missed by 0m"
    assert page.due_at == page.created_at == HALF_HOUR and not page.late
    paged = await TicketEvent.get(ticket_id=ticket.id, kind="paged")
    assert paged.detail == {
        "level": "lead",
        "recipient": "U0LEAD",
        "step": "P1.0",
        "reason": "P1 first-response target missed by 0m",
        "late": False,
    }
    assert sent_of(sent, DeliverPage) == [DeliverPage(ticket_id=ticket.id, page=page.id, to="U0LEAD")]
    assert (
        ThreadNote(ticket_id=ticket.id, text="Escalated to <@U0LEAD>: P1 first-response target missed by 0m.")
        in sent
    )
    assert sent_of(sent, NotifyReporter) == [
        NotifyReporter(
            ticket_id=ticket.id,
            to=ticket.reporter_id,
            event="escalated",
            text="Your ticket was escalated to the lead level (P1 first-response target missed by 0m).",
        )
    ]


async def test_the_whole_p1_ladder_pages_each_level_once(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(hours=2, minutes=59))
    assert [p.recipient for p in await Page.all().order_by("id")] == ["U0LEAD"]  # the manager an hour apart
    await env.advance(timedelta(minutes=1))  # 3h: the manager
    assert [p.recipient for p in await Page.all().order_by("id")] == ["U0LEAD", "U0MGR"]
    manager = await Page.get(recipient="U0MGR")
    # Enterprise runs around the clock: every hour counts, so plain hours
    assert manager.reason == "P1 unresolved after 3 hours" and manager.step_key == "P1.1"
    await env.advance(timedelta(hours=1))  # 4h: both executives
    await env.advance(timedelta(hours=10))
    pages = await Page.filter(ticket_id=ticket.id).order_by("id")
    assert [(p.recipient, p.step_key) for p in pages] == [
        ("U0LEAD", "P1.0"),
        ("U0MGR", "P1.1"),
        ("U0EXEC1", "P1.2"),
        ("U0EXEC2", "P1.2"),
    ]


async def test_a_step_fired_twice_pages_each_person_once(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    env.clock.set(TUESDAY_10AM + timedelta(hours=4))
    job = await step_job(ticket.id, 2)  # executives: two people
    await env.fire(job.id)
    await env.fire(job.id)  # a retry, or a second replica
    assert sorted(p.recipient for p in await Page.filter(ticket_id=ticket.id)) == ["U0EXEC1", "U0EXEC2"]
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="paged").count() == 2
    assert len(await env.pending(DeliverPage)) == 2
    escalated = [n for n in await env.pending(NotifyReporter) if n.event == "escalated"]
    assert len(escalated) == 1


async def test_a_claimed_ticket_skips_a_step_unless_claimed(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", reporter_id="U0KEY1", priority="P1")
    await env.run_due()
    sent = await env.advance(timedelta(minutes=30))
    assert await Page.filter(level="lead").count() == 0
    skipped = await TicketEvent.get(ticket_id=ticket.id, kind="step_skipped")
    assert skipped.detail == {"index": 0, "level": "lead", "unless": "claimed"}
    assert sent_of(sent, NotifyReporter) == [] and sent_of(sent, DeliverPage) == []
    await env.advance(timedelta(hours=4))  # the manager and executives still hear of it: not resolved
    assert [p.level for p in await Page.all()] == ["manager", "executive", "executive"]


async def test_a_resolved_ticket_pages_nobody(env: Env) -> None:
    ticket = await env.claimed("U0ENG1", reporter_id="U0KEY1", priority="P1")
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "", None)
    await env.advance(timedelta(hours=5))
    assert await Page.all().count() == 0
    assert "step_skipped" not in await env.events(ticket.id)


async def test_an_acknowledged_page_skips_a_step_unless_acknowledged(
    database: None, clock: FakeClock
) -> None:
    policy = parse_config(
        EXAMPLE_POLICY.read_text().replace(
            "- {page: manager, after: 3h, unless: resolved}",
            "- {page: manager, after: 1h, unless: acknowledged}",
        )
    )
    env = build_env(policy, clock)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(minutes=30))
    (lead,) = await Page.all()
    await env.pages.acknowledge(lead.id, "U0LEAD")
    await env.advance(timedelta(minutes=30))  # 1h: the manager step
    assert [p.recipient for p in await Page.all()] == ["U0LEAD"]
    skipped = await TicketEvent.get(ticket_id=ticket.id, kind="step_skipped")
    assert skipped.detail == {"index": 1, "level": "manager", "unless": "acknowledged"}
    # Without the acknowledgement the manager is paged.
    other = await env.raise_ticket(reporter_id="U0KEY1", priority="P1", title="Another one")
    await env.advance(timedelta(hours=1))
    assert {p.recipient for p in await Page.filter(ticket_id=other.id)} == {"U0LEAD", "U0MGR"}


async def test_a_step_firing_more_than_a_minute_late_is_marked_late(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    env.clock.set(HALF_HOUR + timedelta(minutes=5))  # the worker did not run for a while
    sent = await env.run_due()
    (page,) = await Page.all()
    assert page.late and page.due_at == HALF_HOUR and page.created_at == env.clock.now()
    assert page.reason == "P1 first-response target missed by 5m"
    assert (
        ThreadNote(
            ticket_id=ticket.id,
            text="Escalated to <@U0LEAD>: P1 first-response target missed by 5m."
            " (late: Secondline was not running when it was due)",
        )
        in sent
    )
    assert (await TicketEvent.get(ticket_id=ticket.id, kind="paged")).detail["late"] is True


async def test_a_minute_behind_is_not_late(env: Env) -> None:
    await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    env.clock.set(HALF_HOUR + timedelta(minutes=1))
    await env.run_due()
    (page,) = await Page.all()
    assert not page.late and page.reason == "P1 first-response target missed by 1m"


async def test_a_step_due_while_the_bot_was_down_is_late_however_soon_it_runs(env: Env) -> None:
    await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    env.clock.set(HALF_HOUR + timedelta(seconds=10))
    env.jobs.started_at = env.clock.now()  # the worker (re)started just after the step was due
    await env.run_due()
    (page,) = await Page.all()
    assert page.late


async def test_steps_of_an_older_ladder_epoch_do_nothing(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P1")  # Standard: the lead at 2h, Tuesday 12:00
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P3")  # the lead at 8h, Wednesday 09:00
    before = await env.snapshot()
    env.clock.set(central(17, 12))
    await env.fire((await step_job(ticket.id, 0, epoch=0)).id)  # P1's lead step fires anyway
    assert await env.snapshot() == before
    await env.advance(central(18, 8, 59) - env.clock.now())  # the old epoch's steps all ran
    assert await Page.all().count() == 0
    await env.advance(timedelta(minutes=1))
    assert [(p.recipient, p.step_key) for p in await Page.all()] == [("U0LEAD", "P3.0")]


async def test_priority_change_back_and_forth_pages_a_step_once(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    first = await env.advance(timedelta(minutes=30))  # the lead is paged for P1.0
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P2")
    await env.transitions.change_priority(ticket.id, "U0ENG1", "P1")  # P1.0 is due again, at once
    again = await env.advance(timedelta(minutes=1))
    assert [p.step_key for p in await Page.all()] == ["P1.0"]
    assert len(sent_of(first, DeliverPage)) == 1 and sent_of(again, DeliverPage) == []
    assert [n.event for n in sent_of(again, NotifyReporter)] == ["priority", "priority"]
    assert (await Ticket.get(id=ticket.id)).ladder_epoch == 2


async def test_a_level_named_by_e_mail_pages_the_slack_user_with_that_address(
    database: None, clock: FakeClock
) -> None:
    policy = parse_config(EXAMPLE_POLICY.read_text().replace("lead: [U0LEAD]", "lead: [lead@example.com]"))
    env = build_env(policy, clock, emails={"lead@example.com": "U0NEWLEAD"})
    await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(minutes=30))
    (page,) = await Page.all()
    assert page.recipient == "U0NEWLEAD" and env.lookups == ["lead@example.com"]


async def test_nobody_is_paged_for_an_address_no_slack_user_has(database: None, clock: FakeClock) -> None:
    policy = parse_config(EXAMPLE_POLICY.read_text().replace("lead: [U0LEAD]", "lead: [gone@example.com]"))
    env = build_env(policy, clock)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.run_due()
    sent = await env.advance(timedelta(minutes=30))
    assert await Page.all().count() == 0
    # The key user is not told of an escalation that did not happen.
    assert sent_of(sent, NotifyReporter) == []
    assert "paged" not in await env.events(ticket.id)


async def test_the_next_level_is_the_one_after_the_highest_paged(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    assert await env.ladder.next_level(ticket) == "lead"
    await env.advance(timedelta(minutes=30))
    assert await env.ladder.next_level(ticket) == "manager"
    await env.advance(timedelta(hours=4))  # 4h30m: the executives too
    assert await env.ladder.next_level(ticket) == "executive"  # the top stays the top


async def test_a_ticket_without_a_stored_ladder_follows_the_policy_in_force(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    stored = await Ticket.get(id=ticket.id)
    stored.policy = {k: v for k, v in stored.policy.items() if k != "ladders"}  # raised by an older version
    await stored.save()
    assert [s.page for s in env.ladder.steps(stored)] == ["lead", "manager", "executive"]
    await env.advance(timedelta(hours=4))
    assert await Page.filter(ticket_id=ticket.id).count() == 4


# --- repeats: `repeat: {every: 10m, times: 2}` on a step ---

REPEATING = EXAMPLE_POLICY.read_text().replace(
    "- {page: lead, after: first_response, unless: claimed}   # unclaimed",
    "- {page: lead, after: first_response, unless: claimed, repeat: {every: 10m, times: 2}}   # unclaimed",
)


async def repeating(clock: FakeClock) -> Env:
    policy = parse_config(REPEATING)
    assert policy.ladder_for("enterprise", Priority.P1)[0].repeat is not None
    return build_env(policy, clock)


async def lead_pages(ticket: Ticket) -> list[Page]:
    return await Page.filter(ticket_id=ticket.id, level="lead").order_by("repeat")


async def test_an_unanswered_step_pages_its_level_again_each_repeat_then_stops(
    database: None, clock: FakeClock
) -> None:
    env = await repeating(clock)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")  # Enterprise: 30m, 24x7
    sent = await env.advance(timedelta(minutes=30))
    await env.advance(timedelta(minutes=9, seconds=59))
    assert len(await lead_pages(ticket)) == 1
    sent += await env.advance(timedelta(seconds=1))  # 10 minutes later, nobody has acknowledged
    sent += await env.advance(timedelta(minutes=10))
    sent += await env.advance(timedelta(minutes=30))  # and no more than `times`
    pages = await lead_pages(ticket)
    assert [(p.step_key, p.repeat, p.due_at - HALF_HOUR) for p in pages] == [
        ("P1.0", 0, timedelta(0)),
        ("P1.0.r1", 1, timedelta(minutes=10)),
        ("P1.0.r2", 2, timedelta(minutes=20)),
    ]
    assert "P1 first-response target missed by 10m; paged again (repeat 1 of 2)" in pages[1].reason
    assert "nobody on the lead level has acknowledged" in pages[1].reason
    assert len(sent_of(sent, DeliverPage)) == 3  # each one a page, delivered as any page is
    notes = [n.text for n in sent_of(sent, ThreadNote) if "<@U0LEAD>" in n.text]
    assert [n.startswith("Escalated again to") for n in notes] == [False, True, True]
    # The key user heard once that the ticket went up a level, not at each repeat.
    assert len([n for n in sent_of(sent, NotifyReporter) if n.event == "escalated"]) == 1


async def test_an_acknowledgement_on_the_level_stops_its_repeats(database: None, clock: FakeClock) -> None:
    env = await repeating(clock)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(minutes=35))
    (page,) = await lead_pages(ticket)
    await env.pages.acknowledge(page.id, "U0LEAD")
    await env.advance(timedelta(minutes=30))
    assert len(await lead_pages(ticket)) == 1
    skipped = await TicketEvent.filter(ticket_id=ticket.id, kind="step_skipped").order_by("id")
    assert [e.detail for e in skipped] == [
        {"index": 0, "level": "lead", "unless": "acknowledged", "repeat": n} for n in (1, 2)
    ]


async def test_the_steps_unless_stops_its_repeats(database: None, clock: FakeClock) -> None:
    env = await repeating(clock)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(minutes=35))
    await env.transitions.claim(ticket.id, "U0ENG1")  # the step pages "unless claimed"
    await env.advance(timedelta(minutes=30))
    assert len(await lead_pages(ticket)) == 1


async def test_each_repeat_pages_once_though_it_fires_twice(database: None, clock: FakeClock) -> None:
    """A retry, a second replica or a restart running a repeat again pages nobody twice."""
    env = await repeating(clock)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(minutes=30))
    env.clock.set(HALF_HOUR + timedelta(minutes=10))
    (job,) = [
        j
        for j in await Job.filter(kind=LadderStepDue.kind, ticket_id=ticket.id)
        if j.payload["index"] == 0 and j.payload.get("repeat") == 1
    ]
    await env.fire(job.id)
    await env.fire(job.id)
    await env.advance(timedelta(seconds=1))  # and the job itself, when the worker runs it
    assert [p.repeat for p in await lead_pages(ticket)] == [0, 1]
    paged = await TicketEvent.filter(ticket_id=ticket.id, kind="paged")
    assert [e.detail.get("repeat", 0) for e in paged] == [0, 1]


# --- ack_timeout: acknowledged, but nothing moved ---

ACK_TIMEOUT = EXAMPLE_POLICY.read_text().replace(
    "- {page: lead, after: first_response, unless: claimed}   # unclaimed",
    "- {page: lead, after: first_response, unless: claimed, ack_timeout: 30m}   # unclaimed",
)


async def acknowledged_lead_page(clock: FakeClock) -> tuple[Env, Ticket, Page]:
    """An Enterprise P1 (24x7) whose lead was paged at 30 minutes and acknowledged 5 minutes later."""
    env = build_env(parse_config(ACK_TIMEOUT), clock)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(minutes=35))
    (page,) = await lead_pages(ticket)
    await env.pages.acknowledge(page.id, "U0LEAD")
    return env, ticket, page


async def test_an_acknowledged_page_with_no_progress_pages_the_level_again_once(
    database: None, clock: FakeClock
) -> None:
    env, ticket, page = await acknowledged_lead_page(clock)
    await env.advance(timedelta(minutes=29, seconds=59))
    assert len(await lead_pages(ticket)) == 1
    (job,) = [
        j for j in await Job.filter(kind=LadderStepDue.kind, ticket_id=ticket.id) if j.payload.get("ack")
    ]
    env.clock.advance(timedelta(seconds=1))  # 30 minutes after the acknowledgement, nobody claimed it
    await env.fire(job.id)
    await env.fire(job.id)  # and again (a retry, another replica), and once more by the worker:
    await env.advance(timedelta(hours=1))
    pages = await Page.filter(ticket_id=ticket.id, level="lead").order_by("id")
    assert [p.step_key for p in pages] == ["P1.0", f"P1.0.ack{page.id}"]
    assert pages[1].recipient == "U0LEAD" and "acknowledged by <@U0LEAD>" in pages[1].reason
    assert "not moved on within 30m of business time (ack timeout)" in pages[1].reason


async def test_a_claim_after_the_acknowledgement_is_progress(database: None, clock: FakeClock) -> None:
    env, ticket, page = await acknowledged_lead_page(clock)
    await env.advance(timedelta(minutes=10))
    await env.transitions.claim(ticket.id, "U0ENG1")
    await env.advance(timedelta(hours=1))
    assert len(await lead_pages(ticket)) == 1
    skipped = await TicketEvent.get(ticket_id=ticket.id, kind="step_skipped")
    assert skipped.detail == {"index": 0, "level": "lead", "unless": "progress", "ack": page.id}


async def test_a_step_without_an_ack_timeout_queues_nothing_on_acknowledgement(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    await env.advance(timedelta(minutes=30))
    (page,) = await lead_pages(ticket)
    await env.pages.acknowledge(page.id, "U0LEAD")
    assert [j for j in await env.pending(LadderStepDue) if j.ack] == []
