"""The ticket's event log and what Slack must show after a change, queued in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.jobs.kinds import NotifyReporter, RedrawTicket, ThreadNote
from bot.jobs.queue import JobQueue
from models import TicketEvent


async def record(ticket_id: int, at: datetime, actor: str | None, kind: str, **detail: Any) -> None:
    """Append to the ticket's event log: who did what, when (rows are only ever added)."""
    await TicketEvent.create(ticket_id=ticket_id, at=at, actor=actor, kind=kind, detail=detail)


async def announce(
    jobs: JobQueue,
    ticket_id: int,
    *,
    note: str | None = None,
    quote: str | None = None,
    reporter: NotifyReporter | None = None,
    redraw: bool = True,
) -> None:
    """Queue a redraw of the ticket's message, a note in its thread and news for the key user."""
    if redraw:
        await jobs.enqueue(RedrawTicket(ticket_id=ticket_id))
    if note:
        await jobs.enqueue(ThreadNote(ticket_id=ticket_id, text=note, quote=quote))
    if reporter is not None:
        await jobs.enqueue(reporter)
