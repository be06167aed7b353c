"""The plan entitlements and the scope in the policy file: each key, and each mistake named with its line."""

from __future__ import annotations

import pytest

from bot.policy import ConfigError, Priority, parse_config
from tests.conftest import EXAMPLE_POLICY

EXAMPLE = EXAMPLE_POLICY.read_text()


def broken(old: str, new: str) -> str:
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def test_the_example_shows_every_plan_key() -> None:
    policy = parse_config(EXAMPLE)
    basic, plus = policy.plans["basic"], policy.plans["premium-plus"]
    assert basic.priorities == [Priority.P2, Priority.P3, Priority.P4] and not basic.offers("P1")
    assert basic.max_key_users == 2 and basic.rank == 4 and not basic.phone
    assert plus.phone and plus.rank == 1 and policy.plan_label("premium-plus") == "Premium plus"
    assert policy.scope is not None and policy.scope.is_covered("bug") and not policy.scope.is_covered("gdpr")


def test_files_without_the_new_keys_keep_loading() -> None:
    policy = parse_config((EXAMPLE_POLICY.parent.parent / "tests" / "foundation_policy.yml").read_text())
    assert policy.scope is None and policy.plans["standard"].includes == ["slack"]
    assert policy.plans["standard"].rank == 100 and policy.plans["standard"].max_key_users is None


@pytest.mark.parametrize(
    ("old", "new", "fragment", "message"),
    [
        (
            "includes: [slack, email, web]\n    rank: 4",
            "includes: [slack, fax]\n    rank: 4",
            "includes: [slack, fax]",
            "plans.basic.includes.1: Input should be 'slack', 'email', 'web' or 'phone'",
        ),
        ("rank: 4", "rank: -1", "rank: -1", "plans.basic.rank: Input should be greater than or equal to 0"),
        (
            "max_key_users: 2",
            "max_key_users: 1",
            "initech: {name: Initech",
            "customers.initech.key_users: Initech lists 2 key users, but the basic plan includes 1",
        ),
        (
            "{key: bug, label:",
            "{key: how-to, label:",
            "  covered:",
            "scope: category keys must be unique; repeated: how-to",
        ),
        (
            '{key: gdpr, label: "General GDPR questions"',
            '{key: Gdpr!, label: "General GDPR questions"',
            "key: Gdpr!",
            "scope.not_covered.6.key: String should match pattern",
        ),
        (
            "first_response: {P2: 9h, P3: 9h, P4: 9h}",
            "first_response: {P2: 9h, P3: 9h, P4: 9h}\n    resolution: {P1: 9h}",
            "resolution: {P1: 9h}",
            "plans.basic.resolution: resolution names P1, which the plan does not offer",
        ),
    ],
)
def test_mistakes_name_the_key_and_line(old: str, new: str, fragment: str, message: str) -> None:
    text = broken(old, new)
    with pytest.raises(ConfigError) as error:
        parse_config(text, "p.yml")
    assert message in str(error.value)
    assert f"p.yml: line {line_of(text, fragment)}: " in str(error.value)
