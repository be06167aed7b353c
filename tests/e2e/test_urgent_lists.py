"""`/support list`, `/support mine` and App Home put breached and at-risk tickets first and say so, in
business time, through the real endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.standin.payloads import app_home_opened
from models import Ticket
from tests.conftest import RunningBot
from tests.e2e.journey import advance, command, raise_ticket

TUESDAY_10AM_CENTRAL = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


async def _three_tickets(running: RunningBot) -> tuple[Ticket, Ticket, Ticket]:
    """Globex (Standard, 9-hour business days), raised Tuesday 10:00 Central; at 13:00 the P1 (2h) is an
    hour past its first-response target, the P2 (4h) has used 75 % of it, the P4 (16h) is on track."""
    running.clock.set(TUESDAY_10AM_CENTRAL)
    later = await raise_ticket(running, user="U0KEY2", priority="P4", title="Dark mode")
    soon = await raise_ticket(running, user="U0KEY2", priority="P2", title="Slow export")
    first = await raise_ticket(running, user="U0KEY2", priority="P1", title="Checkout down")
    await advance(running, timedelta(hours=3), step=timedelta(minutes=30))
    return first, soon, later


def _order(text: str, *tickets: Ticket) -> list[int]:
    lines = text.splitlines()
    return [next(n for n, line in enumerate(lines) if f"*SUP-{t.id}*" in line) for t in tickets]


async def test_list_and_mine_put_breached_then_at_risk_first_and_say_so(running: RunningBot) -> None:
    first, soon, later = await _three_tickets(running)
    for user, text in (("U0KEY2", "list"), ("U0KEY2", "mine"), ("U0ENG1", "list")):
        answer = await command(running, user, text)
        positions = _order(answer, first, soon, later)
        assert positions == sorted(positions), (user, text, answer)
        lines = answer.splitlines()
        assert ":red_circle: *breached 1 business hour ago* (first response was due" in lines[positions[0]]
        assert ":warning: *at risk: due in 1 business hour* (first response due" in lines[positions[1]]
        assert "first response due <!date^" in lines[positions[2]] and "risk" not in lines[positions[2]]


async def test_app_home_puts_breached_then_at_risk_first(running: RunningBot) -> None:
    first, soon, later = await _three_tickets(running)
    for user, heading in (
        ("U0ENG1", "Unclaimed, most urgent first"),
        ("U0KEY2", "Your company's open tickets"),
    ):
        body, content_type = app_home_opened(user, event_id=f"Ev0HOME{user}")
        assert (await running.slack.send(body, content_type))[0] == 200
        await running.settle()
        publish = [c for c in running.standin.calls_to("views.publish") if c.args["user_id"] == user][-1]
        blocks: list[dict[str, Any]] = publish.args["view"]["blocks"]
        start = next(
            n for n, b in enumerate(blocks) if b["type"] == "header" and b["text"]["text"] == heading
        )
        shown = [b["text"]["text"] for b in blocks[start + 1 : start + 4]]
        assert [f"*SUP-{t.id}*" in line for t, line in zip((first, soon, later), shown, strict=True)] == [
            True,
            True,
            True,
        ], shown
        assert "breached 1 business hour ago" in shown[0] and "at risk: due in 1 business hour" in shown[1]
