"""Each id in manifest.yml reaches a listener through the real endpoint; events are handled once."""

from __future__ import annotations

import json

from bot.ids import Callback
from bot.standin.payloads import app_home_opened, message_action, retry_headers, url_verification
from tests.conftest import RunningBot
from tests.e2e.journey import raise_ticket


async def test_url_verification_is_answered(running: RunningBot) -> None:
    status, text = await running.slack.send(*url_verification("abc123"))
    assert status == 200 and "abc123" in text


async def test_message_shortcut_opens_the_modal_with_text_and_link(running: RunningBot) -> None:
    status, _ = await running.slack.send(
        *message_action("U0KEY1", Callback.RAISE_SHORTCUT, "Export is <broken>")
    )
    assert status == 200
    (update,) = await running.standin.wait_for("views.update")
    view = update.args["view"]
    description = next(b for b in view["blocks"] if b["block_id"] == "description_block")
    initial = description["element"]["initial_value"]
    assert initial.startswith("Export is <broken>") and "From: https://" in initial


async def test_app_home_shows_engineers_the_unclaimed_queue_once_per_event(running: RunningBot) -> None:
    ticket = await raise_ticket(running, title="Reports are empty")
    body, content_type = app_home_opened("U0ENG1", event_id="Ev0HOME1")
    assert (await running.slack.send(body, content_type))[0] == 200
    (publish,) = await running.standin.wait_for("views.publish")
    assert publish.args["user_id"] == "U0ENG1"
    home = json.dumps(publish.args["view"])
    assert "Unclaimed" in home and f"SUP-{ticket.id}" in home and "Reports are empty" in home
    # Slack redelivers the same event id: nothing is done twice.
    status, _ = await running.slack.send(body, content_type, headers=retry_headers(1))
    assert status == 200
    await running.settle()
    assert len(running.standin.calls_to("views.publish")) == 1
