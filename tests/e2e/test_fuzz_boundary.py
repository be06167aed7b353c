"""Whatever a client holding the signing secret sends, the endpoint answers 200 or 400, in time, and changes
nothing: a property-based test that mutates Slack's real request shapes of every surface.

Each example takes one real request (a slash command, a click in a message or in App Home, a submitted or
closed modal, a global or message shortcut, an event or the URL check), breaks it (keys dropped, values of
the wrong type, nulls, empty and huge strings and lists, unknown types, numbers Python will not read, bad
encodings and charsets), signs it and sends it through the running bot's real HTTP endpoint.

Every base request, sent as it is, changes nothing in the database (people asking what they may not do,
questions, forms that only open): so whatever the mutation, the database must be as it was.

CI runs a fixed, derandomised set; `FUZZ_EXAMPLES=10000` runs more by hand (docs/fuzz.md).
"""

from __future__ import annotations

import copy
import gc
import json
import os
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.ids import Action, Block, Callback
from bot.standin.payloads import (
    FORM,
    JSON,
    app_home_opened,
    block_actions,
    message_action,
    message_event,
    new_trigger_id,
    select_value,
    shortcut,
    slash_command,
    url_verification,
    view_submission,
)
from models import IssuedStatement, Job, Page, SlaClock, Ticket, TicketEvent, TimeEntry
from tests.conftest import BOLT_TASKS, RunningBot
from tests.e2e.journey import click, raise_ticket, raise_values

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "400"))  # per database; 10,000 by hand (docs/fuzz.md)
SLACK_DEADLINE = 3.0  # seconds Slack waits for the HTTP answer

# Every table a request could change. `processed_events` is left out: it records the id of every event
# delivered (whatever the event says, so that a redelivery is ignored), which is the point of it.
TABLES = (Ticket, TicketEvent, SlaClock, Page, TimeEntry, IssuedStatement, Job)


async def database() -> dict[str, dict[Any, Any]]:
    """Every row of every table, by table and id."""
    await BOLT_TASKS.drain()  # work a listener does after its ack
    return {model._meta.db_table: {row["id"]: row for row in await model.all().values()} for model in TABLES}


def changes(before: dict[str, dict[Any, Any]], after: dict[str, dict[Any, Any]]) -> list[str]:
    """What differs, row by row (empty when nothing changed)."""
    found = []
    for table, rows in after.items():
        for key in rows.keys() | before[table].keys():
            if rows.get(key) != before[table].get(key):
                found.append(f"{table} {key}: {before[table].get(key)} -> {rows.get(key)}")
    return found


# --- Slack's real requests, as builders in the stand-in make them -------------------------------------


@dataclass
class Base:
    """One real request: form fields (a slash command), an interaction payload, or an event body."""

    kind: str  # "command" | "payload" | "event"
    data: Any  # list of (field, value) for a command; the JSON object otherwise


def _payload_of(body: tuple[bytes, str]) -> dict[str, Any]:
    return dict(json.loads(parse_qs(body[0].decode())["payload"][0]))


