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
    assert pat.id in support.members and "U0KEY1" in support.members and support.bot_member
    assert standin.users["U0KEY9"]["real_name"] == "key user, Globex, key user, Initech"
