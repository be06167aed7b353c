"""Who is on an escalation level: fixed people or an on-call rotation; e-mails become Slack ids, once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.policy import parse_config
from tests.bot.services.conftest import Env, build_env, central
from tests.conftest import EXAMPLE_POLICY

ROTATION = (
    'lead: {rotation: [U0ONA, U0ONB, oncall@example.com], handoff: "0 9 * * MON", timezone: America/Chicago}'
)


@pytest.fixture
def rotation_env(database: None, clock: FakeClock) -> Env:
    text = EXAMPLE_POLICY.read_text().replace("lead: [U0LEAD]", ROTATION)
    text = text.replace("manager: [U0MGR]", "manager: [U0MGR, boss@example.com, ghost@example.com]")
    return build_env(
        parse_config(text), clock, emails={"oncall@example.com": "U0ONC", "boss@example.com": "U0MGR"}
    )


def test_levels_in_the_order_of_escalation(env: Env) -> None:
    assert env.directory.levels() == ["lead", "manager", "executive"]


async def test_a_fixed_level_is_everyone_listed(env: Env) -> None:
    duty = env.directory.on_duty("executive", env.clock.now())
    assert duty.people == ["U0EXEC1", "U0EXEC2"] and duty.until is None
    assert await env.directory.recipients("executive", env.clock.now()) == ["U0EXEC1", "U0EXEC2"]


async def test_a_rotation_hands_the_pager_on_at_each_handoff(rotation_env: Env) -> None:
    directory = rotation_env.directory
    holders = []
    for week in range(4):
        monday_9am = central(23, 9) + timedelta(weeks=week)
        before = directory.on_duty("lead", monday_9am - timedelta(seconds=1))
        after = directory.on_duty("lead", monday_9am)
        assert before.until == monday_9am and after.until == monday_9am + timedelta(weeks=1)
        assert before.people != after.people
        holders.append(after.people[0])
    people = ["U0ONA", "U0ONB", "oncall@example.com"]
    start = people.index(holders[0])
    assert holders == [people[(start + i) % 3] for i in range(4)]  # in rotation order, cycling


async def test_the_rotations_e_mail_is_paged_by_its_slack_id(rotation_env: Env) -> None:
    directory = rotation_env.directory
    at = central(23, 9)
    while directory.on_duty("lead", at).people != ["oncall@example.com"]:
        at += timedelta(weeks=1)
    assert await directory.recipients("lead", at) == ["U0ONC"]


async def test_an_e_mail_is_looked_up_once_and_never_paged_twice(rotation_env: Env) -> None:
    directory = rotation_env.directory
    now = rotation_env.clock.now()
    # boss@example.com is U0MGR, listed by id too; ghost@example.com is nobody (yet).
    assert await directory.recipients("manager", now) == ["U0MGR"]
    assert await directory.recipients("manager", now) == ["U0MGR"]
    assert rotation_env.lookups.count("boss@example.com") == 1  # remembered
    assert rotation_env.lookups.count("ghost@example.com") == 2  # not found: asked again next time
    rotation_env.emails["ghost@example.com"] = "U0GHOST"  # they joined the workspace
    assert await directory.recipients("manager", now) == ["U0MGR", "U0GHOST"]


async def test_resolving_all_e_mails_makes_their_people_escalation(rotation_env: Env) -> None:
    directory = rotation_env.directory
    assert not directory.is_escalation("U0ONC")
    await directory.resolve_all()
    assert sorted(rotation_env.lookups) == ["boss@example.com", "ghost@example.com", "oncall@example.com"]
    assert directory.is_escalation("U0ONC") and directory.is_escalation("U0ONA")
    assert not directory.is_escalation("U0GHOST") and not directory.is_escalation("U0ENG1")
