"""A storm or queue message is posted once, though several jobs paint it and one post's answer was lost."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.outbox.boards import BoardPainter
from bot.slack.api import SlackApi
from bot.slack.budgets import Budgets
from bot.slack.errors import SlackBusy
from bot.slack.once import PostOnce
from models import BoardKind, ChannelBoard, Job
from tests.conftest import RunningBot


def painter(running: RunningBot, timeout: float = 5.0) -> BoardPainter:
    api = SlackApi(running.standin.web_client(timeout=timeout), running.clock, Budgets(None, running.clock))
    return BoardPainter(api, PostOnce(api), running.clock)


def job(n: int, running: RunningBot) -> Job:
    now = running.clock.now()
    return Job(id=n, kind="show_storm", due_at=now, created_at=now, attempts=1)


async def test_a_second_job_finds_the_storm_message_a_timed_out_post_left_in_the_channel(
    running: RunningBot,
) -> None:
    board = await ChannelBoard.create(
        kind=BoardKind.STORM, channel_id="C0SUPPORT", opened_at=running.clock.now()
    )
    drawn = {"text": "Storm: 4 alike tickets", "blocks": []}
    running.standin.stall(1.0)  # Slack goes quiet: the first job gives up, then Slack posts it all the same
    with pytest.raises(SlackBusy):
        await painter(running, timeout=0.3).paint(board, drawn, job(1, running))
    await running.standin.wait_until(lambda: not running.standin.stalled, timeout=5)
    running.clock.advance(timedelta(seconds=5))
    board = await ChannelBoard.get(id=board.id)
    assert board.message_ts is None  # the answer was lost with the timeout
    await painter(running).paint(board, drawn, job(2, running))  # another job, on its first attempt
    (posted,) = [c for c in running.standin.posts_to("C0SUPPORT") if "Storm" in c.args["text"]]
    assert (await ChannelBoard.get(id=board.id)).message_ts == posted.response["ts"]
