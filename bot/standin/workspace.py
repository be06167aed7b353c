"""Who and what exists in the stand-in's workspace: people, channels, who is in which, and granted scopes.

Real Slack refuses what a lenient stand-in lets through: posting where the app is not a member, DMs to
people who do not exist, reading e-mails without ``users:read.email``. The checks here answer the way
Slack does, so a test finds those mistakes before a workspace does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.standin.errors import SlackError
from bot.standin.ids import BOT_USER_ID, DEFAULT_TZ, TEAM_DOMAIN, TEAM_ID, dm_channel_for, is_user_id

# What the stand-in's token holds unless told otherwise: the manifest's scopes, plus users:read.email
# (which the manifest leaves to policies that name people by e-mail).
DEFAULT_SCOPES = frozenset({
    "commands", "chat:write", "users:read", "users:read.email", "channels:read", "groups:read",
    "channels:history", "groups:history", "im:history", "im:write", "files:write",
    "app_mentions:read", "reactions:read", "files:read",
})  # fmt: skip

# Methods that need one scope whatever they are called with (others check per conversation type).
METHOD_SCOPES = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.delete": "chat:write",
    "chat.postEphemeral": "chat:write",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "files.getUploadURLExternal": "files:write",
    "files.completeUploadExternal": "files:write",
    "files.info": "files:read",
}

_TZ_LABELS = {
    "CST": "Central Standard Time", "CDT": "Central Daylight Time",
    "EST": "Eastern Standard Time", "EDT": "Eastern Daylight Time",
    "MST": "Mountain Standard Time", "MDT": "Mountain Daylight Time",
    "PST": "Pacific Standard Time", "PDT": "Pacific Daylight Time",
    "CET": "Central European Time", "CEST": "Central European Summer Time",
    "GMT": "Greenwich Mean Time", "BST": "British Summer Time", "UTC": "Coordinated Universal Time",
    "IST": "India Standard Time", "JST": "Japan Standard Time",
}  # fmt: skip


@dataclass
class Channel:
    """A conversation: a public or private channel, or the app's DM with one person (``is_im``)."""

    id: str
    name: str
    private: bool = False
    archived: bool = False
    members: set[str] = field(default_factory=set)  # user ids; the bot is BOT_USER_ID
    is_im: bool = False
    user: str | None = None  # the person in an im
    shared_with: set[str] = field(default_factory=set)  # other organisations' team ids (Slack Connect)

    @property
    def bot_member(self) -> bool:
        return BOT_USER_ID in self.members

    @property
    def ext_shared(self) -> bool:
        return bool(self.shared_with)


def _default_name(channel_id: str) -> str:
    return (channel_id[2:] if channel_id.startswith(("C0", "G0")) else channel_id).lower()


