"""What a person does on the page, sent to the bot's real /slack/events as Slack sends it, signed.

A slash command (with a response URL on the stand-in, so the answer shows), a click in a message, a DM,
App Home or a modal (block_actions), a submitted modal (view_submission with the values filled in), a
message in a thread or a DM (a message event, its text encoded as Slack encodes it), opening App Home
(app_home_opened), a closed modal (view_closed, when the view asked to be told). Typed text is what
Slack's client makes of it (bot/playground/composer.py: `@eng2` becomes a mention). A person acts only
in the conversations they are in: their DM with the bot, and the channels they are a member of. Every
request carries a fresh trigger id, remembered as that person's.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode

from bot.ids import COMMAND
from bot.playground.composer import as_command, as_message
from bot.playground.modals import Modals
from bot.playground.tracking import SLACKBOT, Tracker
from bot.standin import BOT_USER_ID, SlackStandIn, dm_channel_for
from bot.standin.payloads import (
    SlackClient,
    app_home_opened,
    app_mention,
    block_actions,
    full_view,
    message_event,
    new_trigger_id,
    reaction_added,
    slash_command,
    view_closed,
    view_submission,
)

MENTION = "@secondline"  # how a person writes the bot's mention on the page
ACK_DEADLINE = 3.0  # seconds: Slack shows the person an error when the app answers later


class GestureError(Exception):
    """What the page asked cannot be done (no such message, a stale modal); the message says why."""


@dataclass
class Gestures:
    slack: SlackClient
    standin: SlackStandIn
    modals: Modals
    tracker: Tracker

    async def command(self, persona: str, line: str, channel: str) -> str:
        """`/support …` typed in `channel`; returns what Slack did with the app's answer."""
        name, _, text = line.strip().partition(" ")
        self.must_be_in(persona, channel)
        if name != COMMAND or self.standin.workspace.is_external(persona):  # none for Slack Connect guests
            self._slackbot(persona, channel, f"{name} is not a valid command. In Slack, all messages that "
                           'start with the "/" character are interpreted as commands.')  # fmt: skip
            return "unknown_command"
        trigger = self._trigger(persona)
        url = self.standin.new_response_url(persona, channel)
        typed = as_command(text.strip(), self.standin.users)
        body = slash_command(persona, typed, channel_id=channel, trigger_id=trigger, response_url=url)
        status, answer = await self._send(persona, channel, *body)
        if status != 200:
            self._slackbot(persona, channel, f'{COMMAND} failed with the error "http_{status}"')
            return "failed"
        self._command_answer(persona, channel, answer)
        return "sent"

    def _command_answer(self, persona: str, channel: str, answer: str) -> None:
        """A command's acknowledgement with a body is an answer Slack shows (plain text or JSON)."""
        if not answer.strip():
            return
        try:
            message: Any = json.loads(answer)
        except json.JSONDecodeError:
            message = {"text": answer}
        if not isinstance(message, dict) or not (message.get("text") or message.get("blocks")):
            return
        if message.get("response_type") == "in_channel":
            self.standin.chat.post_as_bot(channel, message)
        else:
            self.tracker.tell(persona, channel, message)

    async def action(self, persona: str, where: dict[str, Any], action: dict[str, Any]) -> None:
        """A click or a pick: `where` names the surface (message, ephemeral, home or modal)."""
        if not isinstance(action.get("action_id"), str):
            raise GestureError("an action needs its action_id")
        surface = where.get("surface")
        trigger = self._trigger(persona)
        state = where.get("state") if isinstance(where.get("state"), dict) else None
        if surface in ("message", "ephemeral"):
            channel, ts = str(where.get("channel") or ""), str(where.get("ts") or "")
            self.must_be_in(persona, channel)
            shown = self._message(persona, channel, ts, surface == "ephemeral")
            body, content_type = block_actions(
                persona, action["action_id"], channel_id=channel, message_ts=ts,
                blocks=shown.get("blocks"), message_text=str(shown.get("text") or ""),
                trigger_id=trigger, is_ephemeral=surface == "ephemeral", state_values=state,
                response_url=self.standin.new_response_url(persona, channel, ts),
                team=self.standin.team_of(persona),
            )  # fmt: skip
        elif surface in ("home", "modal"):
            if surface == "home":
                view = self.standin.home_views.get(persona)
                if view is None:
                    raise GestureError(f"{persona} has no App Home yet")
            else:
                view = self._modal(persona, str(where.get("view_id") or ""))
            body, content_type = block_actions(
                persona, action["action_id"], container_type="view", view=dict(view),
                blocks=view.get("blocks"), trigger_id=trigger, state_values=state,
                team=self.standin.team_of(persona),
            )  # fmt: skip
            channel = dm_channel_for(persona)
        else:
            raise GestureError(f"no such surface {surface!r}: message, ephemeral, home or modal")
        await self._send(persona, channel, _with_action(body, action), content_type)

    async def submit(self, persona: str, view_id: str, values: dict[str, Any]) -> str:
        """The person pressed the modal's submit button with these `state.values`."""
        view = self._modal(persona, view_id)
        body = view_submission(
            persona, str(view.get("callback_id") or ""), values, str(view.get("private_metadata") or ""),
            view_id, blocks=view.get("blocks"), title=_text(view.get("title")),
            submit=_text(view.get("submit")), close=_text(view.get("close")),
            external_id=str(view.get("external_id") or ""), root_view_id=view.get("root_view_id"),
            previous_view_id=view.get("previous_view_id"), trigger_id=self._trigger(persona),
            team=self.standin.team_of(persona),
        )  # fmt: skip
        status, answer = await self._send(persona, dm_channel_for(persona), *body)
        return self.modals.answered(persona, view_id, status, answer)

    async def close(self, persona: str, view_id: str) -> None:
        """The person closed the modal on top (Cancel, the x, Escape); Slack tells the app only if the
        view was opened with `notify_on_close`."""
        closed = self.modals.close(persona, view_id)
        if closed is None:
            return
        view, cleared = closed
        if view.get("notify_on_close"):
            body = view_closed(persona, full_view(view), is_cleared=cleared)
            await self._send(persona, dm_channel_for(persona), *body)

    async def message(self, persona: str, channel: str, text: str, thread_ts: str | None = None) -> str:
        """The person writes in a conversation (a thread of it with `thread_ts`); returns its ts."""
        if not text.strip():
            raise GestureError("write something first")
        self.must_be_in(persona, channel)
        root = self.standin.messages.get((channel, thread_ts)) if thread_ts else None
        if thread_ts and root is None:
            raise GestureError(f"no message {thread_ts} in {channel} to reply to")
        # "@Secondline …" is a mention of the bot, as Slack's composer makes it.
        mentions = text.lstrip().lower().startswith(MENTION)
        shown = as_message(text, self.standin.users)
        if mentions and not shown.startswith(f"<@{BOT_USER_ID}>"):
            shown = (
                f"<@{BOT_USER_ID}> {as_message(text.lstrip()[len(MENTION) :].strip(), self.standin.users)}"
            )
        ts = self.standin.seed_message(channel, shown, user=persona, thread_ts=thread_ts)
        self.tracker.stamp(ts)
        team = self.standin.team_of(persona)
        event = message_event(persona, channel, shown, thread_ts, ts=ts, root=root, raw=True, team=team)
        await self._send(persona, channel, *event)
        if mentions:
            await self._send(persona, channel, *app_mention(persona, channel, shown, team=team, ts=ts,
                                                            thread_ts=thread_ts))  # fmt: skip
        return ts

    async def react(self, persona: str, channel: str, ts: str, reaction: str) -> None:
        """The person adds an emoji reaction to a message (the intake reaction offers a ticket)."""
        message = self.standin.messages.get((channel, ts))
        if message is None:
            raise GestureError(f"no message {ts} in {channel} to react to")
        shared = bool(self.standin.channels.get(channel) and self.standin.channels[channel].ext_shared)
        body = reaction_added(persona, channel, ts, reaction.strip(":") or "ticket",
                              item_user=str(message.get("user") or ""), shared=shared)  # fmt: skip
        await self._send(persona, channel, *body)

    async def open_home(self, persona: str) -> None:
        """The person opens the app's Home tab (Slack says so every time; never for Slack Connect guests)."""
        if self.standin.workspace.is_external(persona):
            raise GestureError("App Home is not available to people of another organisation")
        shown = self.standin.home_views.get(persona)
        view: dict[str, Any] | None = None
        if shown is not None:
            view = {k: shown[k] for k in ("id", "hash", "blocks") if k in shown}
        await self._send(persona, dm_channel_for(persona), *app_home_opened(persona, view=view))

    def must_be_in(self, persona: str, channel: str) -> None:
        """Refuse a conversation the person is not in (Slack does not show it to them)."""
        if channel == dm_channel_for(persona):
            return
        joined = self.standin.channels.get(channel)
        if joined is None:
            raise GestureError(f"no conversation {channel}")
        if persona not in joined.members:
            raise GestureError(f"{persona} is not in #{joined.name}")

    # ------------------------------------------------------------------ helpers

    def _trigger(self, persona: str) -> str:
        trigger = new_trigger_id()
        self.modals.sent(trigger, persona)
        return trigger

    def _message(self, persona: str, channel: str, ts: str, ephemeral: bool) -> dict[str, Any]:
        if ephemeral:
            for shown in self.tracker.private:
                if shown.user == persona and shown.channel == channel and shown.ts == ts:
                    return shown.message
        elif (channel, ts) in self.standin.messages:
            return self.standin.messages[(channel, ts)]
        raise GestureError(f"no message {ts} in {channel} (was the playground reset?)")

    def _modal(self, persona: str, view_id: str) -> dict[str, Any]:
        try:
            return full_view(self.modals.view(persona, view_id))
        except LookupError as exc:
            raise GestureError(str(exc)) from exc

    def _slackbot(self, persona: str, channel: str, text: str) -> None:
        self.tracker.tell(persona, channel, {"text": text}, sender=SLACKBOT)

    async def _send(self, persona: str, channel: str, body: bytes, content_type: str) -> tuple[int, str]:
        loop = asyncio.get_running_loop()  # real time: Slack's deadline is
        started = loop.time()
        status, answer = await self.slack.send(body, content_type)
        took = loop.time() - started
        if took > ACK_DEADLINE:
            self._slackbot(persona, channel, f"The app took {took:.1f} s to answer; Slack gives up after "
                           f"{ACK_DEADLINE:.0f} s and would have shown you an error.")  # fmt: skip
        return status, answer


def _with_action(body: bytes, action: dict[str, Any]) -> bytes:
    """The block_actions payload with the action exactly as the page reports it (the option's own text,
    the picked user, the selected date), in Slack's shape, over the one the builder made."""
    fields = parse_qs(body.decode(), keep_blank_values=True)
    payload = json.loads(fields["payload"][0])
    built = payload["actions"][0]
    payload["actions"][0] = {**{k: built[k] for k in ("action_ts", "block_id") if k in built}, **action}
    return urlencode({"payload": json.dumps(payload)}).encode()


def _text(part: Any) -> str:
    return str(part.get("text") or "") if isinstance(part, dict) else ""
