"""Which modal each person has on screen, as Slack keeps it.

The bot opens a modal with views.open and the trigger id of a person's request; the playground remembers
whose request carried each trigger id, so the view opened with it is shown to that person. Updates the bot
makes with views.update are read live from the stand-in. What the bot answers to a submission is applied
the way Slack applies it: `errors` under the fields, `update` in place, `push` on top, `clear` closes the
whole stack, and an empty answer closes the submitted view.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.standin import Call, SlackStandIn
from bot.standin.errors import SlackError

MAX_STACK = 3  # Slack keeps at most three views stacked
TRIGGERS_KEPT = 1000


@dataclass
class Shown:
    """A view on a person's screen, with what Slack shows around it."""

    view_id: str
    errors: dict[str, str] = field(default_factory=dict)  # block id -> message, under that block
    problem: str | None = None  # Slack's own complaint about the app's answer, shown on top


class Modals:
    def __init__(self, standin: SlackStandIn) -> None:
        self.standin = standin
        self.triggers: dict[str, str] = {}  # trigger id -> the person whose request carried it
        self.stacks: dict[str, list[Shown]] = {}

    def reset(self) -> None:
        self.triggers.clear()
        self.stacks.clear()

    def sent(self, trigger_id: str, persona: str) -> None:
        """A request of `persona`'s went out with this trigger id."""
        if len(self.triggers) >= TRIGGERS_KEPT:
            self.triggers.pop(next(iter(self.triggers)))
        self.triggers[trigger_id] = persona

    def called(self, call: Call) -> None:
        """Every Web API call the bot made: views.open and views.push put a modal on someone's screen."""
        if call.method not in ("views.open", "views.push") or call.failed or not call.response:
            return
        persona = self.triggers.get(str(call.args.get("trigger_id") or ""))
        view_id = str((call.response.get("view") or {}).get("id") or "")
        if persona is None or not view_id:
            return
        stack = self.stacks.setdefault(persona, [])
        if call.method == "views.open":
            stack.clear()
        if len(stack) < MAX_STACK:
            stack.append(Shown(view_id))

    def top(self, persona: str) -> Shown | None:
        stack = self.stacks.get(persona) or []
        while stack and stack[-1].view_id not in self.standin.views:  # gone with a reset
            stack.pop()
        return stack[-1] if stack else None

    def view(self, persona: str, view_id: str) -> dict[str, Any]:
        """The view `persona` has on top, which must be `view_id` (a stale page may name another)."""
        top = self.top(persona)
        if top is None or top.view_id != view_id:
            raise LookupError(f"{persona} has no modal {view_id} open")
        return self.standin.views[view_id]

    def close(self, persona: str, view_id: str) -> tuple[dict[str, Any], bool] | None:
        """The person closed the view on top (Cancel, the x or Escape): the views under it show again, or
        none with the view's `clear_on_close`. Returns the closed view and whether it cleared the stack
        (Slack's `is_cleared`); None if `view_id` was not on top (a stale page)."""
        top = self.top(persona)
        if top is None or top.view_id != view_id:
            return None
        stack = self.stacks[persona]
        view = self.standin.views[view_id]
        cleared = bool(view.get("clear_on_close"))
        if cleared:
            stack.clear()
        else:
            stack.pop()
        return view, cleared

    def answered(self, persona: str, view_id: str, status: int, body: str) -> str:
        """Apply the bot's answer to a submission of `view_id`; returns what happened, in a word."""
        top = self.top(persona)
        if top is None or top.view_id != view_id:
            return "gone"
        top.problem = None
        if status != 200:
            top.problem = f"We had some trouble connecting (the app answered HTTP {status}). Try again?"
            return "failed"
        answer = _json(body)
        if answer is None:
            top.problem = "The app answered something Slack cannot read; the form stays open."
            return "failed"
        action = answer.get("response_action")
        try:
            return self._apply(persona, top, action, answer)
        except SlackError as exc:
            top.problem = f"Slack refused the app's answer ({exc.error}): {'; '.join(exc.messages)}"
            return "failed"

    def _apply(self, persona: str, top: Shown, action: Any, answer: dict[str, Any]) -> str:
        stack = self.stacks[persona]
        if action is None:
            stack.pop()
            return "closed"
        if action == "clear":
            stack.clear()
            return "cleared"
        if action == "errors":
            errors = answer.get("errors")
            top.errors = {str(k): str(v) for k, v in errors.items()} if isinstance(errors, dict) else {}
            return "errors"
        if action == "update":
            self.standin.show_view(answer.get("view"), top.view_id)  # type: ignore[arg-type]
            top.errors = {}
            return "updated"
        if action == "push":
            if len(stack) >= MAX_STACK:
                raise SlackError("push_limit_reached", [f"at most {MAX_STACK} views can be stacked"])
            pushed = self.standin.show_view(answer.get("view"), previous_view_id=top.view_id)  # type: ignore[arg-type]
            stack.append(Shown(str(pushed["id"])))
            return "pushed"
        raise SlackError("invalid_response_action", [f"unknown response_action {action!r}"])

    def as_json(self, persona: str) -> dict[str, Any] | None:
        top = self.top(persona)
        if top is None:
            return None
        return {
            "view": self.standin.views[top.view_id],
            "errors": top.errors,
            "problem": top.problem,
            "depth": len(self.stacks.get(persona) or []),
        }


def _json(body: str) -> dict[str, Any] | None:
    """A submission's answer: an empty body is an empty answer; anything else must be a JSON object."""
    if not body.strip():
        return {}
    try:
        answer = json.loads(body)
    except json.JSONDecodeError:
        return None
    return answer if isinstance(answer, dict) else None
