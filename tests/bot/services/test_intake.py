"""Raising a ticket: the draft's validation, the similar-ticket check, and what a raise saves and queues."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.ids import Block
from bot.jobs.kinds import (
    CheckStorm,
    LadderStepDue,
    NotifyReporter,
    PostTicket,
    ScheduleTicket,
    SlaThreshold,
)
from bot.policy import parse_config
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.intake import DESCRIPTION_MAX, TITLE_MAX, Intake
from models import ClockState, Job, SlaClock, Ticket, TicketEvent, TicketStatus
from tests.bot.services.conftest import FRIDAY_4PM, MONDAY_11AM, TUESDAY_10AM, Env, central
from tests.conftest import EXAMPLE_POLICY

# --- validation ---


async def test_an_empty_draft_names_every_missing_field_by_its_block(env: Env) -> None:
    before = await env.snapshot()
    empty = env.draft(
        reporter_id="U0KEY9",  # key user of two customers: must choose one
        customer=None,
        priority=None,
        environment=None,
        title="   ",
        description="\n ",
        tried=None,
    )
    with pytest.raises(InvalidInput) as refused:
        await env.intake.raise_ticket(empty)
    assert set(refused.value.errors) == {
        Block.CUSTOMER,
        Block.PRIORITY,
        Block.ENVIRONMENT,
        Block.TITLE,
        Block.DESCRIPTION,
    }
    assert await env.snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "block"),
    [
        ("customer", "acme", Block.CUSTOMER),  # another company's customer
        ("priority", "P5", Block.PRIORITY),
        ("priority", "Emergency", Block.PRIORITY),
        ("environment", "staging", Block.ENVIRONMENT),
        ("title", "x" * (TITLE_MAX + 1), Block.TITLE),
        ("description", "y" * (DESCRIPTION_MAX + 1), Block.DESCRIPTION),
        ("tried", "z" * (DESCRIPTION_MAX + 1), Block.TRIED),
    ],
)
async def test_one_bad_field_is_reported_under_its_own_block(
    env: Env, field: str, value: str, block: Block
) -> None:
    before = await env.snapshot()
    with pytest.raises(InvalidInput) as refused:
        await env.raise_ticket(**{field: value})
    assert list(refused.value.errors) == [block]
    assert await env.snapshot() == before


async def test_limits_are_inclusive_and_the_title_is_tidied(env: Env) -> None:
    ticket = await env.raise_ticket(
        title="  Invoices\n   fail  " + "x" * (TITLE_MAX - 14), description=" " + "d" * DESCRIPTION_MAX
    )
    assert ticket.title == "Invoices fail " + "x" * (TITLE_MAX - 14)
    assert len(ticket.title) == TITLE_MAX and len(ticket.description) == DESCRIPTION_MAX


async def test_a_key_user_of_one_customer_need_not_choose_it(env: Env) -> None:
    valid = env.intake.validate(env.draft(reporter_id="U0KEY2", customer=None))
    assert valid.customer == "globex"
    with pytest.raises(InvalidInput) as refused:
        env.intake.validate(env.draft(reporter_id="U0KEY9", customer=None))
    assert list(refused.value.errors) == [Block.CUSTOMER]
    assert env.intake.validate(env.draft(reporter_id="U0KEY9", customer="initech")).customer == "initech"


async def test_someone_neither_key_user_nor_staff_may_not_raise(env: Env) -> None:
    before = await env.snapshot()
    assert env.intake.customers_for("U0STRANGER") == []
    with pytest.raises(NotAllowed, match="key users"):
        await env.raise_ticket(reporter_id="U0STRANGER", customer="globex")
    assert await env.snapshot() == before


async def test_every_error_of_a_submission_is_reported_at_once(env: Env) -> None:
    """What it is about is asked with the rest, not in a second round once the others are fixed."""
    with pytest.raises(InvalidInput) as refused:
        env.intake.validate(env.draft(priority=None, title="", category=None, phone="12"))
    assert set(refused.value.errors) == {Block.PRIORITY, Block.TITLE, Block.CATEGORY, Block.PHONE}
    with pytest.raises(InvalidInput) as refused:
        env.intake.validate(env.draft(title="", category="no-such-category"))
    assert set(refused.value.errors) == {Block.TITLE, Block.CATEGORY}


# --- vendor staff raising on a customer's behalf ---


def test_who_may_raise_for_which_customers(env: Env) -> None:
    every = list(env.policy.customers)
    assert env.intake.customers_for("U0ENG1") == every  # engineers: any customer
    assert env.intake.customers_for("U0LEAD") == every  # escalation levels too
    assert env.intake.customers_for("U0AM1") == ["acme"]  # an account manager: their own accounts only
    assert env.intake.customers_for("U0KEY9") == ["globex", "initech"]  # a key user: their company


def test_the_permission_table_decides_who_raises_on_a_customers_behalf(env: Env) -> None:
    only_key_users = parse_config(EXAMPLE_POLICY.read_text() + "\npermissions:\n  raise: [key_user]\n")
    intake = Intake(only_key_users, env.clock, env.jobs, env.sla, env.ladder)
    assert intake.customers_for("U0ENG1") == [] and intake.customers_for("U0AM1") == []
    assert intake.customers_for("U0KEY2") == ["globex"]
    # An engineer who manages Acme's account: Acme first, then every other customer.
    both = parse_config(
        EXAMPLE_POLICY.read_text().replace("account_manager: U0AM1", "account_manager: U0ENG1")
    )
    intake = Intake(both, env.clock, env.jobs, env.sla, env.ladder)
    assert intake.customers_for("U0ENG1") == ["acme", "globex", "initech", "umbrella", "hooli", "soylent"]
    hooli_manager = parse_config(
        EXAMPLE_POLICY.read_text().replace(
            "key_users: [U0KEY5]}", "key_users: [U0KEY5], account_manager: U0ENG2}"
        )
    )
    intake = Intake(hooli_manager, env.clock, env.jobs, env.sla, env.ladder)
    assert intake.customers_for("U0ENG2") == ["hooli", "acme", "globex", "initech", "umbrella", "soylent"]


async def test_an_engineer_raises_for_a_customer_and_every_key_user_is_told(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0ENG1", customer="globex")
    assert ticket.customer == "globex" and ticket.raised_by == "U0ENG1"
    assert ticket.reporter_id == "U0KEY2"  # the customer's first key user: it is theirs, not the engineer's
    told = await env.pending(NotifyReporter)
    assert [(n.to, n.event) for n in told] == [("U0KEY2", "raised"), ("U0KEY9", "raised")]
    (event,) = await TicketEvent.filter(ticket_id=ticket.id)
    assert event.actor == "U0ENG1" and event.detail["for"] == "U0KEY2"


async def test_staff_may_name_the_key_user_who_asked_and_only_they_are_told(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0LEAD", customer="globex", for_key_user="U0KEY9")
    assert ticket.reporter_id == "U0KEY9" and ticket.raised_by == "U0LEAD"
    assert [n.to for n in await env.pending(NotifyReporter)] == ["U0KEY9"]


@pytest.mark.parametrize(
    ("overrides", "block"),
    [
        ({"customer": None}, Block.CUSTOMER),  # staff must say which customer
        ({"customer": "globex", "for_key_user": "U0KEY1"}, Block.FOR_KEY_USER),  # Acme's, not Globex's
        ({"customer": "initech", "priority": "P1"}, Block.PRIORITY),  # Initech's Basic plan has no P1
    ],
)
async def test_a_staff_raise_is_checked_against_the_chosen_customer(
    env: Env, overrides: dict[str, str | None], block: Block
) -> None:
    before = await env.snapshot()
    with pytest.raises(InvalidInput) as refused:
        await env.raise_ticket(reporter_id="U0ENG1", **overrides)
    assert list(refused.value.errors) == [block]
    assert await env.snapshot() == before


async def test_an_account_manager_may_not_raise_for_another_managers_customer(env: Env) -> None:
    with pytest.raises(InvalidInput) as refused:
        await env.raise_ticket(reporter_id="U0AM1", customer="globex")
    assert list(refused.value.errors) == [Block.CUSTOMER]
    ticket = await env.raise_ticket(reporter_id="U0AM1", customer=None, priority="P1")  # Acme, their own
    assert ticket.customer == "acme" and ticket.raised_by == "U0AM1" and ticket.reporter_id == "U0KEY1"


async def test_a_key_user_raising_for_their_company_is_no_staff_raise(env: Env) -> None:
    ticket = await env.raise_ticket()
    assert ticket.raised_by is None and ticket.reporter_id == "U0KEY2"
    assert [n.to for n in await env.pending(NotifyReporter)] == ["U0KEY2"]


# --- "is it the same problem?" ---


async def test_a_similar_open_title_of_the_same_customer_is_offered(env: Env) -> None:
    first = await env.raise_ticket(title="Invoices fail to export")
    env.clock.advance(timedelta(hours=3))
    similar = await env.intake.similar_open(env.draft(title="invoices: export FAILS to"))
    assert similar is not None and similar.id == first.id
    assert (await env.intake.similar_open(env.draft(title="Invoice export fails"))) is not None
    # Close, but another problem: not offered.
    assert await env.intake.similar_open(env.draft(title="Invoices fail to print")) is None
    assert await env.intake.similar_open(env.draft(title="Login page is slow")) is None
    # Same words, other company: not theirs to see.
    other = env.draft(reporter_id="U0KEY1", title="Invoices fail to export")
    assert await env.intake.similar_open(other) is None


async def test_similar_titles_are_looked_for_within_24_hours_only(env: Env) -> None:
    first = await env.raise_ticket()
    env.clock.advance(timedelta(hours=24))
    found = await env.intake.similar_open(env.draft())
    assert found is not None and found.id == first.id
    env.clock.advance(timedelta(seconds=1))
    assert await env.intake.similar_open(env.draft()) is None


async def test_a_resolved_ticket_is_not_offered_as_similar(env: Env) -> None:
    ticket = await env.claimed()
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "done", 10)
    assert await env.intake.similar_open(env.draft()) is None


async def test_the_similar_check_validates_the_draft_first(env: Env) -> None:
    with pytest.raises(InvalidInput):
        await env.intake.similar_open(env.draft(title=""))


# --- what a raise saves and queues ---


async def test_raise_saves_the_ticket_and_logs_who_raised_it(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P3", environment="non-production", tried="  ")
    saved = await Ticket.get(id=ticket.id)
    assert (saved.customer, saved.plan, saved.priority, saved.environment) == (
        "globex",
        "standard",
        "P3",
        "non-production",
    )
    assert saved.status == TicketStatus.OPEN and saved.owner_id is None and saved.reporter_id == "U0KEY2"
    assert saved.tried == "" and saved.created_at == TUESDAY_10AM and saved.ladder_epoch == 0
    (event,) = await TicketEvent.filter(ticket_id=ticket.id)
    assert (event.kind, event.actor, event.at) == ("raised", "U0KEY2", TUESDAY_10AM)
    assert event.detail == {
        "priority": "P3",
        "customer": "globex",
        "plan": "standard",
        "category": "incident",
        "paid_request": False,
    }


async def test_standard_p2_raised_friday_4pm_is_due_monday_11am(env: Env) -> None:
    env.clock.set(FRIDAY_4PM)
    ticket = await env.raise_ticket(priority="P2")
    first = await env.clock_row(ticket.id, "first_response")
    assert (first.state, first.target_seconds, first.running_since) == (
        ClockState.RUNNING,
        4 * 3600,
        FRIDAY_4PM,
    )
    assert first.due_at == MONDAY_11AM  # 1h on Friday, 3h on Monday from 08:00
    resolution = await env.clock_row(ticket.id, "resolution")
    # 27h: 1h Friday, 9h Monday, 9h Tuesday, 8h Wednesday.
    assert resolution.target_seconds == 27 * 3600 and resolution.due_at == central(25, 16)
    assert first.epoch == resolution.epoch == 1


async def test_holidays_of_the_plan_calendar_do_not_count(env: Env) -> None:
    env.clock.set(central(25, 16))  # the Wednesday before Thanksgiving (Thursday 26 November)
    ticket = await env.raise_ticket(priority="P2")
    assert (await env.clock_row(ticket.id, "first_response")).due_at == central(27, 11)
    env.clock.set(central(23, 16, month=12))  # the policy closes 24 December too; 25th is Christmas
    ticket = await env.raise_ticket(priority="P2", title="Something else entirely")
    assert (await env.clock_row(ticket.id, "first_response")).due_at == central(28, 11, month=12)


async def test_enterprise_runs_around_the_clock(env: Env) -> None:
    env.clock.set(FRIDAY_4PM)
    ticket = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")
    clocks = {c.name: c for c in await SlaClock.filter(ticket_id=ticket.id)}
    assert clocks["first_response"].due_at == FRIDAY_4PM + timedelta(minutes=30)
    assert clocks["resolution"].due_at == FRIDAY_4PM + timedelta(hours=8)


async def test_a_plan_without_a_resolution_target_gets_only_a_first_response_clock(env: Env) -> None:
    ticket = await env.raise_ticket(reporter_id="U0KEY3", priority="P2")  # Initech, Basic: 9h
    (only,) = await SlaClock.filter(ticket_id=ticket.id)
    assert only.name == "first_response" and only.due_at == central(18, 10)
    assert {t.clock for t in await env.pending(SlaThreshold)} == {"first_response"}


async def test_raise_queues_the_threshold_timers_of_both_clocks(env: Env) -> None:
    ticket = await env.raise_ticket(priority="P2")  # Tuesday 10:00: first response 4h, resolution 27h
    timers = await env.pending_with_due(SlaThreshold)
    first = [(due, t.percent) for due, t in timers if t.clock == "first_response"]
    assert first == [
        (central(17, 12), 50),
        (central(17, 13), 75),
        (central(17, 13, 36), 90),
        (central(17, 14), 100),
    ]
    resolution = [(due, t.percent) for due, t in timers if t.clock == "resolution"]
    # 27h from Tuesday 10:00: 7h Tuesday, 9h Wednesday, 9h Thursday, 2h Friday.
    assert resolution[-1] == (central(20, 10), 100) and [p for _, p in resolution] == [50, 75, 90, 100]
    assert all(t.ticket_id == ticket.id and t.epoch == 1 for _, t in timers)
    assert {t.due_ts for _, t in timers if t.clock == "first_response"} == {int(central(17, 14).timestamp())}


async def test_raise_queues_the_ladder_steps_of_its_priority(env: Env) -> None:
    env.clock.set(FRIDAY_4PM)
    # Standard P1: the lead at the first-response target (2h), the manager at 3h, executives at 4h.
    ticket = await env.raise_ticket(priority="P1")
    steps = await env.pending_with_due(LadderStepDue)
    assert [(due, s.index) for due, s in steps] == [
        (central(23, 9), 0),
        (central(23, 10), 1),
        (central(23, 11), 2),
    ]
    assert all((s.ticket_id, s.epoch, s.priority) == (ticket.id, 0, "P1") for _, s in steps)
    other = await env.raise_ticket(priority="P3", title="Another thing")  # the default ladder: lead only
    (step,) = [(due, s) for due, s in await env.pending_with_due(LadderStepDue) if s.ticket_id == other.id]
    assert step[0] == central(23, 15) and step[1].index == 0  # first response 8h: 1h Friday, 7h Monday


async def test_raise_queues_the_post_and_the_reporters_news_at_once(env: Env) -> None:
    ticket = await env.raise_ticket()
    now = [p for due, p in await env.pending_with_due() if due == TUESDAY_10AM]
    assert now == [
        PostTicket(ticket_id=ticket.id),
        CheckStorm(ticket=ticket.id),
        NotifyReporter(ticket_id=ticket.id, to=ticket.reporter_id, event="raised"),
    ]


async def test_the_policy_in_force_is_stored_with_the_ticket(env: Env) -> None:
    ticket = await Ticket.get(id=(await env.raise_ticket(priority="P2")).id)
    snapshot = ticket.policy
    assert snapshot["calendar"] == "business-hours"
    assert snapshot["targets"]["first_response"] == {"P1": 7200, "P2": 14400, "P3": 28800, "P4": 57600}
    assert snapshot["targets"]["resolution"]["P3"] == 90 * 3600
    assert snapshot["ladders"]["P1"] == [
        {"page": "lead", "after": "first_response", "unless": "claimed"},
        {"page": "manager", "after": "3h", "unless": "resolved"},
        {"page": "executive", "after": "4h", "unless": "resolved"},
    ]
    assert snapshot["ladders"]["P4"] == [{"page": "lead", "after": "first_response", "unless": "claimed"}]


async def test_the_raise_itself_writes_the_ticket_its_clocks_and_one_follow_up_job(env: Env) -> None:
    # What the key user waits on before the form closes: the ticket, its event, its running clocks and
    # one job; its timers, post and confirmation follow from that job.
    ticket = await env.intake.raise_ticket(env.draft(priority="P2"))
    assert await env.pending() == [ScheduleTicket(ticket_id=ticket.id, tell=[ticket.reporter_id])]
    clocks = await SlaClock.filter(ticket_id=ticket.id).order_by("name")
    assert [(c.name, c.state, c.running_since) for c in clocks] == [
        ("first_response", ClockState.RUNNING, TUESDAY_10AM),
        ("resolution", ClockState.RUNNING, TUESDAY_10AM),
    ]
    assert await TicketEvent.filter(ticket_id=ticket.id).values_list("kind", flat=True) == ["raised"]


async def test_the_follow_up_job_runs_once_even_if_its_worker_dies_before_finishing_it(env: Env) -> None:
    ticket = await env.intake.raise_ticket(env.draft(priority="P2"))
    row = await Job.get(kind=ScheduleTicket.kind)
    job = ScheduleTicket.from_job(row)
    await env.intake.schedule(job, row)
    queued = sorted(type(p).__name__ for p in await env.pending())
    await env.intake.schedule(job, row)  # run again, as after a lease ran out
    assert sorted(type(p).__name__ for p in await env.pending()) == queued
    assert queued.count("PostTicket") == 1 and queued.count("NotifyReporter") == 1
    assert [p.to for p in await env.pending(NotifyReporter)] == [ticket.reporter_id]


async def test_timers_queued_late_are_those_of_the_clocks_as_they_stand(env: Env) -> None:
    # Resolved before the worker got to its follow-up (a worker backlog): no ladder, no live timers.
    ticket = await env.intake.raise_ticket(env.draft(priority="P2"))
    await env.transitions.claim(ticket.id, "U0ENG1")
    await env.transitions.resolve(ticket.id, "U0ENG1", "workaround", "Use CSV", 15)
    await env.schedule_new()
    assert await env.pending(LadderStepDue) == []
    assert await env.pending(SlaThreshold) == []
    assert len(await env.pending(PostTicket)) == 1  # still posted, as resolved
