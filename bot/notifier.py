"""What listeners say to Slack directly, and the lookups they need: the non-queued side of the transport.

Everything that must survive Slack being down (ticket posts, notes, DMs, pages) goes through jobs
(bot/outbox/); this is for answers that only make sense now: opening a modal within the trigger's 3 s,
a private reply to a click, publishing an App Home, reading a person's timezone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.services.errors import LookupFailed
from bot.slack.api import SlackApi
from bot.slack.errors import SlackBusy, SlackRefused
from bot.slack.people import PeopleCache

log = logging.getLogger(__name__)


PERMALINKS_KEPT = 10_000


@dataclass
class Notifier:
    api: SlackApi
    people: PeopleCache
    _permalinks: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)

    async def open_modal(self, trigger_id: str, view: dict[str, Any]) -> dict[str, Any]:
        """Open a modal now (the trigger id lives 3 s and works once); returns the opened view."""
        answer = await self.api.call("views.open", trigger_id=trigger_id, view=view)
        return dict(answer.get("view") or {})

    async def update_modal(self, view_id: str, view: dict[str, Any], view_hash: str | None = None) -> None:
        args: dict[str, Any] = {"view_id": view_id, "view": view}
        if view_hash:
            args["hash"] = view_hash
        await self.api.call("views.update", **args)

    async def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        await self.api.call("views.publish", user_id=user_id, view=view)

    async def tell(self, user: str, channel: str | None, text: str, response_url: str | None = None) -> None:
        """Answer one person privately, never silently not at all: through the request's response_url
        (works anywhere), else in the channel they used (only where the bot is a member), else by DM."""
        if response_url:
            try:
                await self.api.respond(response_url, {"response_type": "ephemeral", "text": text})
                return
            except (SlackBusy, SlackRefused) as exc:
                log.info("response_url answer to %s failed (%s); trying the channel, then a DM", user, exc)
        if channel and not channel.startswith("D"):
            try:
                await self.api.call("chat.postEphemeral", channel=channel, user=user, text=text)
                return
            except (SlackBusy, SlackRefused) as exc:
                log.info("ephemeral answer to %s in %s failed (%s); sending a DM", user, channel, exc)
        try:
            await self.dm(user, {"text": text})
        except SlackRefused as exc:
            # Someone of another organisation who shares no channel with the bot cannot be written to.
            level = logging.INFO if exc.error == "invalid_user_combination" else logging.WARNING
            log.log(level, "could not tell %s anything: %s", user, exc)
        except SlackBusy as exc:
            log.warning("could not tell %s anything: %s", user, exc)

    async def dm(self, user_id: str, message: dict[str, Any], *, urgent: bool = False) -> dict[str, Any]:
        # Posting to a user id delivers to the app's DM with that person.
        return await self.api.call(
            "chat.postMessage", urgent=urgent, channel=user_id, unfurl_links=False, **message
        )

    async def send_file(
        self, user_id: str, text: str, filename: str, content: str | bytes, title: str | None = None
    ) -> None:
        """A message and a file in the person's DM with the bot. The message's answer names the DM's
        channel, which the file upload needs (no conversations.open call)."""
        answer = await self.dm(user_id, {"text": text})
        channel = str(answer.get("channel") or "")
        await self.api.upload(channel, filename, content, title=title or filename)

    async def send_report(self, to: str, text: str, files: list[tuple[str, str | bytes]]) -> None:
        """A message and its files in a channel (the bot must be a member) or a person's DM."""
        answer = await self.api.call("chat.postMessage", channel=to, text=text, unfurl_links=False)
        channel = str(answer.get("channel") or to)
        for filename, content in files:
            await self.api.upload(channel, filename, content, title=filename)

    async def timezone_of(self, user_id: str, default: str) -> str:
        """A person's timezone from their Slack profile; `default` if Slack cannot say."""
        profile = await self._user(user_id)
        return str(profile.get("tz") or default) if profile else default

    async def email_of(self, user_id: str) -> str | None:
        """A person's e-mail (Slack gives it only with the users:read.email scope)."""
        profile = await self._user(user_id)
        email = ((profile or {}).get("profile") or {}).get("email")
        return str(email) if email else None

    async def _user(self, user_id: str) -> dict[str, Any] | None:
        """A person's profile; a timezone or e-mail rarely changes, so each is asked of Slack once an hour."""
        cached = await self.people.get(user_id)
        if cached is not None:
            return cached
        try:
            answer = await self.api.call("users.info", user=user_id)
        except (SlackBusy, SlackRefused) as exc:
            log.warning("users.info for %s failed: %s", user_id, exc)
            return None
        user = dict(answer.get("user") or {})
        details = user.get("profile") or {}
        profile = {
            "tz": user.get("tz"),  # people of another organisation may have none: callers fall back
            "profile": {"email": details.get("email")},
            "team_id": user.get("team_id"),
            "name": user.get("real_name") or details.get("real_name") or details.get("display_name"),
        }
        await self.people.put(user_id, profile)
        return profile

    async def team_of(self, user_id: str) -> str | None:
        """A person's organisation (T… or E…): what reaction_added does not say."""
        profile = await self._user(user_id)
        team = (profile or {}).get("team_id")
        return str(team) if team else None

    async def name_of(self, user_id: str) -> str | None:
        """How a person is called, for messages copied between organisations (mentions of people of
        another organisation do not always render there)."""
        profile = await self._user(user_id)
        name = (profile or {}).get("name")
        return str(name) if name else None

    async def message_text(self, channel: str, ts: str) -> str | None:
        """A message's text as Slack keeps it (entity-encoded), read back with conversations.replies."""
        try:
            answer = await self.api.call(
                "conversations.replies", channel=channel, ts=ts, limit=1, inclusive="true"
            )
        except (SlackBusy, SlackRefused) as exc:
            log.warning("could not read the message %s/%s: %s", channel, ts, exc)
            return None
        found = [m for m in answer.get("messages") or [] if m.get("ts") == ts]
        return str(found[0].get("text") or "") if found else None

    async def lookup_email(self, email: str) -> str | None:
        """A Slack user id for an e-mail in the policy file (needs the users:read.email scope); None when
        no Slack user has it. Raises LookupFailed when Slack could not say."""
        try:
            answer = await self.api.call("users.lookupByEmail", email=email)
        except SlackRefused as exc:
            if exc.error == "users_not_found":
                return None
            raise LookupFailed(str(exc), known=exc.error == "missing_scope") from exc
        except SlackBusy as exc:
            raise LookupFailed(str(exc)) from exc
        return str((answer.get("user") or {}).get("id") or "") or None

    async def permalink(self, channel: str | None, ts: str | None) -> str | None:
        """A message's link; it never changes, so each is asked of Slack once per process."""
        if not channel or not ts:
            return None
        if (channel, ts) in self._permalinks:
            return self._permalinks[(channel, ts)]
        try:
            answer = await self.api.call("chat.getPermalink", channel=channel, message_ts=ts)
        except (SlackBusy, SlackRefused) as exc:
            log.warning("no permalink for %s/%s: %s", channel, ts, exc)
            return None
        link = str(answer.get("permalink") or "") or None
        if link:
            if len(self._permalinks) >= PERMALINKS_KEPT:
                self._permalinks.pop(next(iter(self._permalinks)))
            self._permalinks[(channel, ts)] = link
        return link
