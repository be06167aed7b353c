"""Bad requests through the real endpoint: never a 5xx, always answered within Slack's 3 s, nothing changed.

Every request here is one that would change something if it were taken (a claim, a resolution, a new
ticket), with one part broken the way an old client, a forged payload or a bug might break it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode

import pytest

from bot.ids import Action, Block, Callback
from bot.standin.payloads import (
    FORM,
    JSON,
    block_actions,
    message_action,
    message_event,
    select_value,
    slash_command,
    text_value,
    users_select_value,
    view_submission,
)
from bot.web import UNTAKEN
from models import Job, Ticket, TicketEvent
from tests.conftest import BOLT_TASKS, RunningBot
from tests.e2e.journey import click, command, raise_ticket, raise_values, told

SLACK_DEADLINE = 3.0  # seconds Slack waits for the HTTP answer
QUICK = 1.5  # what "well under 3 s" means here (unloaded, an answer takes ~15 ms)

Payload = dict[str, Any]
# For requests refused before Bolt or the database see them: the kind of database makes no difference.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def timed_send(
    running: RunningBot, body: bytes, content_type: str, *, quick: bool = False, **kwargs: Any
) -> tuple[int, str]:
    """Send a request as Slack does; it must be answered without a 5xx, within Slack's deadline (`quick`:
    well within it)."""
    started = time.monotonic()
    status, text = await running.slack.send(body, content_type, **kwargs)
    took = time.monotonic() - started
    assert status < 500, (status, text)
    assert took < (QUICK if quick else SLACK_DEADLINE), f"answered after {took:.2f} s"
    return status, text


def payload_of(body: bytes) -> Payload:
    return dict(json.loads(parse_qs(body.decode())["payload"][0]))


def as_form(payload: Payload) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


async def state(running: RunningBot) -> tuple[Any, ...]:
    """What a request could have changed: tickets, their history, queued work, what Slack was sent."""
    await BOLT_TASKS.drain()
    tickets = await Ticket.all().order_by("id").values_list("id", "status", "owner_id", "version")
    return (
        tickets,
        await TicketEvent.all().count(),
        await Job.exclude(kind="housekeeping").count(),
        [c.method for c in running.standin.calls if c.method.startswith(("chat.", "views."))],
    )


def warnings_and_errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.levelname} {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]


@sqlite_only
async def test_a_timestamp_that_is_not_a_number_is_refused(running: RunningBot) -> None:
    body, content_type = slash_command("U0KEY1")
    status, _ = await timed_send(running, body, content_type, headers={"X-Slack-Request-Timestamp": "soon"})
    assert status == 401
    assert running.standin.calls == []  # not even a modal opened


def claim_with_actions(value: object) -> Callable[[Ticket], bytes]:
    def build(ticket: Ticket) -> bytes:
        payload = payload_of(block_actions("U0ENG1", Action.CLAIM, str(ticket.id))[0])
        payload["actions"] = value if value != "dict" else {"0": payload["actions"][0]}
        return as_form(payload)

    return build


def raise_form(change: Callable[[Payload], None]) -> Callable[[Ticket], bytes]:
    """A key user's complete raise form (it would make a second ticket), changed by `change`."""

    def build(ticket: Ticket) -> bytes:
        values = raise_values(title="Another problem", customer="acme")
        payload = payload_of(view_submission("U0KEY1", Callback.RAISE_MODAL, values)[0])
        change(payload)
        return as_form(payload)

    return build


def _set(**fields: object) -> Callable[[Payload], None]:
    return lambda payload: payload.update(fields)


def _drop_type(payload: Payload) -> None:
    del payload["type"]


def _view_without_type_or_state(payload: Payload) -> None:
    del payload["view"]["type"], payload["view"]["state"]


def event_with(**fields: object) -> Callable[[Ticket], bytes]:
    """A key user's reply in the ticket's thread (it would resume or note), with fields set."""

    def build(ticket: Ticket) -> bytes:
        body = json.loads(
            message_event("U0KEY1", ticket.channel_id or "", "more logs", thread_ts=ticket.message_ts)[0]
        )
        body.update(fields)
        return json.dumps(body).encode()

    return build


# Signed requests that would change something (a claim, a new ticket, a reply), in shapes Bolt or a
# listener fails on before answering: each is answered 200 with an apology, logged once, and changes nothing.
MALFORMED: dict[str, tuple[Callable[[Ticket], bytes], str]] = {
    "actions a mapping": (claim_with_actions("dict"), FORM),
    "actions a string": (claim_with_actions("ticket_claim"), FORM),
    "an action without action_id": (claim_with_actions([{"value": "1"}]), FORM),
    "view_submission without type": (raise_form(_drop_type), FORM),
    "enterprise: 3.14": (raise_form(_set(enterprise=3.14)), FORM),
    "response_urls: false": (raise_form(_set(response_urls=False)), FORM),
    "a view with neither type nor state": (raise_form(_view_without_type_or_state), FORM),
    "authorizations: [[]]": (event_with(authorizations=[[]]), JSON),
    "event: a string": (event_with(event="message"), JSON),
}


