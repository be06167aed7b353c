"""The satisfaction question: asked once on resolve, within the cooldown and the plan's switch; one answer per
ticket, changeable for 7 days, only by the reporter; a low score tells the lead level once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.clock import FakeClock
from bot.jobs.kinds import AskCsat, TellPerson
from bot.policy.base import ConfigError
from bot.policy.loader import load_config
from bot.reports.export import to_csv
from bot.reports.load import load_report
from bot.services.csat import BY_MAIL, Answerer
from bot.services.errors import NotAllowed, ServiceError
from models import CsatSurvey, Job, TicketEvent
from tests.bot.services.conftest import Env, build_env, sent_of
from tests.conftest import EXAMPLE_POLICY

REPORTER = Answerer("U0KEY2", "T0HOME", "T0HOME")  # Globex's key user, in the vendor's workspace


async def resolved(env: Env, **overrides: Any) -> int:
    ticket = await env.claimed(**overrides)
    await env.transitions.resolve(ticket.id, "U0ENG1", "fixed", "Restarted the exporter.", 30)
    return ticket.id


async def asked(ticket_id: int) -> int:
    return await Job.filter(kind=AskCsat.kind, ticket_id=ticket_id).count()


async def test_resolving_asks_the_reporter_once_where_they_follow_it(env: Env) -> None:
    ticket_id = await resolved(env)
    survey = await CsatSurvey.get(ticket_id=ticket_id)
    assert (survey.person, survey.place, survey.score) == ("U0KEY2", "dm", None)
    [(due, job)] = await env.pending_with_due(AskCsat)
    assert job.ticket_id == ticket_id and due == env.clock.now() + timedelta(minutes=1)  # after "resolved"
    assert "csat_asked" in await env.events(ticket_id)
    # Reopened and resolved again: not asked a second time.
    await env.transitions.reopen(ticket_id, "U0KEY2")
    await env.transitions.resolve(ticket_id, "U0ENG1", "fixed", "", None)
    assert await CsatSurvey.filter(ticket_id=ticket_id).count() == 1 and await asked(ticket_id) == 1


async def test_one_question_per_person_per_cooldown(env: Env) -> None:
    first = await resolved(env)
    env.clock.advance(timedelta(days=2, hours=23))
    second = await resolved(env, title="Another one")
    assert await asked(first) == 1 and await asked(second) == 0
    assert not await CsatSurvey.exists(ticket_id=second)
    env.clock.advance(timedelta(hours=2))  # three days after the first question
    third = await resolved(env, title="A third one")
    assert await asked(third) == 1


async def test_the_cooldown_and_the_plan_switch_come_from_the_policy_file(
    database: None, clock: FakeClock, tmp_path: Path
) -> None:
    data = yaml.safe_load(EXAMPLE_POLICY.read_text())
    data["csat"] = {"cooldown": "1h"}
    data["plans"]["standard"]["csat"] = False
    path = tmp_path / "support.yml"
    path.write_text(yaml.safe_dump(data))
    policy = load_config(path)
    assert policy.csat.cooldown == timedelta(hours=1)
    assert (policy.plans["standard"].csat, policy.plans["enterprise"].csat) == (False, True)
    env = build_env(policy, clock)
    ticket_id = await resolved(env)  # Globex: the Standard plan, switched off
    assert await asked(ticket_id) == 0 and not await CsatSurvey.exists()
    assert "csat_asked" not in await env.events(ticket_id)
    data["csat"] = {"cooldown": "soon"}
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError, match="csat"):
        load_config(path)


async def test_an_answer_may_be_changed_for_seven_days_then_not(env: Env) -> None:
    ticket_id = await resolved(env)
    env.clock.advance(timedelta(hours=5))
    await env.satisfaction.answer(ticket_id, REPORTER, 4)
    env.clock.advance(timedelta(days=6, hours=23))
    await env.satisfaction.answer(ticket_id, REPORTER, 5)
    survey = await CsatSurvey.get(ticket_id=ticket_id)
    assert (survey.score, survey.changed_at) == (5, env.clock.now())
    env.clock.advance(timedelta(hours=2))
    with pytest.raises(NotAllowed, match="7 days"):
        await env.satisfaction.answer(ticket_id, REPORTER, 3)
    with pytest.raises(NotAllowed):
        await env.satisfaction.comment(ticket_id, REPORTER, "late words")
    survey = await CsatSurvey.get(ticket_id=ticket_id)
    assert (survey.score, survey.comment) == (5, "")
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket_id, kind__startswith="csat")]
    assert kinds == ["csat_asked", "csat_answered", "csat_changed"]


async def test_a_question_left_unanswered_closes_after_seven_days(env: Env) -> None:
    ticket_id = await resolved(env)
    env.clock.advance(timedelta(days=7, minutes=1))
    with pytest.raises(NotAllowed):
        await env.satisfaction.answer(ticket_id, REPORTER, 5)


@pytest.mark.parametrize(
    "who",
    [
        Answerer("U0KEY9", "T0HOME", "T0HOME"),  # Globex's other key user
        Answerer("U0ENG1", "T0HOME", "T0HOME"),  # the engineer who resolved it
        Answerer("U0KEY2", "T0OTHER", "T0HOME"),  # the reporter's id, from another organisation
        Answerer("U0KEY2", None, "T0HOME"),  # no organisation at all
        BY_MAIL,  # a mail link never answers a question asked in Slack
    ],
)
async def test_only_the_reporter_may_answer(env: Env, who: Answerer) -> None:
    ticket_id = await resolved(env)
    before = await env.snapshot()
    with pytest.raises(NotAllowed, match="Only the person who raised"):
        await env.satisfaction.answer(ticket_id, who, 1)
    assert await env.snapshot() == before
    assert (await CsatSurvey.get(ticket_id=ticket_id)).score is None


async def test_a_score_out_of_range_or_a_comment_before_a_score_is_refused(env: Env) -> None:
    ticket_id = await resolved(env)
    for bad in (0, 6, -1):
        with pytest.raises(ServiceError, match="1 to 5"):
            await env.satisfaction.answer(ticket_id, REPORTER, bad)
    with pytest.raises(ServiceError, match="score first"):
        await env.satisfaction.comment(ticket_id, REPORTER, "words")


async def test_a_low_score_tells_the_lead_once_with_the_comment(env: Env) -> None:
    ticket_id = await resolved(env)
    await env.run_due()
    await env.satisfaction.answer(ticket_id, REPORTER, 2)
    [told] = sent_of(await env.run_due(), TellPerson)
    assert told.to == "U0LEAD" and "rated *2 of 5*" in told.text and f"SUP-{ticket_id}" in told.text
    await env.satisfaction.answer(ticket_id, REPORTER, 1)  # lower still: the lead already knows
    assert sent_of(await env.run_due(), TellPerson) == []
    await env.satisfaction.comment(ticket_id, REPORTER, "Took <three> days & nobody called")
    [comment] = sent_of(await env.run_due(), TellPerson)
    assert comment.to == "U0LEAD" and "&lt;three&gt; days &amp; nobody called" in comment.text
    survey = await CsatSurvey.get(ticket_id=ticket_id)
    assert (survey.score, survey.comment) == (1, "Took <three> days & nobody called")
    assert "csat_comment" in await env.events(ticket_id)


async def test_a_good_score_tells_nobody(env: Env) -> None:
    ticket_id = await resolved(env)
    await env.run_due()
    await env.satisfaction.answer(ticket_id, REPORTER, 4)
    await env.satisfaction.comment(ticket_id, REPORTER, "fine")
    assert sent_of(await env.run_due(), TellPerson) == []


async def test_the_sla_report_counts_the_answers_of_scripted_tickets(env: Env) -> None:
    start = env.clock.now()
    answered_well = await resolved(env)  # U0KEY2
    answered_badly = await resolved(env, reporter_id="U0KEY9", customer="globex", title="Second")
    not_asked = await resolved(env, title="Third")  # U0KEY2 again, within the cooldown
    await env.satisfaction.answer(answered_well, REPORTER, 5)
    await env.satisfaction.answer(answered_badly, Answerer("U0KEY9", "T0HOME", "T0HOME"), 2)
    assert await asked(not_asked) == 0
    report = await load_report(env.policy, start, env.clock.now() + timedelta(hours=1), env.clock.now())
    header, *lines = to_csv(report).splitlines()
    assert header.endswith(
        ",updates_missed,csat_responses,csat_avg,engineering_waiting,engineering_longest_wait_h"
    )
    [globex] = lines
    assert globex.startswith("globex,standard,P2,3,") and globex.endswith(",2,3.50,0,")
    assert report.csat.words() == "3.50 of 5 (2 answers)"


async def test_a_comment_sent_before_the_alert_went_out_rides_along_with_it(env: Env) -> None:
    ticket_id = await resolved(env)
    await env.run_due()
    await env.satisfaction.answer(ticket_id, REPORTER, 1)
    await env.satisfaction.comment(ticket_id, REPORTER, "Never again")
    [told] = sent_of(await env.run_due(), TellPerson)
    assert "rated *1 of 5*" in told.text and "Never again" in told.text
