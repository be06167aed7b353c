"""Bad input gets a clear answer and changes nothing; Slack failures lose nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from bot.ids import Block, Callback
from bot.standin.payloads import FORM, block_actions, slash_command, view_submission
from models import Job, Ticket, TicketEvent
from tests.conftest import RunningBot
from tests.e2e.journey import command, open_modal, raise_ticket, raise_values, submit, told


async def test_bad_or_stale_signature_is_refused_and_nothing_recorded(running: RunningBot) -> None:
    body, content_type = slash_command("U0KEY1")
    status, _ = await running.slack.send(body, content_type, sign=False)
    assert status == 401
    forged = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    status, _ = await running.slack.send(body, content_type, headers=forged, sign=False)
    assert status == 401
    status, _ = await running.slack.send(body, content_type, timestamp=int(time.time()) - 600)
    assert status == 401
    values = raise_values()
    status, _ = await running.slack.send(
        *view_submission("U0KEY1", Callback.RAISE_MODAL, values), timestamp=int(time.time()) - 600
    )
    assert status == 401
    assert running.standin.calls == []
    assert await Ticket.all().count() == 0 and await Job.exclude(kind="housekeeping").count() == 0


async def test_blank_title_is_an_error_on_that_field_and_makes_no_ticket(running: RunningBot) -> None:
    status, body = await submit(running, title="   \n\t ")
    assert status == 200
    answer = json.loads(body)
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {Block.TITLE}
    status, body = await submit(running, title="ok", priority=None, description="")
    assert set(json.loads(body)["errors"]) == {Block.PRIORITY, Block.DESCRIPTION}
    assert await Ticket.all().count() == 0
    await running.settle()
    assert running.standin.posts_to("C0SUPPORT") == []


async def test_user_text_is_escaped_wherever_it_is_echoed(running: RunningBot) -> None:
    nasty = "<!channel> ping <@U0EXEC1> & <https://evil.example|click>"
    ticket = await raise_ticket(running, title=nasty, description=nasty, tried=nasty)
    assert ticket.title == nasty  # stored as typed
    echoed = running.standin.posts_to("C0SUPPORT") + running.standin.posts_to("U0KEY1")
    assert len(echoed) == 2
    for call in echoed:
        rendered = call.args["text"] + json.dumps(call.args["blocks"])
        assert (
            "<!channel>" not in rendered and "<@U0EXEC1>" not in rendered and "<https://evil" not in rendered
        )
        assert "&lt;!channel&gt;" in rendered and "&amp;" in rendered


async def test_unknown_action_gets_an_apology_and_changes_nothing(running: RunningBot) -> None:
    ticket = await raise_ticket(running)
    status, _ = await running.slack.send(*block_actions("U0ENG1", "no_such_action", str(ticket.id)))
    assert status == 200
    (answer,) = await told(running, "U0ENG1")
    assert "Sorry" in answer
    assert (await Ticket.get(id=ticket.id)).owner_id is None
    assert await TicketEvent.filter(ticket_id=ticket.id).count() == 1


async def test_malformed_payload_is_logged_and_answered_with_an_apology(running: RunningBot, caplog) -> None:
    for body in (b"payload=%7Bnot-json", b"payload=%5B1%2C2%5D", b"nothing=here"):
        status, text = await running.slack.send(body, FORM)
        assert status == 400 and "Sorry" in text  # not a Slack request at all
    assert "malformed Slack request" in caplog.text
    status, text = await running.slack.send(b"{not json", "application/json")
    assert status == 400 and "Sorry" in text
    assert await Ticket.all().count() == 0


async def test_non_key_user_is_told_to_ask_their_key_users(running: RunningBot) -> None:
    assert "key users" in await command(running, "U0STRANGER")
    assert running.standin.responses[-1].response_type == "ephemeral"
    assert running.standin.calls_to("views.open") == []
    assert await Ticket.all().count() == 0


async def test_slack_429_and_500_on_the_channel_post_keep_the_ticket_and_retry(running: RunningBot) -> None:
    running.standin.fail("chat.postMessage", status=429, retry_after=7)
    view = await open_modal(running)
    status, _ = await running.slack.send(
        *view_submission(
            "U0KEY1", Callback.RAISE_MODAL, raise_values(), private_metadata=view["private_metadata"]
        )
    )
    assert status == 200
    ticket = await Ticket.get(title="Checkout fails")
    await running.settle()
    assert running.standin.posts_to("C0SUPPORT") == []
    post_job = await Job.get(kind="post_ticket", ticket_id=ticket.id)
    assert post_job.attempts == 1 and "429" in (post_job.last_error or "")
    # Slack asked for 7 s: not retried before then.
    running.clock.advance(timedelta(seconds=5))
    await running.settle()
    assert running.standin.posts_to("C0SUPPORT") == []
    running.standin.fail("chat.postMessage", status=500)
    running.clock.advance(timedelta(seconds=3))
    await running.settle()
    assert running.standin.posts_to("C0SUPPORT") == []
    running.clock.advance(timedelta(seconds=10))
    await running.settle()
    (post,) = running.standin.posts_to("C0SUPPORT")
    assert f"SUP-{ticket.id}" in post.args["text"]
    assert (await Ticket.get(id=ticket.id)).message_ts == post.response["ts"]
    assert await Job.filter(kind="post_ticket").count() == 0