def bases(running: RunningBot, ticket: Ticket) -> dict[str, Base]:
    """Requests that, sent as they are, change nothing: questions, forms that open, and people asking for
    what they may not do (a customer claiming, a stranger raising, a customer resolving)."""

    def live(user: str, channel: str | None = None) -> str:
        return running.standin.new_response_url(user, channel)

    ref = str(ticket.id)
    ts = ticket.message_ts or "1700000000.000100"

    def command(user: str, text: str) -> Base:
        body, _ = slash_command(user, text, response_url=live(user, "C0GENERAL"))
        return Base("command", parse_qsl(body.decode(), keep_blank_values=True))

    def payload(body: tuple[bytes, str]) -> Base:
        return Base("payload", _payload_of(body))

    def event(body: tuple[bytes, str]) -> Base:
        return Base("event", json.loads(body[0]))

    resolve_values: dict[str, Any] = {Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")}}
    closed = _payload_of(view_submission("U0KEY1", Callback.RAISE_MODAL, raise_values(customer="acme")))
    closed.update(type="view_closed", is_cleared=False)
    del closed["trigger_id"], closed["response_urls"]
    return {
        "command: open the form": command("U0KEY1", ""),
        "command: show": command("U0ENG1", f"show SUP-{ref}"),
        "command: list": command("U0ENG1", "list"),
        "command: log time as a customer": command("U0KEY1", f"log SUP-{ref} 45m"),
        "block_actions: a customer claims": payload(
            block_actions(
                "U0KEY1", Action.CLAIM, ref, message_ts=ts, response_url=live("U0KEY1", "C0SUPPORT")
            )
        ),
        "block_actions: a customer opens the resolve form": payload(
            block_actions(
                "U0KEY1", Action.RESOLVE, ref, message_ts=ts, response_url=live("U0KEY1", "C0SUPPORT")
            )
        ),
        "block_actions: in App Home": payload(
            block_actions("U0KEY1", Action.CLAIM, ref, container_type="view", view={"type": "home"})
        ),
        "view_submission: a stranger raises": payload(
            view_submission("U0STRANGER", Callback.RAISE_MODAL, raise_values(customer="acme"))
        ),
        "view_submission: a customer resolves": payload(
            view_submission("U0KEY1", Callback.RESOLVE_MODAL, resolve_values, private_metadata=ref)
        ),
        "view_closed": Base("payload", closed),
        "shortcut: global": payload(shortcut("U0KEY1", Callback.RAISE_SHORTCUT)),
        "shortcut: message": payload(
            message_action("U0STRANGER", Callback.RAISE_SHORTCUT, "it broke", response_url=live("U0STRANGER"))
        ),
        "event_callback: app_home_opened": event(app_home_opened("U0KEY1")),
        "event_callback: a bot's message": event(
            message_event("U0KEY1", "C0SUPPORT", "hello", subtype="bot_message", thread_ts=ts)
        ),
        "url_verification": event(url_verification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")),
    }


# --- what is broken -----------------------------------------------------------------------------------


class HugeNumber:
    """A JSON number of 4,400 digits: valid JSON that Python's int-string limit refuses to read."""


HUGE_DIGITS = "9" * 4400
ODD_VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        -1,
        3.14,
        2**64,
        HugeNumber(),
        "",
        " ",
        "x" * 100_000,
        "\u0000",
        "💥\u202e",
        "U0KEY1\n",
        "<@U0KEY1>",
        "SUP-1",
        [],
        [[]],
        [None],
        ["x"] * 10_000,
        {},
        {"type": "unknown"},
        {"id": 3},
        [{"type": "unknown_type"}],
        "unknown_type",
    ]
).map(copy.deepcopy)  # a fresh one each time: a later mutation may change it in place
ODD_FIELDS = st.sampled_from(["", " ", "x" * 100_000, "\u0000", "💥", "9" * 4400, "%ff", "[]", "{}", "null"])


