"""Policy dry-run against business time worked out by hand (Mon–Fri 08:00–17:00 Chicago, US holidays and
2026-12-24 off, on the Standard plan of the example policy: P1 first response 2h, resolution 9h)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.policy import Policy, Priority, parse_config
from bot.reports.simulate import dry_run, plan_summaries, render_text, span, to_dict, to_json
from tests.conftest import EXAMPLE_POLICY

CHICAGO = ZoneInfo("America/Chicago")


def chicago(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHICAGO)


def test_friday_1630_on_standard_p1(policy: Policy) -> None:
    # Fri 2026-11-20 16:30: 30 min of business time that day, the rest from Mon 08:00.
    run = dry_run(policy, "globex", "P1", chicago(2026, 11, 20, 16, 30))
    assert to_dict(run) == {
        "customer": "globex",
        "plan": "standard",
        "priority": "P1",
        "raised_at": "2026-11-20T16:30:00-06:00",
        "first_response_due": "2026-11-23T09:30:00-06:00",  # 0:30 Fri + 1:30 Mon
        "resolution_due": "2026-11-23T16:30:00-06:00",  # 0:30 Fri + 8:30 Mon
        "steps": [
            {"page": "lead", "at": "2026-11-23T09:30:00-06:00", "who": ["U0LEAD"], "unless": "claimed"},
            {
                "page": "manager",
                "at": "2026-11-23T10:30:00-06:00",  # 3h: 0:30 Fri + 2:30 Mon, an hour after the lead
                "who": ["U0MGR"],
                "unless": "resolved",
            },
            {
                "page": "executive",
                "at": "2026-11-23T11:30:00-06:00",  # 4h: 0:30 Fri + 3:30 Mon
                "who": ["U0EXEC1", "U0EXEC2"],
                "unless": "resolved",
            },
        ],
    }
    assert json.loads(to_json(run)) == to_dict(run)


def test_thanksgiving_is_closed_and_the_friday_after_is_open(policy: Policy) -> None:
    us = holidays.country_holidays("US")
    assert "2026-11-26" in us and "2026-11-27" not in us  # the package's view, checked here
    # Wed 2026-11-25 16:00: 1h on Wednesday, Thursday closed, the rest on Friday the 27th.
    run = dry_run(policy, "globex", Priority.P1, chicago(2026, 11, 25, 16))
    assert run.first_response_due == chicago(2026, 11, 27, 9)
    assert run.resolution_due == chicago(2026, 11, 27, 16)
    assert [s.at for s in run.steps] == [
        chicago(2026, 11, 27, 9),
        chicago(2026, 11, 27, 10),
        chicago(2026, 11, 27, 11),
    ]
    # The example: raised on that Friday at 16:30 runs into Monday.
    friday = dry_run(policy, "globex", "P1", chicago(2026, 11, 27, 16, 30))
    assert to_dict(friday)["first_response_due"] == "2026-11-30T09:30:00-06:00"


def test_christmas_eve_is_closed_by_the_policys_own_date(policy: Policy) -> None:
    # Wed 2026-12-23 16:00: 1h; Thu 24 (policy date), Fri 25 (Christmas), the weekend closed; Mon 28.
    run = dry_run(policy, "globex", "P1", chicago(2026, 12, 23, 16))
    assert run.first_response_due == chicago(2026, 12, 28, 9)
    assert run.resolution_due == chicago(2026, 12, 28, 16)


def test_dst_end_in_chicago(policy: Policy) -> None:
    # Fri 2026-10-30 16:00 CDT, P2 (first response 4h, resolution 27h; default ladder: lead at first
    # response). DST ends Sun 2026-11-01. 1h Fri, then 3h from Mon 08:00 CST.
    run = dry_run(policy, "globex", "P2", chicago(2026, 10, 30, 16))
    data = to_dict(run)
    assert data["raised_at"] == "2026-10-30T16:00:00-05:00"
    assert data["first_response_due"] == "2026-11-02T11:00:00-06:00"
    assert run.first_response_due == datetime(2026, 11, 2, 17, tzinfo=UTC)
    assert data["resolution_due"] == "2026-11-04T16:00:00-06:00"  # 1 + 9 + 9 + 8 business hours
    assert data["steps"] == [
        {"page": "lead", "at": "2026-11-02T11:00:00-06:00", "who": ["U0LEAD"], "unless": "claimed"}
    ]


def test_dst_start_in_chicago(policy: Policy) -> None:
    # Fri 2027-03-12 16:30 CST; DST starts Sun 2027-03-14; Monday 09:30 is CDT.
    data = to_dict(dry_run(policy, "globex", "P1", chicago(2027, 3, 12, 16, 30)))
    assert data["raised_at"] == "2027-03-12T16:30:00-06:00"
    assert data["first_response_due"] == "2027-03-15T09:30:00-05:00"


def test_times_are_rendered_in_the_plan_calendars_timezone(policy: Policy) -> None:
    # Enterprise runs 24x7 on UTC: 30 min and 8 h of plain time; steps at 30m, 3h, 4h.
    data = to_dict(dry_run(policy, "acme", "P1", chicago(2026, 11, 20, 16, 30)))
    assert data["raised_at"] == "2026-11-20T22:30:00+00:00"
    assert data["first_response_due"] == "2026-11-20T23:00:00+00:00"
    assert data["resolution_due"] == "2026-11-21T06:30:00+00:00"
    assert [s["at"] for s in data["steps"]] == [
        "2026-11-20T23:00:00+00:00",
        "2026-11-21T01:30:00+00:00",
        "2026-11-21T02:30:00+00:00",
    ]


ROTATION_POLICY = (
    EXAMPLE_POLICY.read_text()
    .replace(
        "    executive: [U0EXEC1, U0EXEC2]\n",
        "    executive: [U0EXEC1, U0EXEC2]\n"
        "    oncall: {rotation: [U0ENG1, U0ENG2, U0ENG3], handoff: '0 9 * * MON',\n"
        "             timezone: America/Chicago}\n"
        "    duty: [duty@example.com, U0LEAD, U0LEAD]\n",
    )
    .replace(
        "    default:\n      - {page: lead, after: first_response, unless: claimed}\n",
        "    default:\n"
        "      - {page: oncall, after: 30m, unless: claimed}\n"
        "      - {page: oncall, after: 2h, unless: claimed}\n"
        "      - {page: duty, after: 3h, unless: resolved}\n",
    )
)


def test_rotation_resolved_at_each_steps_instant() -> None:
    policy = parse_config(ROTATION_POLICY)
    # Handoffs every Monday 09:00 Chicago from the rotation epoch 2024-01-01 (a Monday) on: by Fri
    # 2026-11-20 there were 151 (2024-01-01 .. 2026-11-16; 1057 days = 151 weeks to 2026-11-23), so
    # U0ENG1/2/3[151 % 3 = 1] holds the pager; at Mon 2026-11-23 09:00 the 152nd hands it to [152 % 3 = 2].
    run = dry_run(policy, "globex", "P2", chicago(2026, 11, 20, 16))
    first, second, third = run.steps
    assert (first.at, first.who) == (chicago(2026, 11, 20, 16, 30), ("U0ENG2",))
    assert (second.at, second.who) == (
        chicago(2026, 11, 23, 9),
        ("U0ENG3",),
    )  # 1h Fri + 1h Mon: at the handoff
    # A fixed level: the e-mail as written, the repeated id once.
    assert (third.page, third.who) == ("duty", ("duty@example.com", "U0LEAD"))


def test_text_shows_times_in_the_askers_timezone_in_time_order(policy: Policy) -> None:
    run = dry_run(policy, "globex", "P1", chicago(2026, 11, 27, 16, 30))
    text = render_text(run, "Europe/Berlin")
    lines = text.splitlines()
    assert "raised Fri 27 Nov 2026 23:30 CET" in lines[0]
    # Standard P1: 2h of business time, 30 min on Friday and 1h30 on Monday: Mon 09:30 CST is 16:30 CET.
    assert "First response due Mon 30 Nov 2026 16:30 CET (2 business hours)" in text
    assert "Resolution due Mon 30 Nov 2026 23:30 CET (1 business day)" in text  # 9h: one 9-hour day
    steps = [line for line in lines if line[:2] in ("1.", "2.", "3.")]
    assert steps == [
        "1. Mon 30 Nov 2026 16:30 CET: page lead (U0LEAD), after its first response target, unless claimed",
        "2. Mon 30 Nov 2026 17:30 CET: page manager (U0MGR), after 3h, unless resolved",
        "3. Mon 30 Nov 2026 18:30 CET: page executive (U0EXEC1, U0EXEC2), after 4h, unless resolved",
    ]
    assert lines[-1] == "Times in Europe/Berlin."
    assert "<@U0LEAD>" in render_text(run, mentions=True) and "<@" not in text


def test_bad_requests_are_refused(policy: Policy) -> None:
    with pytest.raises(ValueError, match="no customer 'wayne'"):
        dry_run(policy, "wayne", "P1", chicago(2026, 11, 20, 9))
    with pytest.raises(ValueError, match="basic plan sets no first-response target for P1"):
        dry_run(policy, "initech", "P1", chicago(2026, 11, 20, 9))  # Basic does not offer P1
    with pytest.raises(ValueError, match="not a priority"):
        dry_run(policy, "globex", "P5", chicago(2026, 11, 20, 9))
    with pytest.raises(ValueError, match="timezone-aware"):
        dry_run(policy, "globex", "P1", datetime(2026, 11, 20, 9))


def test_plan_summaries(policy: Policy) -> None:
    summaries = plan_summaries(policy)
    assert summaries[0] == (
        "basic: Mon–Fri 08:00–17:00 US Central (business-hours); first response P2 9h, P3 9h, P4 9h; "
        "no resolution targets; rank 4"
    )  # Basic offers no P1
    assert summaries[-1] == (
        "enterprise: 24x7 (always); first response P1 30m, P2 30m, P3 30m, P4 30m; "
        "resolution P1 8h, P2 24h, P3 72h, P4 168h; rank 0"
    )
    assert [line.split(":")[0] for line in summaries] == list(policy.plans)


@pytest.mark.parametrize(
    ("seconds", "text"), [(7200, "2h"), (5400, "1h30m"), (1800, "30m"), (45, "45s"), (97200, "27h")]
)
def test_span_writes_business_hours_not_days(seconds: int, text: str) -> None:
    assert span(timedelta(seconds=seconds)) == text


def test_next_response_and_update_targets_and_the_steps_after_them() -> None:
    from tests.bot.services.test_recurring_clocks import recurring_policy

    policy = recurring_policy()  # Standard P2: next response 2h, updates every 4h, manager paged per miss
    run = dry_run(policy, "globex", "P2", chicago(2026, 11, 17, 10))
    data = to_dict(run)
    assert (data["next_response"], data["update_every"]) == ("2h", "4h")
    assert data["steps"] == [
        {"page": "lead", "at": "2026-11-17T14:00:00-06:00", "who": ["U0LEAD"], "unless": "claimed"},
        {"page": "manager", "at": None, "who": ["U0MGR"], "unless": "resolved", "after": "next_response"},
    ]
    lines = render_text(run).splitlines()
    assert (
        "Next response: within 2 business hours after each customer message, once claimed "
        "(paused while waiting on the customer)"
    ) in lines
    assert any(
        line.startswith("Updates: one the customer sees at least every 4 business hours from")
        for line in lines
    )
    assert "2. at each missed next response target: page manager (U0MGR now), unless resolved" in lines
    (standard,) = [line for line in plan_summaries(policy) if line.startswith("standard:")]
    assert "; next response P2 2h; updates every P2 4h; own ladder" in standard
    # A plan without them says nothing of them.
    assert "next_response" not in to_dict(dry_run(policy, "acme", "P2", chicago(2026, 11, 17, 10)))


def test_the_dry_run_shows_a_steps_repeats_in_business_time() -> None:
    policy = parse_config(
        EXAMPLE_POLICY.read_text().replace(
            "- {page: lead, after: first_response, unless: claimed}   # unclaimed",
            "- {page: lead, after: first_response, unless: claimed, repeat: {every: 10m, times: 2}}  # x",
        )
    )
    # Fri 2026-11-20 14:45 on Standard: the lead at 16:45, again at 16:55, and again at Monday 08:05
    # (10 minutes of business time: 5 on Friday, 5 on Monday).
    run = dry_run(policy, "globex", "P1", chicago(2026, 11, 20, 14, 45))
    lead = [step for step in to_dict(run)["steps"] if step["page"] == "lead"]
    assert lead == [
        {"page": "lead", "at": "2026-11-20T16:45:00-06:00", "who": ["U0LEAD"], "unless": "claimed"},
        {
            "page": "lead",
            "at": "2026-11-20T16:55:00-06:00",
            "who": ["U0LEAD"],
            "unless": "claimed",
            "repeat": 1,
        },
        {
            "page": "lead",
            "at": "2026-11-23T08:05:00-06:00",
            "who": ["U0LEAD"],
            "unless": "claimed",
            "repeat": 2,
        },
    ]
    text = render_text(run)
    assert "page lead (U0LEAD) again (repeat 1), unless claimed or someone on that level acknowledged" in text


def test_the_dry_run_shows_a_steps_ack_timeout_once_under_the_step() -> None:
    policy = parse_config(
        EXAMPLE_POLICY.read_text().replace(
            "- {page: lead, after: first_response, unless: claimed}   # unclaimed",
            "- {page: lead, after: first_response, unless: claimed, repeat: {every: 10m, times: 1}, "
            "ack_timeout: 30m}  # x",
        )
    )
    run = dry_run(policy, "globex", "P1", chicago(2026, 11, 17, 10))
    lead = [step for step in to_dict(run)["steps"] if step["page"] == "lead"]
    # On the step itself, not on its repeat (the timeout counts from an acknowledgement, not an instant).
    assert [step.get("ack_timeout") for step in lead] == ["30m", None]
    lines = render_text(run).splitlines()
    assert lines.count("    pages again if acknowledged but idle for 30m") == 1
    at = lines.index("    pages again if acknowledged but idle for 30m")
    assert "page lead (U0LEAD), after its first response target, unless claimed" in lines[at - 1]
    # Steps without one say nothing of it.
    plain = dry_run(parse_config(EXAMPLE_POLICY.read_text()), "globex", "P1", chicago(2026, 11, 17, 10))
    assert "idle" not in render_text(plain)
    assert all("ack_timeout" not in step for step in to_dict(plain)["steps"])
