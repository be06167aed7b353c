"""Renderers: what people see, escaped and inside Slack's limits (validated with slack_sdk's models)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot import blocks
from bot.durations import AROUND_THE_CLOCK, HOURS_ONLY, BusinessDay
from bot.ids import Action, Block, Callback
from bot.policy import Policy, parse_config
from bot.services.intake import DESCRIPTION_MAX, TITLE_MAX
from bot.services.resolutions import Resolution
from bot.services.sla import FIRST_RESPONSE, RESOLUTION
from bot.sla_time import ClockReading
from models import ClockState, Ticket, TicketStatus
from tests.blockkit import assert_valid_message, assert_valid_view
from tests.conftest import EXAMPLE_POLICY

NOW = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
DUE = NOW + timedelta(minutes=30)


def make_ticket(**overrides: object) -> Ticket:
    fields: dict[str, object] = {
        "id": 42,
        "customer": "acme",
        "plan": "enterprise",
        "priority": "P1",
        "environment": "production",
        "title": "Checkout fails",
        "description": "Error 500",
        "tried": "",
        "reporter_id": "U0KEY1",
        "status": TicketStatus.OPEN,
        "owner_id": None,
        "created_at": NOW,
        "updated_at": NOW,
        "version": 0,
        "policy": {},
        "resolution_note": "",
    }
    fields.update(overrides)
    return Ticket(**fields)


def reading(
    name: str = FIRST_RESPONSE,
    state: ClockState = ClockState.RUNNING,
    elapsed_min: float = 0,
    target_min: float = 30,
    due: datetime | None = DUE,
    day: BusinessDay = HOURS_ONLY,
) -> ClockReading:
    return ClockReading(name, state, timedelta(minutes=target_min), timedelta(minutes=elapsed_min), due, day)


def test_unclaimed_ticket_shows_what_an_engineer_needs_and_a_claim_button(policy: Policy) -> None:
    message = blocks.ticket_message(make_ticket(), policy, [reading(day=AROUND_THE_CLOCK)], NOW)
    assert_valid_message(message)
    text = json.dumps(message["blocks"])
    for expected in (
        "SUP-42",
        "Acme Corp",
        "Enterprise",
        "P1 Emergency",
        "<@U0KEY1>",
        "Production",
        f"<!date^{int(DUE.timestamp())}^",
        "30 minutes left",  # Enterprise runs around the clock: every minute counts, plain words
    ):
        assert expected in text, expected
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert actions["block_id"] == Block.TICKET_ACTIONS
    assert actions["elements"][0]["action_id"] == Action.CLAIM and actions["elements"][0]["value"] == "42"


def test_claimed_ticket_names_the_owner_and_offers_release_instead_of_claim(policy: Policy) -> None:
    message = blocks.ticket_message(
        make_ticket(owner_id="U0ENG1"), policy, [reading(state=ClockState.MET)], NOW
    )
    assert_valid_message(message)
    text = json.dumps(message["blocks"])
    assert "claimed by <@U0ENG1>" in text and Action.CLAIM not in text and Action.RELEASE in text
    assert "First response*: met" in text


@pytest.mark.parametrize(
    ("state", "elapsed", "expected"),
    [
        (ClockState.RUNNING, 10, "20 business minutes left"),
        (ClockState.RUNNING, 24, ":warning: at risk"),
        (ClockState.BREACHED, 45, "breached, due <!date^"),
        (ClockState.BREACHED, 45, "15 business minutes over"),
        (ClockState.PAUSED, 10, "paused, 20 business minutes left"),
        (ClockState.RUNNING, 35, "breached, due <!date^"),  # past due before its 100 % timer ran
        (ClockState.RUNNING, 35, "5 business minutes over"),
    ],
)
def test_clock_lines(state: ClockState, elapsed: float, expected: str) -> None:
    assert expected in blocks.clock_line(reading(state=state, elapsed_min=elapsed))


def test_clock_lines_write_business_days_never_24_hour_days() -> None:
    nine_hours = BusinessDay(timedelta(hours=9))
    three_days = reading(name=RESOLUTION, target_min=27 * 60 + 30, elapsed_min=30, day=nine_hours)
    assert "3 business days left" in blocks.clock_line(three_days)
    assert "1d" not in blocks.clock_line(three_days)
    partial = reading(name=RESOLUTION, target_min=31 * 60, elapsed_min=0, day=nine_hours)
    assert "31 business hours left" in blocks.clock_line(partial)


def test_resolved_ticket_shows_resolution_and_only_reopen_and_reply(policy: Policy) -> None:
    ticket = make_ticket(status=TicketStatus.RESOLVED, resolution=Resolution.THIRD_PARTY, owner_id="U0ENG1")
    message = blocks.ticket_message(ticket, policy, [reading(state=ClockState.MET)], NOW)
    assert_valid_message(message)
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    # Reply to customer works on every ticket, resolved ones too.
    assert [e["action_id"] for e in actions["elements"]] == [Action.REOPEN, Action.REPLY_TO_CUSTOMER]
    assert "Out of scope: third-party software" in json.dumps(message)


def test_longest_allowed_input_stays_within_slack_limits(policy: Policy) -> None:
    # Worst case: every character escapes to five (& → &amp;).
    ticket = make_ticket(
        title="&" * TITLE_MAX,
        description="&" * DESCRIPTION_MAX,
        tried="<" * DESCRIPTION_MAX,
        owner_id="U0ENG1",
        resolution=Resolution.FIXED,
        resolution_note="&" * DESCRIPTION_MAX,
    )
    readings = [reading(), reading(RESOLUTION, target_min=600)]
    calendar = policy.calendars["business-hours"]
    for message in (
        blocks.ticket_message(ticket, policy, readings, NOW),
        blocks.raised_dm(ticket, DUE, "Europe/Berlin", calendar, "Standard"),
        blocks.claimed_dm(ticket, "U0ENG1"),
        blocks.waiting_dm(ticket, "U0ENG1"),
        blocks.resolved_dm(ticket, "U0ENG1"),
    ):
        assert_valid_message(message)
        assert "&amp" in json.dumps(message)
    for view in (blocks.resolve_modal(ticket), blocks.details_modal(ticket), blocks.reassign_modal(ticket)):
        assert_valid_view(view)


def test_raise_modal_offers_a_customer_only_to_key_users_of_several(policy: Policy) -> None:
    single = blocks.raise_modal(policy, ["acme"])
    assert_valid_view(single)
    assert Block.CUSTOMER not in [b["block_id"] for b in single["blocks"]]
    several = blocks.raise_modal(policy, ["acme", "globex"], description="x" * 5000)
    assert_valid_view(several)
    customer = next(b for b in several["blocks"] if b["block_id"] == Block.CUSTOMER)
    assert [o["text"]["text"] for o in customer["element"]["options"]] == ["Acme Corp", "Globex"]
    priorities = next(b for b in several["blocks"] if b["block_id"] == Block.PRIORITY)["element"]["options"]
    assert [o["value"] for o in priorities] == ["P1", "P2", "P3", "P4"]
    assert "launch blocked" in priorities[0]["description"]["text"]
    assert "development schedule blocked" in priorities[1]["description"]["text"]


def test_staff_choose_the_customer_first_with_their_own_accounts_in_a_group_of_their_own(
    policy: Policy,
) -> None:
    everyone = list(policy.customers)
    plain = blocks.choose_customer_modal(policy, everyone, "U0ENG1")
    assert_valid_view(plain)
    assert plain["callback_id"] == Callback.RAISE_FOR_MODAL and plain["submit"]["text"] == "Next"
    select = next(b for b in plain["blocks"] if b.get("block_id") == Block.CUSTOMER)
    assert not select.get("optional") and [o["value"] for o in select["element"]["options"]] == everyone
    # An engineer who also manages Acme: Acme in "Your accounts", the rest after.
    managing = blocks.choose_customer_modal(policy, everyone, "U0AM1")
    assert_valid_view(managing)
    groups = next(b for b in managing["blocks"] if b.get("block_id") == Block.CUSTOMER)["element"][
        "option_groups"
    ]
    assert [(g["label"]["text"], [o["value"] for o in g["options"]]) for g in groups] == [
        ("Your accounts", ["acme"]),
        ("Other customers", [k for k in everyone if k != "acme"]),
    ]


def test_a_form_raised_on_a_customers_behalf_names_them_and_asks_who_asked(policy: Policy) -> None:
    form = blocks.raise_modal(policy, ["globex"], on_behalf=True)
    assert_valid_view(form)
    ids = [b.get("block_id") for b in form["blocks"]]
    assert ids[:2] == [Block.ON_BEHALF, Block.FOR_KEY_USER] and Block.CUSTOMER not in ids
    who = form["blocks"][1]["element"]
    assert who["type"] == "radio_buttons" and who["initial_option"]["value"] == blocks.EVERY_KEY_USER
    assert [o["text"]["text"] for o in who["options"][1:]] == ["<@U0KEY2>", "<@U0KEY9>"]
    # More key users than a radio holds: a person picker, checked against the key users on submit.
    twelve = ", ".join(f"U0K{n:03d}" for n in range(12))
    many = parse_config(
        EXAMPLE_POLICY.read_text().replace("key_users: [U0KEY2, U0KEY9]", f"key_users: [{twelve}]")
    )
    picker = blocks.raise_modal(many, ["globex"], on_behalf=True)
    assert_valid_view(picker)
    assert picker["blocks"][1]["element"]["type"] == "users_select" and picker["blocks"][1]["optional"]


def test_the_ticket_says_who_raised_it_on_the_customers_behalf(policy: Policy) -> None:
    ticket = make_ticket(customer="globex", plan="standard", reporter_id="U0KEY2", raised_by="U0ENG1")
    message = blocks.ticket_message(ticket, policy, [], NOW)
    assert "raised by <@U0ENG1> for Globex" in message["blocks"][0]["text"]["text"]
    assert "raised by" not in json.dumps(blocks.ticket_message(make_ticket(), policy, [], NOW))


def test_confirmation_outside_hours_says_when_the_clock_starts(policy: Policy) -> None:
    friday_evening = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)  # 17:30 Central
    ticket = make_ticket(created_at=friday_evening, plan="standard")
    due = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
    message = blocks.raised_dm(ticket, due, "Europe/Berlin", policy.calendars["business-hours"], "Standard")
    text = message["blocks"][0]["text"]["text"]
    assert (
        "Standard support hours are Mon–Fri 08:00–17:00 US Central; your clock starts Monday 08:00." in text
    )
    assert "Monday 23 Nov, 19:00 CET" in text  # the key user's own timezone


def test_out_of_scope_resolution_explains_why_in_plain_words() -> None:
    ticket = make_ticket(
        status=TicketStatus.RESOLVED,
        resolution=Resolution.CUSTOMER_MODIFICATION,
        resolution_note="Your custom script changes the schema.",
    )
    text = json.dumps(blocks.resolved_dm(ticket, "U0ENG1"))
    assert "changes made to the product on your side" in text and "custom script" in text
    assert Action.REOPEN in text


def test_not_key_user_text_names_the_company_key_users(policy: Policy) -> None:
    assert "<@U0KEY2>" in blocks.not_key_user_text(policy, "globex")
    assert "key users" in blocks.not_key_user_text(policy, None)


def test_home_view_is_valid_with_long_lists() -> None:
    lines = [blocks.ticket_line(make_ticket(id=i, title="&" * TITLE_MAX), DUE) for i in range(60)]
    view = blocks.home_view([("Unclaimed", lines, "none"), ("Yours", [], "You own no open tickets.")])
    assert_valid_view(view)
    assert "You own no open tickets." in json.dumps(view)


def test_page_messages_and_remaining_views_stay_within_limits(policy: Policy) -> None:
    from bot.services.intake import TicketDraft
    from models import Page

    ticket = make_ticket(title="&" * TITLE_MAX, description="&" * DESCRIPTION_MAX)
    page = Page(
        id=7,
        ticket_id=42,
        step_key="P1.0",
        level="lead",
        recipient="U0LEAD",
        reason="&lt;" * 200,
        due_at=NOW,
        created_at=NOW,
        late=True,
        fell_back=False,
    )
    for message in (
        blocks.page_message(page, ticket, policy, "https://x.slack.com/archives/C/p1"),
        blocks.page_message(page, ticket, policy, None, fallback_for="U0LEAD"),
    ):
        assert_valid_message(message)
        assert "late" in json.dumps(message)
    acknowledged = Page(
        id=7,
        ticket_id=42,
        step_key="P1.0",
        level="lead",
        recipient="U0LEAD",
        reason="x",
        due_at=NOW,
        created_at=NOW,
        late=False,
        fell_back=False,
        acknowledged_at=NOW,
        acknowledged_by="U0LEAD",
    )
    message = blocks.page_message(acknowledged, ticket, policy, None)
    assert_valid_message(message)
    assert Action.ACKNOWLEDGE not in json.dumps(message) and Action.TAKE in json.dumps(message)
    assert_valid_view(blocks.escalate_modal(ticket))
    draft = TicketDraft(
        "U0KEY9", "globex", "P1", "production", "&" * TITLE_MAX, "&" * DESCRIPTION_MAX, "<" * DESCRIPTION_MAX
    )
    again = blocks.raise_modal(policy, ["globex", "initech"], draft=draft, similar=ticket)
    assert_valid_view(again)
    shown = json.dumps(again)
    assert '"initial_option"' in shown and "SUP-42" in shown
