"""Policy file validation: the example loads; every mistake names its key and line."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.policy import ConfigError, Priority, load_config, parse_config
from tests.conftest import EXAMPLE_POLICY, ROOT

FOUNDATION = ROOT / "tests" / "foundation_policy.yml"


def test_the_foundation_policy_loads_unchanged() -> None:
    policy = load_config(FOUNDATION)
    assert policy.support_channel == "C0SUPPORT"
    assert policy.customers_of("U0KEY1") == ["acme"]
    assert policy.plans["standard"].first_response[Priority.P2] == timedelta(hours=4)
    assert [s.page for s in policy.ladder_for("standard", Priority.P1)] == ["lead", "manager", "executive"]
    assert [s.page for s in policy.ladder_for("standard", Priority.P3)] == ["lead"]
    assert policy.is_engineer("U0ENG1") and not policy.is_engineer("U0KEY1")


def test_the_shipped_example_loads() -> None:
    assert load_config(EXAMPLE_POLICY).customers


def test_calendars_do_business_time_arithmetic() -> None:
    policy = load_config(FOUNDATION)
    start = datetime(2026, 11, 20, 22, 0, tzinfo=UTC)  # Friday 16:00 Chicago
    due = policy.calendars["business-hours"].add(start, timedelta(hours=4))
    assert due == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)  # Monday 11:00 Chicago
    assert policy.calendars["always"].add(start, timedelta(minutes=30)) == start + timedelta(minutes=30)


def _broken(old: str, new: str) -> str:
    text = FOUNDATION.read_text()
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "timezone: America/Chicago",
            "timezone: Mars/Base",
            "line 4: calendars.business-hours.timezone: 'Mars/Base'",
        ),
        ("after: 2h", "after: 2 hours", "line 25: escalation.ladder.P1.1.after: '2 hours' is not a duration"),
        ("page: manager", "page: boss", "line 25: escalation.ladder.P1.1.page: unknown level 'boss'"),
        ("plan: enterprise", "plan: gold", "line 31: customers.acme.plan: unknown plan 'gold'"),
        ("calendar: always", "calendar: weekends", "line 15: plans.enterprise.calendar: unknown calendar"),
        (
            "first_response: {P1: 2h, P2: 4h, P3: 8h, P4: 16h}",
            "first_response: {}",
            "line 13: plans.standard.first_response: Dictionary should have at least 1 item",
        ),
        (
            "first_response: {P1: 2h, P2: 4h, P3: 8h, P4: 16h}",
            "first_response: {P1: 2h, P2: 4h}\n    resolution: {P4: 9h}",
            "line 14: plans.standard.resolution: resolution names P4, which the plan does not offer",
        ),
        ("support_channel: C0SUPPORT", "support_channel: '#support'", "line 1: support_channel: '#support'"),
        ("[U0ENG1, U0ENG2]", "[U0ENG1, bob]", "line 29: engineers.1: 'bob' is not a Slack user id (U…)"),
        (
            '"08:00-17:00"',
            '"17:00-08:00"',
            "line 5: calendars.business-hours.hours: 17:00-08:00 ends before it starts",
        ),
        (
            "country: US",
            "country: XX",
            "line 6: calendars.business-hours.holidays.country: the holidays package does not know",
        ),
        ("  always:\n", "  always:\n    timezon: UTC\n", "line 8: calendars.always.timezon: Extra inputs"),
    ],
)
def test_mistakes_name_the_key_and_line(old: str, new: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(_broken(old, new), "policy.yml")
    assert f"policy.yml: {expected}" in str(error.value)


def test_not_yaml_or_not_a_mapping() -> None:
    with pytest.raises(ConfigError, match="line 2: not valid YAML"):
        parse_config("a: [\n", "p.yml")
    with pytest.raises(ConfigError, match="must be a mapping"):
        parse_config("- 1\n- 2\n", "p.yml")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read the policy file"):
        load_config(tmp_path / "nope.yml")


def test_check_config_command(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(FOUNDATION)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert ok.returncode == 0 and "ok" in ok.stdout
    bad = tmp_path / "bad.yml"
    bad.write_text(_broken("plan: enterprise", "plan: gold"))
    failed = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines() == [
        f"error: {bad}: line 31: customers.acme.plan: unknown plan 'gold'"
    ]


ROTATION = "lead: {rotation: [%s], handoff: '%s', timezone: %s}"
ROTATION_BLOCK = """lead:
      rotation: [%s]
      handoff: '%s'
      timezone: %s"""
GOOD = ("U0LEAD, U0ENG1", "0 9 * * MON", "America/Chicago")


@pytest.mark.parametrize(
    ("rotation", "expected"),
    [
        (
            ROTATION % ("U0LEAD, bob", "0 9 * * MON", "UTC"),
            "line 19: escalation.levels.lead.rotation.1: 'bob' is neither a Slack user id (U…) nor an e-mail",
        ),
        (
            ROTATION_BLOCK % ("U0LEAD, bob", "0 9 * * MON", "UTC"),
            "line 20: escalation.levels.lead.rotation.1: 'bob' is neither a Slack user id (U…) nor an e-mail",
        ),
        (
            ROTATION_BLOCK % ("U0LEAD, U0ENG1", "0 25 * * MON", "UTC"),
            "line 21: escalation.levels.lead.handoff: '0 25 * * MON' is not a cron expression like",
        ),
        (
            ROTATION_BLOCK % ("U0LEAD, U0ENG1", "0 9 * * MON", "Central"),
            "line 22: escalation.levels.lead.timezone: 'Central' is not an IANA timezone",
        ),
    ],
    ids=["person", "person-block-style", "handoff", "timezone"],
)
def test_mistakes_inside_an_on_call_rotation_read_like_the_others(rotation: str, expected: str) -> None:
    for good in (ROTATION % GOOD, ROTATION_BLOCK % GOOD):
        assert parse_config(_broken("lead: [U0LEAD]", good)).escalation.levels["lead"]
    with pytest.raises(ConfigError) as error:
        parse_config(_broken("lead: [U0LEAD]", rotation), "policy.yml")
    message = str(error.value)
    assert message.startswith(f"policy.yml: {expected}"), message
    assert "more problems" not in message  # not both shapes' complaints (a list of people, a rotation)


def test_an_unknown_top_level_key_is_named_at_its_line_with_a_suggestion() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(_broken("customers:", "custmers:"), "policy.yml")
    assert str(error.value).startswith(
        "policy.yml: line 31: custmers: unknown key; did you mean 'customers'?"
    )
    with pytest.raises(ConfigError) as error:
        parse_config(FOUNDATION.read_text() + "escalaton_notes: call Bob\n", "policy.yml")
    assert str(error.value).startswith("policy.yml: line 33: escalaton_notes: unknown key; did you mean")
    with pytest.raises(ConfigError) as error:
        parse_config(FOUNDATION.read_text() + "zzz: 1\n", "policy.yml")
    message = str(error.value)
    assert (
        message.startswith("policy.yml: line 33: zzz: unknown key (known keys: ") and "customers" in message
    )


def test_a_ladder_step_after_a_target_the_plan_does_not_set_is_an_error() -> None:
    # The foundation's plans set no resolution target: a step after it would never fire.
    with pytest.raises(ConfigError) as error:
        parse_config(_broken("after: 2h", "after: resolution"), "policy.yml")
    assert str(error.value) == (
        "policy.yml: line 25: escalation.ladder.P1.1.after: plan 'standard' has no resolution target for "
        "P1, so this step would never fire; set one, or page after a time"
    )
    own_ladder = (
        "    calendar: always\n    ladder:\n      default:\n        - {page: lead, after: resolution}\n"
    )
    with pytest.raises(ConfigError) as error:
        parse_config(_broken("    calendar: always\n", own_ladder), "policy.yml")
    assert str(error.value).startswith(
        "policy.yml: line 18: plans.enterprise.ladder.default.0.after: plan 'enterprise' has no resolution "
        "target for P1, P2, P3, P4"
    )
    targets = "{P1: 30m, P2: 30m, P3: 30m, P4: 30m}\n"
    with_resolution = _broken("    calendar: always\n", own_ladder).replace(
        f"    first_response: {targets}", f"    first_response: {targets}    resolution: {targets}", 1
    )
    assert parse_config(with_resolution).plans["enterprise"].ladder  # with the target set, it is fine


def test_check_config_prints_a_rotation_mistake_as_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(_broken("lead: [U0LEAD]", ROTATION % ("U0LEAD, bob", "0 9 * * MON", "UTC")))
    failed = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stderr.strip().splitlines() == [
        f"error: {bad}: line 19: escalation.levels.lead.rotation.1: 'bob' is neither a Slack user id (U…) "
        "nor an e-mail address"
    ]


@pytest.mark.parametrize(
    ("good", "bad", "where", "value"),
    [
        (
            "key_users: [U0KEY1]",
            "key_users: [kim@acme.example]",
            "line 31: customers.acme.key_users.0",
            "kim@acme.example",
        ),
        (
            "engineers: [U0ENG1, U0ENG2]",
            "engineers: [U0ENG1, eng@vendor.example]",
            "line 29: engineers.1",
            "eng@vendor.example",
        ),
    ],
)
def test_people_the_bot_recognizes_by_their_requests_must_be_named_by_slack_id(
    good: str, bad: str, where: str, value: str
) -> None:
    """An e-mail here would load but never match the user id Slack sends: that key user could never raise a
    ticket. Escalation levels, paged by the bot, may still use e-mails."""
    with pytest.raises(ConfigError) as error:
        parse_config(_broken(good, bad), "policy.yml")
    assert str(error.value).startswith(f"policy.yml: {where}: '{value}' is not a Slack user id (U…)")
    assert parse_config(_broken("lead: [U0LEAD]", "lead: [lead@vendor.example]")).escalation.levels["lead"]


@pytest.mark.parametrize(
    ("repeat", "expected"),
    [
        ("{every: soon, times: 2}", "escalation.ladder.P1.1.repeat.every: 'soon' is not a duration"),
        ("{every: 10m, times: 0}", "escalation.ladder.P1.1.repeat.times: Input should be greater than"),
        ("{every: 10m}", "escalation.ladder.P1.1.repeat.times: Field required"),
    ],
)
def test_a_repeat_that_is_not_one_is_refused(repeat: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(_broken("after: 2h", f"after: 2h, repeat: {repeat}"), "policy.yml")
    assert expected in str(error.value)


def test_a_step_may_repeat() -> None:
    policy = parse_config(_broken("after: 2h", "after: 2h, repeat: {every: 10m, times: 2}"))
    step = policy.escalation.ladder["P1"][1]
    assert step.repeat is not None and (step.repeat.interval, step.repeat.times) == (timedelta(minutes=10), 2)


def test_an_ack_timeout_is_a_duration() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(_broken("after: 2h", "after: 2h, ack_timeout: a while"), "policy.yml")
    assert "escalation.ladder.P1.1.ack_timeout: 'a while' is not a duration" in str(error.value)
    policy = parse_config(_broken("after: 2h", "after: 2h, ack_timeout: 30m"))
    assert policy.escalation.ladder["P1"][1].ack_timeout == "30m"
