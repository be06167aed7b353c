"""Slack Connect keys of the policy: customers' channels, organisations and intake; the intake reaction."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.policy import ConfigError, load_config, parse_config
from tests.conftest import EXAMPLE_POLICY, ROOT

FOUNDATION = ROOT / "tests" / "foundation_policy.yml"


def test_files_without_the_new_keys_load_with_their_defaults() -> None:
    policy = load_config(FOUNDATION)
    acme = policy.customers["acme"]
    assert acme.channels == [] and acme.teams == [] and acme.intake == ["mention", "reaction"]
    assert policy.intake_reaction == "ticket"
    assert policy.customer_of_channel("C0SUPPORT") is None


def test_the_example_has_a_slack_connect_customer() -> None:
    policy = load_config(EXAMPLE_POLICY)
    assert policy.customer_of_channel("C0SOYLENT") == "soylent"
    assert policy.customer_teams == {"T0SOYLENT": ["soylent"]}
    assert policy.customers_of("U0SOYKEY1") == ["soylent"]


def _with(extra_customer_keys: str, top: str = "") -> str:
    text = FOUNDATION.read_text()
    line = next(x for x in text.splitlines() if x.strip().startswith("acme:"))
    assert line.rstrip().endswith("}")
    return text.replace(line, line.rstrip()[:-1] + ", " + extra_customer_keys + "}") + top


def test_new_keys_are_read() -> None:
    policy = parse_config(
        _with(
            "channels: [C0ACMESHARED], teams: [T0ACME, E0GRID], intake: [auto]", "intake_reaction: ':sos:'\n"
        ),
        "p.yml",
    )
    acme = policy.customers["acme"]
    assert (acme.channels, acme.teams, acme.intake) == (["C0ACMESHARED"], ["T0ACME", "E0GRID"], ["auto"])
    assert policy.intake_reaction == "sos"  # colons as people write emoji are tolerated


@pytest.mark.parametrize(
    ("keys", "top", "expected"),
    [
        ("channels: [acme-shared]", "", "'acme-shared' is not a channel id"),
        ("teams: [U0ACME]", "", "'U0ACME' is not a Slack organisation id"),
        ("intake: [email]", "", "customers.acme.intake.0"),
        ("channels: [C0SUPPORT]", "", "C0SUPPORT is the support channel"),
        ("", "intake_reaction: 'two words'\n", "is not an emoji name"),
    ],
)
def test_bad_values_are_named(keys: str, top: str, expected: str) -> None:
    text = _with(keys, top) if keys else FOUNDATION.read_text() + top
    with pytest.raises(ConfigError, match=expected):
        parse_config(text, "p.yml")


def test_check_config_refuses_a_channel_named_by_two_customers(tmp_path: Path) -> None:
    text = EXAMPLE_POLICY.read_text().replace(
        "hooli: {name: Hooli, plan: premium, key_users: [U0KEY5]}",
        "hooli: {name: Hooli, plan: premium, key_users: [U0KEY5], channels: [C0SOYLENT]}",
    )
    bad = tmp_path / "two.yml"
    bad.write_text(text)
    failed = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(bad)], capture_output=True, text=True, cwd=ROOT
    )
    assert failed.returncode == 2
    assert "C0SOYLENT is already a channel of customers.hooli; a channel belongs to one customer" in (
        failed.stderr
    )