def _nodes(tree: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON tree (lists: their first few items), depth first."""
    found = [path] if path else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _nodes(value, (*path, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree[:3]):
            found += _nodes(value, (*path, index))
    return found


def _parent(tree: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        tree = tree[step]
    return tree


def mutate_json(data: st.DataObject, tree: Any) -> list[str]:
    """Break `tree` in place, one to three times; returns what was done."""
    done = []
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        nodes = _nodes(tree)
        if not nodes:
            break
        path = data.draw(st.sampled_from(nodes), label="where")
        parent, last = _parent(tree, path), path[-1]
        how = data.draw(st.sampled_from(["drop", "replace", "replace", "unknown type", "wrap"]), label="how")
        if how == "drop":
            del parent[last]
        elif how == "replace":
            parent[last] = data.draw(ODD_VALUES, label="value")
        elif how == "unknown type":
            parent[last] = "unknown_type" if last == "type" else {"type": "unknown_type"}
        else:  # the right value, in a list or an object
            parent[last] = data.draw(st.sampled_from([[parent[last]], {"value": parent[last]}]), label="wrap")
        done.append(f"{how} {'.'.join(map(str, path))}")
    return done


def to_json(tree: Any) -> str:
    text = json.dumps(tree, default=lambda _: "HUGE-NUMBER-HERE")
    return text.replace('"HUGE-NUMBER-HERE"', HUGE_DIGITS)


def mutate_fields(data: st.DataObject, fields: list[tuple[str, str]]) -> list[str]:
    done = []
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        if not fields:
            break
        index = data.draw(st.integers(0, len(fields) - 1), label="field")
        name = fields[index][0]
        how = data.draw(st.sampled_from(["drop", "replace", "repeat"]), label="how")
        if how == "drop":
            del fields[index]
        elif how == "replace":
            fields[index] = (name, data.draw(ODD_FIELDS, label="value"))
        else:
            fields.append((name, data.draw(ODD_FIELDS, label="value")))
        done.append(f"{how} {name}")
    return done


# How the body travels: mostly as Slack sends it; otherwise in another charset, with bytes that are not
# UTF-8, under another content type, or cut short.
ENCODINGS = ["as is"] * 12 + [
    "utf-16", "latin-1", "unknown charset", "not utf-8", "other content type", "no content type", "cut short",
]  # fmt: skip


@dataclass
class Request:
    body: bytes
    content_type: str
    what: list[str] = field(default_factory=list)


def encode(data: st.DataObject, text: str, content_type: str, what: list[str]) -> Request:
    how = data.draw(st.sampled_from(ENCODINGS), label="encoding")
    body = text.encode()
    if how == "utf-16":
        body, content_type = text.encode("utf-16"), f"{content_type}; charset=utf-16"
    elif how == "latin-1":
        body, content_type = text.encode("latin-1", "replace"), f"{content_type}; charset=ISO-8859-1"
    elif how == "unknown charset":
        content_type = f"{content_type}; charset=x-no-such-charset"
    elif how == "not utf-8":
        at = data.draw(st.integers(0, len(body)), label="at")
        body = body[:at] + b"\xff\xfe\xc3(" + body[at:]
    elif how == "other content type":
        content_type = data.draw(st.sampled_from([FORM if content_type == JSON else JSON, "text/plain"]))
    elif how == "no content type":
        content_type = "application/octet-stream"
    elif how == "cut short":
        body = body[: data.draw(st.integers(0, max(len(body) - 1, 0)), label="cut at")]
    return Request(body, content_type, [*what, how])


def build(data: st.DataObject, base: Base) -> Request:
    tree = json.loads(json.dumps(base.data))  # a copy to break
    if isinstance(tree, dict) and "trigger_id" in tree:
        tree["trigger_id"] = new_trigger_id()  # Slack's are new each time (and the stand-in checks it)
    if base.kind == "command":
        fields = [(k, new_trigger_id() if k == "trigger_id" else v) for k, v in tree]
        what = mutate_fields(data, fields)
        return encode(data, urlencode(fields), FORM, what)
    what = mutate_json(data, tree)
    if base.kind == "event":
        return encode(data, to_json(tree), JSON, what)
    return encode(data, urlencode({"payload": to_json(tree)}), FORM, what)


# --- the property -------------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one run sent and got back (printed at its end: docs/fuzz.md quotes it)."""

    sent: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    took: list[float] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def line(self) -> str:
        took = sorted(self.took)
        p50, p99 = took[len(took) // 2], took[min(len(took) - 1, len(took) * 99 // 100)]
        return (
            f"{self.sent} sent in {time.monotonic() - self.started:.0f} s, answers {self.statuses}, "
            f"answered in p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, slowest {took[-1] * 1000:.0f} ms"
        )


@dataclass
class Prepared:
    requests: dict[str, Base]
    before: dict[str, dict[Any, Any]]
    tally: Tally
    problem: str | None = None


PREPARED: dict[int, Prepared] = {}  # per running bot: Hypothesis runs every example on the test's fixtures


async def prepared(running: RunningBot) -> Prepared:
    """A raised and claimed ticket, the base requests, and the database as they must leave it."""
    if id(running) not in PREPARED:
        PREPARED.clear()
        ticket = await raise_ticket(running)
        await click(running, "U0ENG1", Action.CLAIM, ticket)
        await running.settle()
        requests = bases(running, await Ticket.get(id=ticket.id))
        ready = PREPARED[id(running)] = Prepared(requests, await database(), Tally())
        for name, base in requests.items():  # as they are, they change nothing: only a mutation could
            status, _ = await running.slack.send(*as_sent(base))
            if status != 200 or changes(ready.before, await database()):
                ready.problem = f"{name}, sent as Slack sends it, was answered {status} or changed something"
    problem = PREPARED[id(running)].problem
    assert problem is None, problem  # every example fails alike (Hypothesis replays them)
    return PREPARED[id(running)]


def as_sent(base: Base) -> tuple[bytes, str]:
    if base.kind == "command":
        return urlencode(base.data).encode(), FORM
    if base.kind == "event":
        return to_json(base.data).encode(), JSON
    return urlencode({"payload": to_json(base.data)}).encode(), FORM


class Target:
    """The running bot and the test's log, under a short name (Hypothesis prints a failing example's
    arguments)."""

    def __init__(self, running: RunningBot, log: pytest.LogCaptureFixture) -> None:
        self.running = running
        self.log = log

    def __repr__(self) -> str:
        return "<the running bot>"


@pytest.fixture
def target(running: RunningBot, caplog: pytest.LogCaptureFixture) -> Target:
    return Target(running, caplog)


# The one line the boundary logs for a request it refuses (400) or cannot take before its answer (200).
REFUSED = "malformed Slack request refused"
NOT_TAKEN = ("Slack request not taken", "request failed before its answer")


@settings(
    max_examples=EXAMPLES,
    derandomize=EXAMPLES <= 1000,  # CI: the same examples every run; by hand: new ones each run
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
async def test_mutated_slack_requests_are_answered_200_or_400_in_time_and_change_nothing(
    target: Target, data: st.DataObject
) -> None:
    running = target.running
    state = await prepared(running)
    name = data.draw(st.sampled_from(sorted(state.requests)), label="request")
    request = build(data, state.requests[name])
    # Each request meets Slack with its budget (requests spread over real time would), and the stand-in's
    # record of calls does not grow over thousands of examples.
    running.standin.limiter.reset()
    running.standin.calls.clear()
    target.log.clear()
    # The garbage collector waits while the request is answered: this process also holds Hypothesis's
    # record of every example (it grows by ~50,000 objects a thousand examples), whose collections stall
    # the bot sharing the process by seconds after a few thousand examples on a loaded machine.
    gc.disable()
    try:
        started = time.monotonic()
        status, _ = await running.slack.send(request.body, request.content_type)
        took = time.monotonic() - started
    finally:
        gc.enable()
    tally = state.tally
    tally.sent += 1
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    tally.took.append(took)
    if tally.sent % 1000 == 0 or tally.sent == EXAMPLES:
        print(tally.line(), flush=True)
    if took > 1.0:
        print(f"slow: {took:.2f} s for {name}: {request.what}", flush=True)
    assert status in (200, 400), (name, request.what, status)
    assert took < SLACK_DEADLINE, (name, request.what, f"answered after {took:.2f} s")
    changed = changes(state.before, await database())
    assert not changed, (name, request.what, changed)
    said = [r.getMessage() for r in target.log.records]
    refused = [m for m in said if m.startswith(REFUSED)]  # a 400 is logged once, as such
    not_taken = [m for m in said if m.startswith(NOT_TAKEN)]  # a failure before the answer, at most once
    assert len(refused) == (status == 400) and len(not_taken) <= 1, (name, request.what, said)