@sqlite_only
async def test_a_signed_request_bolt_cannot_take_is_answered_200_logged_once_and_changes_nothing(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    ticket = await raise_ticket(running)
    before = await state(running)
    for what, (build, content_type) in MALFORMED.items():
        caplog.clear()
        running.standin.reset()
        status, text = await timed_send(running, build(ticket), content_type, quick=True)
        assert status == 200, what
        await running.settle()
        lines = warnings_and_errors(caplog)
        assert len(lines) == 1 and lines[0].startswith("WARNING"), (what, lines)
        assert (await state(running))[:3] == before[:3], what  # tickets, their history, queued work
        if content_type == FORM:  # the person hears it: in the answer, or privately from the error handler
            assert (
                "Sorry" in text
                or any("Sorry" in t for t in await told(running, "U0KEY1"))
                or any("Sorry" in t for t in await told(running, "U0ENG1"))
            ), what


# What is not a Slack request at all, although signed: 400, logged once, nothing changed.
NOT_SLACK: dict[str, tuple[bytes, str]] = {
    "not UTF-8": (b"payload=%7B%22type%22%3A+%22block_actions%22%7D\xff\xfe", FORM),
    "not UTF-8 JSON": (b'{"type": "event_callback", "event": {"text": "\xc3("}}', JSON),
    "UTF-16": ('{"type": "url_verification", "challenge": "x"}'.encode("utf-16"), f"{JSON}; charset=utf-16"),
    "an unknown charset": (b'{"type": "url_verification", "challenge": "x"}', f"{JSON}; charset=x-nope"),
    "a JSON number of 4,400 digits": (
        b'{"type": "event_callback", "event_time": ' + b"9" * 4400 + b"}",
        JSON,
    ),
    "a payload number of 4,400 digits": (
        urlencode({"payload": '{"type": "block_actions", "actions": [' + "9" * 4400 + "]}"}).encode(),
        FORM,
    ),
    "not JSON": (b"{not json", JSON),
    "a JSON list": (b"[1, 2, 3]", JSON),
    "another content type": (b"hello", "text/plain"),
    "neither a command nor an interaction": (b"hello=world", FORM),
}


@sqlite_only
async def test_what_is_not_a_slack_request_is_answered_400_logged_once_and_changes_nothing(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await raise_ticket(running)
    before = await state(running)
    for what, (body, content_type) in NOT_SLACK.items():
        caplog.clear()
        status, text = await timed_send(running, body, content_type, quick=True)
        assert status == 400 and "Nothing was changed" in text, what
        await running.settle()
        (line,) = warnings_and_errors(caplog)
        assert line.startswith("WARNING malformed Slack request refused"), (what, line)
        assert await state(running) == before, what


async def test_a_100_kb_channel_id_is_answered_200_and_changes_nothing(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """On PostgreSQL a channel id longer than its column is refused by the database itself."""
    ticket = await raise_ticket(running)
    before = await state(running)
    huge = "C" + "X" * 100_000
    for body, content_type in (
        slash_command("U0KEY1", "", channel_id=huge),
        slash_command("U0ENG1", f"show SUP-{ticket.id}", channel_id=huge),
        block_actions("U0KEY1", Action.CLAIM, str(ticket.id), channel_id=huge),
        message_event("U0KEY1", huge, "more logs", thread_ts=ticket.message_ts),
        message_action("U0KEY1", Callback.RAISE_SHORTCUT, "it broke", channel_id=huge),
    ):
        caplog.clear()
        status, _ = await timed_send(running, body, content_type, quick=True)
        assert status == 200
        await running.settle()
        assert len([line for line in warnings_and_errors(caplog) if "Slack request" in line]) <= 1
    assert (await state(running))[:3] == before[:3]


async def test_a_view_submission_without_state_reads_as_an_empty_form(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    before = await state(running)
    payload = payload_of(view_submission("U0ENG1", Callback.RESOLVE_MODAL, {}, str(ticket.id))[0])
    del payload["view"]["state"]
    status, text = await timed_send(running, as_form(payload), FORM)
    assert status == 200
    assert set(json.loads(text)["errors"]) == {Block.RESOLUTION}  # "Choose how the ticket was resolved."
    await running.settle()
    assert await state(running) == before


async def test_show_and_escalate_with_a_4400_digit_reference_get_a_clear_answer(running: RunningBot) -> None:
    await raise_ticket(running)
    before = await state(running)
    huge = "9" * 4400
    assert await command(running, "U0ENG1", f"show {huge}") == "Which ticket? Write `/support show SUP-42`."
    escalate = await command(running, "U0KEY1", f"escalate SUP-{huge} it is urgent")
    assert escalate == "Which ticket? Write `/support escalate SUP-42 <reason>`."
    assert await state(running) == before  # answered through the commands' response URLs only


async def test_a_button_whose_value_is_not_a_ticket_is_answered_at_once_and_once(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    before = await state(running)
    for value in ("not-a-ticket", "SUP-1", "-1", "", "9" * 4400, "1" * 13 + ":P1"):
        running.standin.reset()
        started = time.monotonic()
        status, text = await timed_send(
            running, *block_actions("U0ENG1", Action.CLAIM, value, message_ts=ticket.message_ts or "")
        )
        took = time.monotonic() - started
        assert status == 200 and text == "", value
        assert took < QUICK, f"a click on {value[:20]!r} was answered after {took:.2f} s"
        assert await told(running, "U0ENG1") == ["That button does not point at a ticket any more."], value
    await running.settle()
    assert (await state(running))[:3] == before[:3]


BEYOND_INT32 = "2147483648"  # a ticket id column on PostgreSQL is a 32-bit integer


async def test_a_reference_beyond_the_databases_integers_is_no_ticket(running: RunningBot) -> None:
    await raise_ticket(running)
    assert (
        await command(running, "U0ENG1", f"show SUP-{BEYOND_INT32}")
        == f"There is no ticket SUP-{BEYOND_INT32}."
    )
    started = time.monotonic()
    status, _ = await timed_send(running, *block_actions("U0ENG2", Action.CLAIM, BEYOND_INT32))
    assert status == 200 and time.monotonic() - started < QUICK
    assert await told(running, "U0ENG2") == [f"There is no ticket SUP-{BEYOND_INT32}."]


FORMS = {
    Callback.RESOLVE_MODAL: (
        Block.RESOLUTION,
        {Block.RESOLUTION: {Action.RESOLUTION: select_value("fixed")}},
    ),
    Callback.DETAILS_MODAL: (Block.DETAILS, {Block.DETAILS: {Action.DETAILS: text_value("More logs")}}),
    Callback.ESCALATE_MODAL: (
        Block.ESCALATION_REASON,
        {Block.ESCALATION_REASON: {Action.ESCALATION_REASON: text_value("Still down")}},
    ),
    Callback.REASSIGN_MODAL: (
        Block.NEW_OWNER,
        {Block.NEW_OWNER: {Action.NEW_OWNER: users_select_value("U0ENG2")}},
    ),
}


async def test_a_forged_form_with_a_huge_ticket_number_gets_a_form_error(running: RunningBot) -> None:
    await raise_ticket(running)
    before = await state(running)
    answers = {}
    for digits in (20, 3000, 4400):  # Slack allows 3000 characters of private_metadata; a forgery more
        for callback, (_, values) in FORMS.items():
            answers[(digits, callback)] = await running.slack.send(
                *view_submission("U0LEAD", callback, values, private_metadata="9" * digits)
            )
    assert {key: status for key, (status, _) in answers.items() if status != 200} == {}
    for (digits, callback), (_, text) in answers.items():
        block = FORMS[callback][0]
        assert json.loads(text or "{}").get("errors", {}).get(block), (digits, callback, text)
    await running.settle()
    assert (await state(running))[:3] == before[:3]


@sqlite_only
async def test_a_listener_failing_right_after_its_ack_does_not_hold_the_answer(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A message shortcut whose trigger id was already used: views.open is refused a few milliseconds after
    the ack. Bolt would hold the answer until its 3 s timeout (and lose it); it goes out at the ack."""
    shortcut = message_action("U0KEY1", Callback.RAISE_SHORTCUT, "it broke", trigger_id="1234.5678.used")
    await timed_send(running, *shortcut, quick=True)  # opens the form, using the trigger id
    for _ in range(3):
        started = time.monotonic()
        status, _ = await timed_send(running, *shortcut, quick=True)
        assert status == 200
        assert time.monotonic() - started < QUICK
    await running.settle()
    assert "exchanged_trigger_id" in caplog.text  # the failure happened, and was logged


async def test_a_command_that_mentions_payload_is_taken_as_the_command_it_is(running: RunningBot) -> None:
    # Bolt's own body reading takes any form containing "payload" for an interaction and loses the command;
    # the bot reads the body once itself (bot/wellformed.py) and hands Bolt the command.
    answer = await command(running, "U0ENG1", "show payload")
    assert answer == "Which ticket? Write `/support show SUP-42`."
    escalate = await command(running, "U0KEY1", "escalate SUP-1 the payload export fails")
    assert escalate != UNTAKEN and "SUP-1" in escalate
