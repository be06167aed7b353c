"""A job's message reaches Slack once, though an attempt timed out after Slack had already posted it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.clock import FakeClock
from bot.slack.api import SlackApi
from bot.slack.budgets import Budgets
from bot.slack.errors import SlackBusy
from bot.slack.once import PostOnce
from bot.standin import SlackStandIn
from models import Job


def attempt(n: int, created: datetime) -> Job:
    return Job(id=41, kind="deliver_page", due_at=created, created_at=created, attempts=n)


def once_over(standin: SlackStandIn, clock: FakeClock, timeout: float = 5.0) -> PostOnce:
    return PostOnce(SlackApi(standin.web_client(timeout=timeout), clock, Budgets(None, clock)))


async def post_that_times_out(standin: SlackStandIn, clock: FakeClock, channel: str, key: str) -> None:
    """Slack goes quiet: the client gives up, then Slack posts the message all the same."""
    standin.stall(1.0)
    with pytest.raises(SlackBusy):
        await once_over(standin, clock, timeout=0.3).post(
            attempt(1, clock.now()), key, channel, {"text": "Escalation SUP-7"}
        )
    await standin.wait_until(lambda: not standin.stalled and bool(standin.posts_to(channel)), timeout=5)


@pytest.mark.parametrize("channel", ["C0SUPPORT", "U0LEAD"])
async def test_a_retry_finds_the_message_the_timed_out_attempt_posted(
    standin: SlackStandIn, clock: FakeClock, channel: str
) -> None:
    created = clock.now()
    await post_that_times_out(standin, clock, channel, "page:41")
    clock.advance(timedelta(minutes=5))  # the retry comes after a backoff
    answer = await once_over(standin, clock).post(
        attempt(2, created), "page:41", channel, {"text": "Escalation SUP-7"}
    )
    (posted,) = standin.posts_to(channel)  # still one message
    assert answer["ts"] == posted.response["ts"] and answer["channel"] == posted.response["channel"]
    assert len(standin.calls_to("conversations.open")) == (1 if channel == "U0LEAD" else 0)


async def test_a_retry_posts_when_the_earlier_attempt_never_reached_slack(
    standin: SlackStandIn, clock: FakeClock
) -> None:
    standin.fail("chat.postMessage", status=500)  # Slack answered: not posted
    with pytest.raises(SlackBusy):
        await once_over(standin, clock).post(
            attempt(1, clock.now()), "ticket:7", "C0SUPPORT", {"text": "SUP-7"}
        )
    await once_over(standin, clock).post(attempt(2, clock.now()), "ticket:7", "C0SUPPORT", {"text": "SUP-7"})
    assert [c.args["text"] for c in standin.posts_to("C0SUPPORT")] == ["SUP-7"]
    # Another job's message in the same channel is not mistaken for this one's.
    await once_over(standin, clock).post(attempt(2, clock.now()), "ticket:8", "C0SUPPORT", {"text": "SUP-8"})
    assert len(standin.posts_to("C0SUPPORT")) == 2


async def test_a_first_attempt_posts_at_once_and_marks_its_message(
    standin: SlackStandIn, clock: FakeClock
) -> None:
    await once_over(standin, clock).post(attempt(1, clock.now()), "ticket:7", "C0SUPPORT", {"text": "SUP-7"})
    assert standin.methods() == ["chat.postMessage"]
    (posted,) = standin.posts_to("C0SUPPORT")
    assert posted.args["metadata"] == {
        "event_type": "secondline_message",
        "event_payload": {"key": "ticket:7"},
    }


async def test_a_retried_thread_note_is_looked_for_in_its_thread(
    standin: SlackStandIn, clock: FakeClock
) -> None:
    parent = await standin.web_client().chat_postMessage(channel="C0SUPPORT", text="SUP-7")
    note = {"text": "claimed", "thread_ts": parent["ts"]}
    standin.stall(1.0)
    with pytest.raises(SlackBusy):
        await once_over(standin, clock, timeout=0.3).post(
            attempt(1, clock.now()), "note:9", "C0SUPPORT", note
        )
    await standin.wait_until(lambda: len(standin.posts_to("C0SUPPORT")) == 2, timeout=5)
    await once_over(standin, clock).post(attempt(2, clock.now()), "note:9", "C0SUPPORT", note)
    assert len(standin.posts_to("C0SUPPORT")) == 2
    assert standin.calls_to("conversations.replies")[0].args["ts"] == parent["ts"]


async def test_without_im_write_a_retried_dm_is_posted_rather_than_lost(
    standin: SlackStandIn, clock: FakeClock
) -> None:
    standin.scopes = standin.scopes - {"im:write"}
    await once_over(standin, clock).post(
        attempt(2, clock.now()), "page:41", "U0LEAD", {"text": "Escalation SUP-7"}
    )
    assert len(standin.posts_to("U0LEAD")) == 1


async def test_a_busy_slack_while_looking_retries_later_without_posting(
    standin: SlackStandIn, clock: FakeClock
) -> None:
    standin.fail("conversations.history", status=429)
    with pytest.raises(SlackBusy):
        await once_over(standin, clock).post(
            attempt(2, clock.now()), "ticket:7", "C0SUPPORT", {"text": "SUP-7"}
        )
    assert standin.posts_to("C0SUPPORT") == []
