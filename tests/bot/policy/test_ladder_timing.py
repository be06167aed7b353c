"""check-config's warning about ladder steps of a plan that fall due at the same moment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.policy import parse_config
from bot.policy.ladder_timing import simultaneous_steps
from tests.conftest import EXAMPLE_POLICY, ROOT

EXAMPLE = EXAMPLE_POLICY.read_text()
# The example as it was: the manager paged after 2h, when the two-hour plans' lead is paged too.
TOGETHER = EXAMPLE.replace(
    "{page: manager, after: 3h, unless: resolved}", "{page: manager, after: 2h, unless: resolved}"
)


def test_the_example_pages_no_two_levels_at_the_same_moment() -> None:
    assert simultaneous_steps(parse_config(EXAMPLE)) == []


def test_a_step_after_a_target_and_one_after_the_same_time_are_named_with_plan_and_priority() -> None:
    assert TOGETHER != EXAMPLE
    warnings = simultaneous_steps(parse_config(TOGETHER))
    assert warnings == [
        f"plan {plan!r}, P1: escalation.ladder.P1[0] (page lead after first_response) and "
        "escalation.ladder.P1[1] (page manager after 2h) fall due at the same moment, "
        "2 business hours after a ticket is raised; page the levels apart"
        for plan in ("premium", "standard")  # P1 first response 2h; premium-plus (1h), enterprise (30m) not
    ]


def test_the_default_ladder_and_a_plans_own_ladder_are_checked_for_every_priority_they_serve() -> None:
    text = EXAMPLE.replace(
        "    default:\n      - {page: lead, after: first_response, unless: claimed}\n",
        "    default:\n      - {page: lead, after: first_response, unless: claimed}\n"
        "      - {page: manager, after: 4h, unless: resolved}\n",
    ).replace(
        "    includes: [slack, email, web, phone]\n    rank: 0\n",
        "    includes: [slack, email, web, phone]\n    rank: 0\n"
        "    ladder:\n      P2:\n"
        "        - {page: lead, after: 30m}\n        - {page: executive, after: 30m}\n",
    )
    warnings = simultaneous_steps(parse_config(text))
    # Default ladder: premium and standard P2 have a 4h first response (premium-plus: P3).
    assert any(w.startswith("plan 'premium', P2: escalation.ladder.default[0]") for w in warnings)
    assert any(w.startswith("plan 'premium-plus', P3: escalation.ladder.default[0]") for w in warnings)
    assert any(w.startswith("plan 'standard', P2: escalation.ladder.default[0]") for w in warnings)
    # Enterprise's own ladder runs around the clock: plain minutes.
    assert (
        "plan 'enterprise', P2: plans.enterprise.ladder.P2[0] (page lead after 30m) and "
        "plans.enterprise.ladder.P2[1] (page executive after 30m) fall due at the same moment, "
        "30 minutes after a ticket is raised; page the levels apart"
    ) in warnings
    assert len(warnings) == 4


def test_check_config_prints_the_warning_and_still_exits_0(tmp_path: Path) -> None:
    together = tmp_path / "together.yml"
    together.write_text(TOGETHER)
    checked = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(together)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert checked.returncode == 0 and f"{together}: ok" in checked.stdout
    warnings = checked.stderr.strip().splitlines()
    assert len(warnings) == 2 and all(w.startswith("warning: plan '") for w in warnings)
    assert "'standard', P1" in warnings[1] and "page manager after 2h" in warnings[1]
    clean = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(EXAMPLE_POLICY)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert clean.returncode == 0 and clean.stderr == ""
