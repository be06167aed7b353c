"""Which modal each person sees, and the bot's answers to a submission applied as Slack applies them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.playground.modals import Modals
from bot.standin import Call, SlackStandIn


def modal(title: str = "Raise", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": [], **extra}


@pytest.fixture
def modals() -> Modals:
    return Modals(SlackStandIn())  # views live in memory: no server needed


def opened(
    modals: Modals, persona: str, trigger: str, view: dict[str, Any], method: str = "views.open"
) -> str:
    """The bot opened `view` with a trigger id from `persona`'s request (as the stand-in records it)."""
    modals.sent(trigger, persona)
    stored = modals.standin.show_view(view)
    call = Call(method, {"trigger_id": trigger, "view": view}, {}, 0.0, response={"ok": True, "view": stored})
    modals.called(call)
    return str(stored["id"])


def test_a_modal_shows_to_the_person_whose_trigger_opened_it(modals: Modals) -> None:
    view_id = opened(modals, "U0KEY1", "t1", modal())
    assert modals.top("U0KEY1") is not None and modals.top("U0ENG1") is None
    shown = modals.as_json("U0KEY1")
    assert shown is not None and shown["view"]["id"] == view_id and shown["depth"] == 1
    modals.called(Call("views.open", {"trigger_id": "unknown"}, {}, 0.0, response={"view": {"id": "V9"}}))
    failed = Call("views.open", {"trigger_id": "t1"}, {}, 0.0, failed=True, response={"ok": False})
    modals.called(failed)
    assert modals.top("U0KEY1").view_id == view_id  # type: ignore[union-attr]
    with pytest.raises(LookupError):
        modals.view("U0ENG1", view_id)


def test_errors_stay_on_the_view_update_replaces_it_and_an_empty_answer_closes_it(modals: Modals) -> None:
    view_id = opened(modals, "U0KEY1", "t1", modal())
    errors = json.dumps({"response_action": "errors", "errors": {"title_block": "Give it a title."}})
    assert modals.answered("U0KEY1", view_id, 200, errors) == "errors"
    assert modals.as_json("U0KEY1")["errors"] == {"title_block": "Give it a title."}  # type: ignore[index]
    before = modals.standin.views[view_id]["hash"]
    update = json.dumps({"response_action": "update", "view": modal("Confirm", callback_id="second")})
    assert modals.answered("U0KEY1", view_id, 200, update) == "updated"
    shown = modals.as_json("U0KEY1")
    assert shown is not None and shown["errors"] == {}
    assert shown["view"]["id"] == view_id and shown["view"]["callback_id"] == "second"
    assert shown["view"]["hash"] != before
    assert modals.answered("U0KEY1", view_id, 200, "") == "closed"
    assert modals.top("U0KEY1") is None


def test_push_stacks_views_up_to_three_closing_one_shows_the_one_below_and_clear_closes_all(
    modals: Modals,
) -> None:
    first = opened(modals, "U0KEY1", "t1", modal())
    push = json.dumps({"response_action": "push", "view": modal("More")})
    assert modals.answered("U0KEY1", first, 200, push) == "pushed"
    second = modals.top("U0KEY1").view_id  # type: ignore[union-attr]
    assert modals.standin.views[second]["previous_view_id"] == first
    assert modals.answered("U0KEY1", second, 200, push) == "pushed"
    third = modals.top("U0KEY1").view_id  # type: ignore[union-attr]
    assert modals.answered("U0KEY1", third, 200, push) == "failed"  # Slack keeps three at most
    assert "push_limit_reached" in str(modals.as_json("U0KEY1")["problem"])  # type: ignore[index]
    modals.close("U0KEY1", third)
    assert modals.top("U0KEY1").view_id == second  # type: ignore[union-attr]
    assert modals.answered("U0KEY1", second, 200, json.dumps({"response_action": "clear"})) == "cleared"
    assert modals.top("U0KEY1") is None


@pytest.mark.parametrize(
    ("status", "body", "problem"),
    [
        (500, "", "We had some trouble connecting"),
        (200, "not json", "cannot read"),
        (200, json.dumps({"response_action": "update", "view": modal("x" * 25)}), "invalid_arguments"),
        (200, json.dumps({"response_action": "dance"}), "unknown response_action"),
    ],
)
def test_an_answer_slack_cannot_use_leaves_the_form_open_with_slacks_complaint(
    modals: Modals, status: int, body: str, problem: str
) -> None:
    view_id = opened(modals, "U0KEY1", "t1", modal())
    assert modals.answered("U0KEY1", view_id, status, body) == "failed"
    shown = modals.as_json("U0KEY1")
    assert shown is not None and shown["view"]["id"] == view_id and problem in str(shown["problem"])
    assert modals.answered("U0KEY1", "V0OTHER", 200, "") == "gone"  # a stale page's submission


def test_closing_shows_the_view_below_unless_the_view_clears_the_stack_on_close(modals: Modals) -> None:
    first = opened(modals, "U0KEY1", "t1", modal())
    push = json.dumps({"response_action": "push", "view": modal("More", notify_on_close=True)})
    modals.answered("U0KEY1", first, 200, push)
    second = modals.top("U0KEY1").view_id  # type: ignore[union-attr]
    assert modals.close("U0KEY1", first) is None  # not on top: a stale page's Escape changes nothing
    closed = modals.close("U0KEY1", second)
    assert closed is not None and closed[0]["notify_on_close"] is True and closed[1] is False
    assert modals.top("U0KEY1").view_id == first  # type: ignore[union-attr]

    modals.answered(
        "U0KEY1", first, 200, json.dumps({"response_action": "push", "view": modal(clear_on_close=True)})
    )
    third = modals.top("U0KEY1").view_id  # type: ignore[union-attr]
    assert modals.close("U0KEY1", third) == (modals.standin.views[third], True)  # Slack's is_cleared
    assert modals.top("U0KEY1") is None
