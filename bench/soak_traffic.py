"""The soak's people: key users raising tickets and asking for escalation, engineers working them, a lead
answering pages. Every gesture is a Slack-signed request to a live replica, as Slack would send it, with
Slack's 3-second wait for the acknowledgement."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import aiohttp
from bench_common import SIGNING_SECRET, raise_values

from bot.ids import Action, Block, Callback
from bot.standin import SlackStandIn
from bot.standin.payloads import (
    SlackClient,
    block_actions,
    new_trigger_id,
    select_value,
    slash_command,
    text_value,
    view_submission,
)
from bot.standin.processes import BotProcess

ACK_TIMEOUT = 3.0  # Slack shows the user an error when the app has not answered by then
ENGINEERS = ("U0ENG1", "U0ENG2", "U0ENG3")
WORDS = (
    "checkout",
    "invoices",
    "login",
    "search",
    "exports",
    "emails",
    "reports",
    "sync",
    "upload",
    "billing",
    "dashboard",
    "webhooks",
    "tokens",
    "imports",
    "printing",
    "calendar",
    "payroll",
    "audit",
)


@dataclass
class Known:
    """A ticket as the people of the soak know it: from what they did and what Slack showed them."""

    title: str
    customer: str
    reporter: str
    priority: str
    id: int | None = None
    ts: str | None = None
    status: str = "open"  # open | waiting | resolved, as far as the driver's own acknowledged gestures go
    owner: str | None = None


@dataclass
class Gesture:
    kind: str
    at: float  # time.monotonic() when sent
    status: int | None  # the HTTP status; None: no answer within Slack's 3 s (the user saw an error)
    latency: float
    ticket: int | None = None
    response_url: str | None = None
    detail: str = ""  # the title raised, the note logged
    answer: str = ""  # the acknowledgement's body


@dataclass
class Replica:
    process: BotProcess
    alive: bool = True


@dataclass
class Traffic:
    standin: SlackStandIn
    replicas: list[Replica]
    customers: dict[str, tuple[str, tuple[str, ...]]]  # key user → (customer, priorities offered)
    rng: random.Random
    gestures: list[Gesture] = field(default_factory=list)
    tickets: dict[str, Known] = field(default_factory=dict)  # by title
    logged: dict[str, tuple[int, int]] = field(default_factory=dict)  # note → (ticket, minutes)
    _next: int = 0
    _seen: int = 0  # stand-in calls already read by discover()
    _posts: list[tuple[str, int, str]] = field(
        default_factory=list
    )  # support channel posts: text, ticket, ts
    _session: aiohttp.ClientSession | None = None

    # ------------------------------------------------------------------ sending

    def _replica(self) -> BotProcess:
        """Round robin over the replicas that are up, as a load balancer checking /healthz would."""
        alive = [r.process for r in self.replicas if r.alive] or [self.replicas[0].process]
        self._next += 1
        return alive[self._next % len(alive)]

    async def _send(
        self, kind: str, body: tuple[bytes, str], ticket: int | None = None, **extra: Any
    ) -> Gesture:
        assert self._session is not None
        replica = self._replica()
        slack = SlackClient(self._session, replica.events_url, SIGNING_SECRET)
        started = time.monotonic()
        status: int | None
        try:
            status, text = await asyncio.wait_for(slack.send(*body), ACK_TIMEOUT)
        except (TimeoutError, aiohttp.ClientError):
            status, text = None, ""
        gesture = Gesture(kind, started, status, time.monotonic() - started, ticket, answer=text, **extra)
        self.gestures.append(gesture)
        return gesture

    async def _command(self, kind: str, user: str, text: str, ticket: int | None, **extra: Any) -> Gesture:
        url = self.standin.new_response_url(user, "C0GENERAL")
        return await self._send(
            kind, slash_command(user, text, response_url=url), ticket, response_url=url, **extra
        )

    async def _click(
        self,
        kind: str,
        user: str,
        action: str,
        known: Known,
        value: str | None = None,
        channel: str = "C0SUPPORT",
        selected: str | None = None,
    ) -> Gesture:
        body, content_type = block_actions(
            user,
            action,
            value or str(known.id),
            block_id=Block.TICKET_ACTIONS,
            channel_id=channel,
            message_ts=known.ts or "1700000000.000100",
            action_type="static_select" if selected else "button",
        )
        if selected:  # a menu sends the option picked, not a value
            payload = json.loads(parse_qs(body.decode())["payload"][0])
            payload["actions"][0]["selected_option"] = {
                "text": {"type": "plain_text", "text": selected},
                "value": selected,
            }
            payload["actions"][0].pop("value", None)
            body = urlencode({"payload": json.dumps(payload)}).encode()
        return await self._send(kind, (body, content_type), known.id)

    # ------------------------------------------------------------------ what people do

    async def raise_ticket(self) -> None:
        user = self.rng.choice(sorted(self.customers))
        customer, priorities = self.customers[user]
        n = len(self.tickets) + 1
        title = f"Soak {n}: {' '.join(self.rng.sample(WORDS, 3))} broken"
        trigger = new_trigger_id()
        opened = await self._send("open form", slash_command(user, "", trigger_id=trigger))
        if opened.status != 200:
            return
        view = await self._opened_view(trigger)
        if view is None:
            return
        priority = self.rng.choice(priorities)
        values = raise_values(
            title=title,
            priority=priority,
            description=f"Case {n}: {title.lower()} since "
            f"{self.rng.randint(1, 59)} minutes, code E{self.rng.randint(100, 999)}",
            category=None,
        )
        body = view_submission(user, Callback.RAISE_MODAL, values, private_metadata=view["private_metadata"])
        submitted = await self._send("raise", body, detail=title)
        if submitted.status == 200 and '"response_action": "update"' in submitted.answer:
            # The bot offers a similar open ticket; this key user raises theirs as a new one anyway.
            offered = json.loads(submitted.answer)["view"]
            values[Block.DUPLICATE_CHOICE] = {
                Action.DUPLICATE_CHOICE: select_value("new") | {"type": "radio_buttons"}
            }
            metadata = offered.get("private_metadata") or view["private_metadata"]
            body = view_submission(user, Callback.RAISE_MODAL, values, private_metadata=metadata)
            submitted = await self._send("raise", body, detail=title)
        if submitted.status == 200 and submitted.answer.strip() in ("", "{}"):  # the modal closed: raised
            self.tickets[title] = Known(title, customer, user, priority)

    async def _opened_view(self, trigger: str) -> dict[str, Any] | None:
        deadline = time.monotonic() + ACK_TIMEOUT
        while time.monotonic() < deadline:
            for call in reversed(self.standin.calls_to("views.open")):
                if call.args.get("trigger_id") == trigger and not call.failed:
                    view = call.args["view"]
                    return json.loads(view) if isinstance(view, str) else view
            await asyncio.sleep(0.05)
        return None

    def _pick(self, status: str, owned: bool | None = None) -> Known | None:
        choices = [
            k
            for k in self.tickets.values()
            if k.id is not None and k.status == status and (owned is None or (k.owner is not None) == owned)
        ]
        return self.rng.choice(choices) if choices else None

    async def claim(self) -> None:
        if known := self._pick("open", owned=False):
            engineer = self.rng.choice(ENGINEERS)
            if (await self._click("claim", engineer, Action.CLAIM, known)).status == 200:
                known.owner = engineer

    async def change_priority(self) -> None:
        if known := self._pick("open"):
            priority = self.rng.choice([p for p in ("P1", "P2", "P3") if p != known.priority])
            gesture = await self._click(
                "priority",
                self.rng.choice(ENGINEERS),
                Action.SET_PRIORITY,
                known,
                selected=f"{known.id}:{priority}",
            )
            if gesture.status == 200:
                known.priority = priority

    async def wait(self) -> None:
        if (known := self._pick("open", owned=True)) and known.owner:
            # Waiting on customer is a form now (it asks what the customer should answer): sent as submitted.
            values = {Block.QUESTION: {Action.QUESTION: text_value("Which build do you run?")}}
            body = view_submission(known.owner, Callback.WAIT_MODAL, values, private_metadata=str(known.id))
            if (await self._send("wait", body, known.id)).status == 200:
                known.status = "waiting"

    async def resume(self) -> None:
        if (known := self._pick("waiting")) and known.owner:
            if (await self._click("resume", known.owner, Action.RESUME, known)).status == 200:
                known.status = "open"

    async def resolve(self) -> None:
        known = self._pick("open", owned=True) or self._pick("waiting")
        if known is None:
            return
        values = {Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")}}
        engineer = known.owner or self.rng.choice(ENGINEERS)
        body = view_submission(engineer, Callback.RESOLVE_MODAL, values, private_metadata=str(known.id))
        if (await self._send("resolve", body, known.id)).status == 200:
            known.status = "resolved"

    async def reopen(self) -> None:
        if known := self._pick("resolved"):
            channel = "D" + known.reporter[1:]
            if (
                await self._click("reopen", known.reporter, Action.REOPEN, known, channel=channel)
            ).status == 200:
                known.status = "open"

    async def request_escalation(self) -> None:
        if known := self._pick("open"):
            await self._command(
                "escalate", known.reporter, f"escalate SUP-{known.id} blocked at month end", known.id
            )

    async def log_time(self) -> None:
        known = self._pick("open", owned=True) or self._pick("resolved")
        if known is None:
            return
        note = f"soak-log-{len(self.logged) + 1}"
        minutes = self.rng.choice((5, 10, 15, 30, 45, 60))
        gesture = await self._command(
            "log", self.rng.choice(ENGINEERS), f"log SUP-{known.id} {minutes}m {note}", known.id, detail=note
        )
        if gesture.status == 200:
            self.logged[note] = (known.id or 0, minutes)

    async def acknowledge_page(self) -> None:
        for call in reversed(self.standin.posts_to("U0LEAD")[-20:]):
            for block in call.args.get("blocks") or []:
                for element in (
                    block.get("elements", []) if block.get("block_id") == Block.PAGE_ACTIONS else []
                ):
                    if element.get("action_id") == Action.ACKNOWLEDGE:
                        body = block_actions(
                            "U0LEAD",
                            Action.ACKNOWLEDGE,
                            element["value"],
                            block_id=Block.PAGE_ACTIONS,
                            channel_id="DLEAD",
                        )
                        await self._send("acknowledge", body)
                        return

    # ------------------------------------------------------------------ the loop

    def discover(self) -> None:
        """Learn each raised ticket's reference and message from the support channel, as engineers do."""
        calls, self._seen = self.standin.calls[self._seen :], len(self.standin.calls)
        for call in calls:
            if call.method != "chat.postMessage" or call.args.get("channel") != "C0SUPPORT":
                continue
            if call.failed or "thread_ts" in call.args or call.response is None:
                continue
            match = re.search(r"SUP-(\d+)", str(call.args.get("text", "")))
            if match:
                text = json.dumps(call.args.get("blocks") or []) + str(call.args.get("text", ""))
                self._posts.append((text, int(match.group(1)), call.response["ts"]))
        for known in self.tickets.values():
            if known.id is None:
                found = next(((n, ts) for text, n, ts in self._posts if known.title in text), None)
                if found:
                    known.id, known.ts = found

    async def run(self, seconds: float, mean_gap: float) -> None:
        weights = {
            self.raise_ticket: 4,
            self.claim: 3,
            self.change_priority: 1,
            self.wait: 1,
            self.resume: 1,
            self.resolve: 2,
            self.reopen: 0.5,
            self.request_escalation: 0.5,
            self.log_time: 2,
            self.acknowledge_page: 0.5,
        }
        gestures, chances = list(weights), list(weights.values())
        end = time.monotonic() + seconds
        async with aiohttp.ClientSession() as self._session:
            pending: set[asyncio.Task[None]] = set()
            while time.monotonic() < end:
                self.discover()
                gesture = self.rng.choices(gestures, chances)[0]
                task = asyncio.create_task(gesture())
                pending.add(task)
                task.add_done_callback(pending.discard)
                await asyncio.sleep(self.rng.expovariate(1 / mean_gap))
            if pending:
                await asyncio.wait(pending)
            self.discover()
