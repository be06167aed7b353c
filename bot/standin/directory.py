"""``auth.test``, ``users.*`` and ``conversations.*``: what the app may learn about its workspace."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from bot.standin.errors import SlackError
from bot.standin.ids import BOT_ID, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID, dm_channel_for
from bot.standin.workspace import Workspace

Args = dict[str, Any]
Answer = dict[str, Any]


class Directory:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def handlers(self) -> dict[str, Callable[[Args], Answer]]:
        return {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.lookupByEmail": self._lookup_by_email,
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
        }

    def _auth_test(self, args: Args) -> Answer:
        return {
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": "Acme",
            "user": "secondline",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, args: Args) -> Answer:
        uid = str(args.get("user") or "")
        if uid not in self.workspace.users:
            raise SlackError("user_not_found")
        return {"user": self.workspace.user_object(uid)}

    def _lookup_by_email(self, args: Args) -> Answer:
        email = str(args.get("email") or "").strip().lower()
        for uid in self.workspace.users:
            if email and self.workspace.email_of(uid).lower() == email:
                return {"user": self.workspace.user_object(uid)}
        raise SlackError("users_not_found")

    def _conversations_open(self, args: Args) -> Answer:
        if args.get("channel"):
            channel = self.workspace.visible(str(args["channel"]))
            return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        users = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
        if not users:
            raise SlackError("users_list_not_supplied")
        self.workspace.need("im:write" if len(users) == 1 else "mpim:write")
        if users == [BOT_USER_ID]:
            raise SlackError("cannot_dm_bot")
        for uid in users:
            seed = self.workspace.users.get(uid)
            if seed is None:
                raise SlackError("user_not_found")
            if seed.get("deleted"):
                raise SlackError("user_disabled")
            if self.workspace.is_external(uid) and not self.workspace.shares_channel_with_bot(uid):
                raise SlackError("invalid_user_combination")  # Slack Connect: only while a channel is shared
        if len(users) == 1:
            channel_id = dm_channel_for(users[0])
        else:
            channel_id = "G" + hashlib.sha1(",".join(sorted(users)).encode()).hexdigest()[:9].upper()
        return {"no_op": False, "already_open": False, "channel": {"id": channel_id}}

    def _conversations_info(self, args: Args) -> Answer:
        channel = self.workspace.visible(str(args.get("channel") or ""))
        if channel.is_im:
            self.workspace.need("im:read")
        else:
            self.workspace.need("groups:read" if channel.private else "channels:read")
        return {"channel": self.workspace.channel_object(channel)}