class Workspace:
    """People (``users``: id -> seed dict), channels (``channels``: id -> Channel) and ``scopes``.

    A user seed has any of: name, real_name, tz, tz_label, email, deleted, is_bot, profile; assigning a
    dict to ``users[uid]`` is enough to make someone exist. The app's DM with a known person needs no
    seeding: ``D`` + the user id without its first letter.
    """

    def __init__(self, scopes: Iterable[str] | None = None) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.scopes: set[str] = set(DEFAULT_SCOPES if scopes is None else scopes)
        self.add_user(BOT_USER_ID, name="secondline", real_name="Secondline", is_bot=True)

    # ------------------------------------------------------------------ seeding

    def add_user(
        self,
        uid: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        tz: str = DEFAULT_TZ,
        email: str | None = None,
        deleted: bool = False,
        is_bot: bool = False,
        team: str = TEAM_ID,
        **extra: Any,
    ) -> dict[str, Any]:
        """``team``: the person's organisation; another than ``TEAM_ID`` makes them someone Slack Connect
        lets the app meet only in shared channels."""
        seed: dict[str, Any] = {"tz": tz, "deleted": deleted, "is_bot": is_bot, "team": team, **extra}
        for key, value in (("name", name), ("real_name", real_name), ("email", email)):
            if value is not None:
                seed[key] = value
        self.users[uid] = seed
        return seed

    def add_channel(
        self,
        cid: str,
        name: str | None = None,
        *,
        members: Iterable[str] = (),
        bot_member: bool = True,
        private: bool = False,
        archived: bool = False,
        shared_with: Iterable[str] = (),
    ) -> Channel:
        channel = Channel(cid, name or _default_name(cid), private=private, archived=archived)
        channel.shared_with.update(shared_with)
        channel.members.update(members)
        if bot_member:
            channel.members.add(BOT_USER_ID)
        self.channels[cid] = channel
        return channel

    def _channel(self, cid: str) -> Channel:
        try:
            return self.channels[cid]
        except KeyError:
            raise KeyError(f"no channel {cid} in the stand-in's workspace; add_channel() it first") from None

    def archive(self, cid: str) -> None:
        self._channel(cid).archived = True

    def remove_bot(self, cid: str) -> None:
        self._channel(cid).members.discard(BOT_USER_ID)

    def add_bot(self, cid: str) -> None:
        self._channel(cid).members.add(BOT_USER_ID)

    def join(self, cid: str, *users: str) -> None:
        self._channel(cid).members.update(users)

    def leave(self, cid: str, *users: str) -> None:
        self._channel(cid).members.difference_update(users)

    def share(self, cid: str, team: str) -> None:
        """Slack Connect: the channel is now shared with organisation ``team``."""
        self._channel(cid).shared_with.add(team)

    def unshare(self, cid: str, team: str) -> None:
        """The share with ``team`` ends: its people leave; the host keeps the channel and its id."""
        channel = self._channel(cid)
        channel.shared_with.discard(team)
        channel.members.difference_update({u for u in channel.members if self.team_of(u) == team})

    def change_id(self, old: str, new: str) -> Channel:
        """A private channel's id changes when it becomes shared (``channel_id_changed``)."""
        channel = self.channels.pop(old)
        channel.id = new
        self.channels[new] = channel
        return channel

    def team_of(self, uid: str) -> str:
        """The organisation a person belongs to (``TEAM_ID``: the app's own workspace)."""
        return str((self.users.get(uid) or {}).get("team", TEAM_ID))

    def is_external(self, uid: str) -> bool:
        return self.team_of(uid) != TEAM_ID

    def shares_channel_with_bot(self, uid: str) -> bool:
        """Slack lets the app DM someone of another organisation only while they share a channel."""
        return any(
            uid in c.members and c.bot_member and not c.is_im and not c.archived
            for c in self.channels.values()
        )

    def seed_from_policy(self, policy: Any) -> None:
        """The support channel (the bot in it) and everyone the policy names by Slack id, in one call.

        Duck-typed (attributes only): ``support_channel``, ``customers[*].key_users`` (and
        ``account_manager`` where set), ``engineers``, ``escalation_people``. Everyone named is a member of
        the support channel. People named by e-mail are left out: seed them with
        ``add_user(uid, email=...)``. Existing seeds are kept.
        """
        people: list[str] = []
        external: dict[str, str] = {}  # key users of customers with their own organisation: uid -> team
        for customer in dict(policy.customers).values():
            teams = list(getattr(customer, "teams", []) or [])
            if teams:
                external.update({str(uid): str(teams[0]) for uid in customer.key_users if is_user_id(uid)})
                continue
            people.extend(customer.key_users)
            if getattr(customer, "account_manager", None):
                people.append(customer.account_manager)
        people.extend(policy.engineers)
        people.extend(sorted(policy.escalation_people))
        ids = [p for p in dict.fromkeys(str(p) for p in people) if is_user_id(p)]
        for uid in ids:
            if uid not in self.users:
                self.add_user(uid)
        support = str(policy.support_channel)
        if support in self.channels:
            self.channels[support].members.update([*ids, BOT_USER_ID])
        else:
            self.add_channel(support, "support", members=ids)
        for uid, team in external.items():
            if uid not in self.users:
                self.add_user(uid, team=team)
        staff = [str(p) for p in policy.engineers if is_user_id(str(p))]
        for customer in dict(policy.customers).values():
            teams = [str(t) for t in getattr(customer, "teams", []) or []]
            for cid in getattr(customer, "channels", []) or []:
                theirs = [str(u) for u in customer.key_users if is_user_id(str(u))]
                if str(cid) not in self.channels:
                    self.add_channel(str(cid), members=[*theirs, *staff], shared_with=teams)

    # ------------------------------------------------------------------ looking up

    def conversation(self, cid: str) -> Channel | None:
        """A channel, or the app's DM with a known person (made up on the fly, as Slack opens it)."""
        if cid in self.channels:
            return self.channels[cid]
        if cid.startswith("D"):
            uid = next((p + cid[1:] for p in "UW" if p + cid[1:] in self.users), None)
            if uid is not None and self.is_external(uid) and not self.shares_channel_with_bot(uid):
                return None  # no DM with someone of another organisation outside a shared channel
            if uid is not None and uid != BOT_USER_ID:
                return Channel(cid, cid, private=True, members={uid, BOT_USER_ID}, is_im=True, user=uid)
        return None

    def visible(self, cid: str) -> Channel:
        """The conversation if the app can see it; ``channel_not_found`` as Slack answers otherwise.

        The app sees public channels, private channels it is in, and its own DMs; a ``D…`` id it is not
        part of (a DM between people) is as unknown to it as a made-up id.
        """
        channel = self.conversation(cid) if cid else None
        if channel is None or (channel.private and not channel.bot_member):
            raise SlackError("channel_not_found")
        return channel

    def postable(self, target: str) -> Channel:
        """Where chat.postMessage (and a file share) to ``target`` lands, or Slack's refusal.

        A user id means the app's DM with that person: any known person, even a deactivated one.
        """
        if is_user_id(target):
            if target == BOT_USER_ID:
                raise SlackError("cannot_dm_bot")
            if target not in self.users:
                raise SlackError("channel_not_found")
            if self.is_external(target) and not self.shares_channel_with_bot(target):
                raise SlackError("invalid_user_combination")
            target = dm_channel_for(target)
        channel = self.visible(target)
        if channel.archived:
            raise SlackError("is_archived")
        if not channel.bot_member and not (not channel.private and "chat:write.public" in self.scopes):
            raise SlackError("not_in_channel")
        return channel

    def conversation_key(self, target: str) -> str:
        """One key per conversation for rate limits: a user id and its ``D…`` DM are the same."""
        return dm_channel_for(target) if is_user_id(target) else target

    def need(self, scope: str) -> None:
        if scope not in self.scopes:
            raise SlackError("missing_scope", needed=scope, provided=",".join(sorted(self.scopes)))

    # ------------------------------------------------------------------ answers

    def user_object(self, uid: str) -> dict[str, Any]:
        """``users.info``'s ``user``: the seed filled in; ``profile.email`` only with users:read.email.

        Someone of another organisation (Slack Connect) comes without locale, ``tz`` or e-mail, with
        their own ``team_id`` and ``is_stranger`` false while a channel is shared."""
        seed = self.users[uid]
        if self.is_external(uid):
            return self._stranger_object(uid, seed)
        tz_name = str(seed.get("tz", DEFAULT_TZ))
        now = datetime.now(UTC).astimezone(ZoneInfo(tz_name))
        offset = now.utcoffset()
        abbreviation = now.tzname() or ""
        name = str(seed.get("name", uid.lower()))
        real_name = str(seed.get("real_name", name.title()))
        profile: dict[str, Any] = {"real_name": real_name, "display_name": name, "team": TEAM_ID}
        if "users:read.email" in self.scopes and not seed.get("is_bot"):
            profile["email"] = self.email_of(uid)
        profile.update(seed.get("profile", {}))
        user: dict[str, Any] = {
            "id": uid, "team_id": TEAM_ID, "name": name, "real_name": real_name,
            "deleted": bool(seed.get("deleted", False)), "is_bot": bool(seed.get("is_bot", False)),
            "is_app_user": False, "is_admin": False, "is_owner": False, "is_restricted": False,
            "is_ultra_restricted": False, "updated": 1_700_000_000,
            "tz": tz_name, "tz_label": seed.get("tz_label", _TZ_LABELS.get(abbreviation, abbreviation)),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
        }  # fmt: skip
        user.update(
            {k: v for k, v in seed.items() if k not in user and k not in ("email", "profile", "team")}
        )
        return user

    def _stranger_object(self, uid: str, seed: dict[str, Any]) -> dict[str, Any]:
        name = str(seed.get("name", uid.lower()))
        real_name = str(seed.get("real_name", name.title()))
        team = self.team_of(uid)
        return {
            "id": uid, "team_id": team, "name": name, "real_name": real_name,
            "deleted": bool(seed.get("deleted", False)), "is_bot": bool(seed.get("is_bot", False)),
            "is_app_user": False, "is_restricted": False, "is_ultra_restricted": False,
            "is_stranger": not self.shares_channel_with_bot(uid), "updated": 1_700_000_000,
            "profile": {"real_name": real_name, "display_name": name, "team": team},
        }  # fmt: skip

    def email_of(self, uid: str) -> str:
        seed = self.users[uid]
        return str(seed.get("email") or f"{seed.get('name', uid.lower())}@{TEAM_DOMAIN}.test")

    def channel_object(self, channel: Channel) -> dict[str, Any]:
        """``conversations.info``'s ``channel``."""
        if channel.is_im:
            return {
                "id": channel.id, "is_im": True, "user": channel.user, "is_open": True, "is_archived": False,
                "is_member": True, "is_private": True, "created": 1_700_000_000,
            }  # fmt: skip
        return {
            "id": channel.id, "name": channel.name, "name_normalized": channel.name,
            "is_channel": not channel.private, "is_group": channel.private, "is_im": False,
            "is_mpim": False, "is_private": channel.private, "is_archived": channel.archived,
            "is_general": channel.name == "general", "is_member": channel.bot_member,
            "is_shared": channel.ext_shared, "is_ext_shared": channel.ext_shared, "is_org_shared": False,
            "is_pending_ext_shared": False, "shared_team_ids": [TEAM_ID, *sorted(channel.shared_with)],
            "created": 1_700_000_000, "creator": "U0ADMIN", "context_team_id": TEAM_ID,
        }  # fmt: skip
