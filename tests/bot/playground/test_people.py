"""The personas the page offers: everyone the policy names, with their roles, seeded into the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.playground.people import personas, seed, slack_id
from bot.policy import Policy, parse_config
from bot.standin import SlackStandIn
from tests.conftest import EXAMPLE_POLICY


def test_key_users_then_engineers_then_levels_then_account_managers(policy: Policy) -> None:
    people = {p.id: p.roles for p in personas(policy)}
    assert list(people)[:6] == ["U0KEY1", "U0KEY2", "U0KEY9", "U0KEY3", "U0KEY4", "U0KEY5"]
    assert people["U0KEY9"] == ["key user, Globex", "key user, Initech"]
    assert people["U0ENG1"] == ["engineer"] and people["U0LEAD"] == ["lead"]
    assert people["U0EXEC2"] == ["executive"] and people["U0AM1"] == ["account manager, Acme Corp"]
    assert list(people)[-1] == "U0AM1"


@pytest.fixture
async def standin() -> AsyncIterator[SlackStandIn]:
    async with SlackStandIn() as server:
        yield server


async def test_people_named_by_e_mail_get_a_slack_id_with_that_address(standin: SlackStandIn) -> None:
    text = EXAMPLE_POLICY.read_text().replace("manager: [U0MGR]", "manager: [pat@vendor.example]")
    policy = parse_config(text, "email.yml")
    pat = next(p for p in personas(policy) if p.email == "pat@vendor.example")
    assert pat.id == slack_id("pat@vendor.example") and pat.id.startswith("U0") and pat.name == "pat"
    seed(standin, policy, personas(policy))
    assert standin.workspace.email_of(pat.id) == "pat@vendor.example"
    support = standin.channels["C0SUPPORT"]
    assert pat.id in support.members and support.bot_member
    assert standin.users["U0KEY9"]["real_name"] == "key user, Globex, key user, Initech"


async def test_the_support_channel_holds_the_vendors_staff_and_no_customer(
    standin: SlackStandIn, policy: Policy
) -> None:
    people = personas(policy)
    seed(standin, policy, people)
    members = standin.channels["C0SUPPORT"].members
    assert {"U0ENG1", "U0ENG2", "U0LEAD", "U0MGR", "U0EXEC1", "U0AM1", "U0BOT"} <= members
    assert not {p.id for p in people if p.id.startswith("U0KEY")} & members
    assert [p.staff for p in people if p.id in ("U0KEY9", "U0ENG1", "U0AM1")] == [False, True, True]


async def test_people_on_a_rotation_live_in_its_timezone(standin: SlackStandIn) -> None:
    text = EXAMPLE_POLICY.read_text().replace(
        "lead: [U0LEAD]",
        'lead: {rotation: [U0LEAD, U0LEAD2], handoff: "0 9 * * MON", timezone: Europe/Berlin}',
    )
    policy = parse_config(text, "rotation.yml")
    seed(standin, policy, personas(policy))
    assert standin.workspace.user_object("U0LEAD2")["tz"] == "Europe/Berlin"  # what users.info answers
    assert standin.workspace.user_object("U0ENG1")["tz"] == "America/Chicago"
