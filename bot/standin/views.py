"""``views.*``: modals and App Home, with trigger ids that work once and hashes that guard updates."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from bot.standin.errors import SlackError
from bot.standin.ids import APP_ID, BOT_ID, TEAM_ID
from bot.standin.validation import check_view
from bot.standin.workspace import Workspace

Args = dict[str, Any]
Answer = dict[str, Any]
View = dict[str, Any]


class Views:
    """Open views (``views``: id -> view) and each person's published Home (``home_views``)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.views: dict[str, View] = {}
        self.home_views: dict[str, View] = {}
        self.unseen_homes: dict[str, View] = {}  # published for people of another organisation
        self.used_trigger_ids: set[str] = set()
        self._seq = 0

    def handlers(self) -> dict[str, Callable[[Args], Answer]]:
        return {
            "views.open": self._open,
            "views.push": self._open,
            "views.update": self._update,
            "views.publish": self._publish,
        }

    def reset(self) -> None:
        self.views.clear()
        self.home_views.clear()
        self.unseen_homes.clear()
        self.used_trigger_ids.clear()

    def _new_view(self, view: View, view_id: str | None = None) -> View:
        if view_id is None:
            self._seq += 1
            view_id = f"V{self._seq:08d}"
        previous = self.views.get(view_id, {})
        self._seq += 1
        stored: View = {
            "id": view_id, "team_id": TEAM_ID, "type": view.get("type"), "blocks": [],
            "private_metadata": "", "callback_id": "", "state": {"values": {}},
            "hash": f"{int(time.time())}.{hashlib.sha1(str(self._seq).encode()).hexdigest()[:8]}",
            "clear_on_close": False, "notify_on_close": False, "external_id": "",
            "previous_view_id": previous.get("previous_view_id"),
            "root_view_id": previous.get("root_view_id"),
            "app_id": APP_ID, "bot_id": BOT_ID,
        }  # fmt: skip
        stored.update({k: v for k, v in view.items() if k not in ("id", "hash", "state")})
        stored["root_view_id"] = stored["root_view_id"] or view_id
        self.views[view_id] = stored
        return stored

    def show(self, view: View, view_id: str | None = None, *, previous_view_id: str | None = None) -> View:
        """A view an app put on screen by answering a view_submission (update: ``view_id``; push: none)."""
        checked = check_view(view, "modal")
        if view_id is not None and view_id not in self.views:
            raise SlackError("not_found")
        stored = self._new_view(checked, view_id)
        if view_id is None and previous_view_id in self.views:
            stored["previous_view_id"] = previous_view_id
            stored["root_view_id"] = self.views[str(previous_view_id)]["root_view_id"]
        return stored

    def _take_trigger(self, args: Args) -> None:
        trigger_id = args.get("trigger_id")
        if not trigger_id:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
        if trigger_id in self.used_trigger_ids:
            raise SlackError("exchanged_trigger_id")
        self.used_trigger_ids.add(str(trigger_id))

    def _open(self, args: Args) -> Answer:
        view = check_view(args.get("view"), "modal")
        self._take_trigger(args)
        return {"view": self._new_view(view)}

    def _update(self, args: Args) -> Answer:
        view = check_view(args.get("view"), None)
        view_id = args.get("view_id")
        if not view_id and args.get("external_id"):
            view_id = next(
                (v["id"] for v in self.views.values() if v["external_id"] == args["external_id"]), ""
            )
            if not view_id:
                raise SlackError("not_found")
        if not view_id:
            raise SlackError("invalid_arguments", ["[ERROR] either view_id or external_id is required"])
        current = self.views.get(str(view_id))
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        return {"view": self._new_view(view, str(view_id))}

    def _publish(self, args: Args) -> Answer:
        user_id = str(args.get("user_id") or "")
        if not user_id:
            raise SlackError("invalid_arguments", ["[ERROR] missing required field: user_id"])
        if user_id not in self.workspace.users:
            raise SlackError("user_not_found")
        view = check_view(args.get("view"), "home")
        current = self.home_views.get(user_id)
        if current is not None and args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        stored = self._new_view(view, current["id"] if current else None)
        if self.workspace.is_external(user_id):
            # Slack answers ok, but App Home is not for people of another organisation: they may see
            # "work in progress" instead. Kept apart, so a test reading their Home finds none.
            self.unseen_homes[user_id] = stored
        else:
            self.home_views[user_id] = stored
        return {"view": stored}
