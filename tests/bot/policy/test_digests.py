"""Digests in the policy file: cron, timezone, period and recipients are checked where they are written."""

from __future__ import annotations

import pytest

from bot.policy import ConfigError, parse_config
from bot.policy.digests import DigestSpec
from tests.conftest import EXAMPLE_POLICY

GOOD = '  - {cron: "0 8 * * MON", timezone: America/Chicago, period: week, to: [C0SUPPORT, U0MGR]}\n'


def _policy(digests: str) -> str:
    return EXAMPLE_POLICY.read_text() + "\ndigests:\n" + digests


def test_a_policy_without_digests_has_none() -> None:
    assert parse_config(EXAMPLE_POLICY.read_text()).digests == []


def test_digests_are_read_from_the_policy() -> None:
    policy = parse_config(_policy(GOOD + '  - {cron: "0 7 1 * *", period: month, to: [G0MANAGERS]}\n'))
    weekly, monthly = policy.digests
    assert weekly == DigestSpec(
        cron="0 8 * * MON", timezone="America/Chicago", period="week", to=["C0SUPPORT", "U0MGR"]
    )
    assert (monthly.timezone, monthly.period, monthly.to) == ("UTC", "month", ["G0MANAGERS"])


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{cron: "0 25 * * *", period: week, to: [C0SUPPORT]}', "cron expression"),
        ('{cron: "0 8 * * MON 5", period: week, to: [C0SUPPORT]}', "five-field"),
        ('{cron: "R 8 * * *", period: week, to: [C0SUPPORT]}', "random"),
        ('{cron: "0 8 * * MON", timezone: Mars/Olympus, period: week, to: [C0SUPPORT]}', "IANA timezone"),
        ('{cron: "0 8 * * MON", period: fortnight, to: [C0SUPPORT]}', "week"),
        ('{cron: "0 8 * * MON", period: week, to: [support]}', "neither a channel id"),
        ('{cron: "0 8 * * MON", period: week, to: [mgr@example.com]}', "neither a channel id"),
        ('{cron: "0 8 * * MON", period: week, to: []}', "at least 1"),
        ('{cron: "0 8 * * MON", period: week, to: [C0SUPPORT], when: monday}', "Extra inputs"),
    ],
)
def test_a_bad_digest_is_refused_naming_the_key_and_line(line: str, problem: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(_policy(GOOD + f"  - {line}\n"), "policy.yml")
    message = str(error.value)
    assert problem in message
    assert "digests.1" in message
    assert f"line {len(EXAMPLE_POLICY.read_text().splitlines()) + 4}" in message
