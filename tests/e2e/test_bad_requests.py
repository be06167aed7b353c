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
    select_value,
    slash_command,
    text_value,
    users_select_value,
    view_submission,
)
from models import Job, Ticket, TicketEvent
from tests.conftest import BOLT_TASKS, RunningBot
from tests.e2e.journey import click, command, raise_ticket, raise_values, told

SLACK_DEADLINE = 3.0  # seconds Slack waits for the HTTP answer
QUICK = 1.5  # what "well under 3 s" means here (unloaded, an answer takes ~15 ms)

Payload = dict[str, Any]
# For requests refused before Bolt or the database see them: the kind of database makes no difference.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def timed_send(running: RunningBot, body: bytes, content_type: str, **kwargs: Any) -> tuple[int, str]:
    """Send a request as Slack does; it must be answered without a 5xx, within Slack's deadline."""
    started = time.monotonic()
    status, text = await running.slack.send(body, content_type, **kwargs)
    took = time.monotonic() - started
    assert status < 500, (status, text)
    assert took < SLACK_DEADLINE, f"answered after {took:.2f} s"
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


def _drop_type(payload: Payload) -> None:
    del payload["type"]


def _values_a_string(payload: Payload) -> None:
    payload["view"]["state"]["values"] = "title_block=Another problem"


# What is sent (a claim or a new ticket, with one part broken), and the problem the WARNING names.
MALFORMED = {
    "actions a mapping": (claim_with_actions("dict"), "block_actions without a list of actions"),
    "actions a string": (claim_with_actions("ticket_claim"), "block_actions without a list of actions"),
    "an action without action_id": (claim_with_actions([{"value": "1"}]), "an action without an action_id"),
    "view_submission without type": (raise_form(_drop_type), "payload has no type"),
    "state.values a string": (
        raise_form(_values_a_string),
        "view_submission whose state.values is not a mapping",
    ),
}


@sqlite_only
async def test_a_malformed_signed_interaction_is_answered_logged_once_and_changes_nothing(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    ticket = await raise_ticket(running)
    before = await state(running)
    for what, (build, problem) in MALFORMED.items():
        caplog.clear()
        status, text = await timed_send(running, build(ticket), FORM)
        assert status == 200 and "Nothing was changed" in text, what  # Slack shows this to the person
        await running.settle()
        (line,) = warnings_and_errors(caplog)
        assert line.startswith("WARNING malformed Slack request ignored") and line.endswith(problem), what
        assert await state(running) == before, what


@sqlite_only
async def test_a_malformed_json_body_is_answered_logged_once_and_changes_nothing(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await raise_ticket(running)
    before = await state(running)
    for body in (b"{not json", b"[1, 2, 3]"):
        caplog.clear()
        await timed_send(running, body, JSON)
        await running.settle()
        (line,) = warnings_and_errors(caplog)
        assert line.startswith("WARNING malformed Slack request ignored"), line
        assert await state(running) == before


@sqlite_only
async def test_an_event_that_is_not_an_object_is_answered_logged_once_and_changes_nothing(
    running: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    await raise_ticket(running)
    before = await state(running)
    caplog.clear()
    await timed_send(running, b'{"type": "event_callback", "event_id": "Ev0BAD", "event": "message"}', JSON)
    await running.settle()
    (line,) = warnings_and_errors(caplog)
    assert line.startswith("WARNING malformed Slack request ignored"), line
    assert await state(running) == before


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
