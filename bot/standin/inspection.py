"""The stand-in's state as a test reads and seeds it: messages, views, files, responses, the workspace."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.standin.chat import Chat
from bot.standin.files import Files
from bot.standin.ids import dm_channel_for, is_user_id
from bot.standin.recording import Call, Recorder
from bot.standin.responses import ResponseUrls
from bot.standin.views import Views
from bot.standin.workspace import Channel, Workspace


class Inspection(Recorder):
    def __init__(
        self, workspace: Workspace, chat: Chat, views: Views, files: Files, response_urls: ResponseUrls
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.chat = chat
        self._views = views
        self._files = files
        self._response_urls = response_urls
        # The same objects the handlers change: read them, or seed users by assigning a dict.
        self.users = workspace.users
        self.channels = workspace.channels
        self.messages = chat.messages
        self.message_history = chat.message_history
        self.ephemerals = chat.ephemerals
        self.views = views.views
        self.home_views = views.home_views
        self.used_trigger_ids = views.used_trigger_ids
        self.files = files.files
        self.responses = response_urls.responses

    def reset(self) -> None:
        self.calls.clear()
        self.chat.reset()
        self._views.reset()
        self._files.reset()
        self._response_urls.reset()

    # ------------------------------------------------------------------ the workspace

    def add_user(self, uid: str, **fields: Any) -> dict[str, Any]:
        """A person: ``add_user("U0KEY1", tz="Europe/Berlin", email="kim@acme.test", deleted=False)``."""
        return self.workspace.add_user(uid, **fields)

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
        """``shared_with``: other organisations' team ids, for a Slack Connect channel."""
        return self.workspace.add_channel(
            cid, name, members=members, bot_member=bot_member, private=private, archived=archived,
            shared_with=shared_with,
        )  # fmt: skip

    def team_of(self, uid: str) -> str:
        """A person's organisation; SlackClient asks, to refuse what Slack never sends for strangers."""
        return self.workspace.team_of(uid)

    def post_file(self, file: dict[str, Any]) -> None:
        """A file a person posted (see events.shared_file), as files.info answers it."""
        self._files.add_posted(file)

    def share(self, cid: str, team: str) -> None:
        self.workspace.share(cid, team)

    def unshare(self, cid: str, team: str) -> None:
        self.workspace.unshare(cid, team)

    def change_channel_id(self, old: str, new: str) -> None:
        """Slack's side of ``channel_id_changed``: the channel, its messages and their threads move."""
        self.workspace.change_id(old, new)
        for cid, ts in [k for k in self.chat.messages if k[0] == old]:
            self.chat.messages[(new, ts)] = self.chat.messages.pop((cid, ts))

    def archive(self, cid: str) -> None:
        self.workspace.archive(cid)

    def remove_bot(self, cid: str) -> None:
        self.workspace.remove_bot(cid)

    def add_bot(self, cid: str) -> None:
        self.workspace.add_bot(cid)

    def join(self, cid: str, *users: str) -> None:
        self.workspace.join(cid, *users)

    def leave(self, cid: str, *users: str) -> None:
        self.workspace.leave(cid, *users)

    def seed_from_policy(self, policy: Any) -> None:
        """The support channel (bot in it) and every person the policy names by Slack id."""
        self.workspace.seed_from_policy(policy)

    def new_response_url(
        self, user: str | None = None, channel: str | None = None, message_ts: str | None = None
    ) -> str:
        """A response URL on the stand-in, as Slack puts in commands, shortcuts and clicks."""
        return self._response_urls.new(user, channel, message_ts)

    # ------------------------------------------------------------------ messages and views

    def message(self, channel: str, ts: str) -> dict[str, Any]:
        """The current state of a message (after postMessage and any updates)."""
        try:
            return self.messages[(channel, ts)]
        except KeyError:
            raise AssertionError(
                f"no message {ts} in {channel}; known messages: {sorted(self.messages)}"
            ) from None

    def messages_in(self, channel: str) -> list[dict[str, Any]]:
        """Current state of the messages in a channel (a user id: the DM with that user), oldest first."""
        channel = dm_channel_for(channel) if is_user_id(channel) else channel
        return [m for (ch, _ts), m in sorted(self.messages.items()) if ch == channel]

    def replies(self, channel: str, thread_ts: str) -> list[dict[str, Any]]:
        return [
            m for m in self.messages_in(channel) if m.get("thread_ts") == thread_ts and m["ts"] != thread_ts
        ]

    def posts_to(self, channel: str) -> list[Call]:
        """Successful chat.postMessage calls to ``channel`` (a user id also matches its ``D…`` channel)."""
        wanted = {channel, dm_channel_for(channel)} if is_user_id(channel) else {channel}
        return [
            c
            for c in self.calls_to("chat.postMessage")
            if not c.failed
            and c.response is not None
            and (c.args.get("channel") in wanted or c.response.get("channel") in wanted)
        ]

    def home_view(self, user_id: str) -> dict[str, Any]:
        try:
            return self.home_views[user_id]
        except KeyError:
            raise AssertionError(f"no App Home published for {user_id}") from None

    def seed_message(
        self,
        channel: str,
        text: str,
        *,
        user: str = "U0OTHER",
        ts: str | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Put a message the bot did not post (e.g. a person's message, a reply in a thread with
        ``thread_ts``) into the channel; returns its ts. ``text`` is stored as given: Slack keeps it
        encoded (``&amp;``, ``&lt;``, ``&gt;``)."""
        return self.chat.seed(channel, text, user=user, ts=ts, thread_ts=thread_ts)

    def show_view(
        self, view: dict[str, Any], view_id: str | None = None, *, previous_view_id: str | None = None
    ) -> dict[str, Any]:
        """What Slack does with a view_submission answered ``response_action: update`` (``view_id``: the
        submitted view, which keeps its id and gets a new hash) or ``push`` (a new view on top of
        ``previous_view_id``). Checked like views.update; returns the view as stored."""
        return self._views.show(view, view_id, previous_view_id=previous_view_id)
