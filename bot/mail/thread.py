"""An e-mail ticket's mail thread as `/support show` lists it: who wrote, to whom, when, about what."""

from __future__ import annotations

from bot.text import escape, slack_date
from models import InboundMail, OutboundMail, Ticket

SHOWN = 10


async def mail_thread(ticket: Ticket) -> list[str]:
    """Lines for the last messages in and out, oldest first; nothing for a ticket no mail touched."""
    received = await InboundMail.filter(ticket_id=ticket.id).order_by("-received_at").limit(SHOWN)
    sent = await OutboundMail.filter(ticket_id=ticket.id).order_by("-created_at").limit(SHOWN)
    lines = [
        (m.received_at, m.id, f":inbox_tray: from {escape(m.sender)}: {escape(m.subject)}") for m in received
    ]
    lines += [
        (
            m.created_at,
            m.id,
            f":outbox_tray: to {escape(', '.join(m.to))}: {m.kind}"
            + ("" if m.sent_at else " (not sent yet)"),
        )
        for m in sent
    ]
    if not lines:
        return []
    shown = sorted(lines, key=lambda line: (line[0], line[1]))[-SHOWN:]
    return ["*Mail thread*", *(f"{slack_date(at)} {text}" for at, _, text in shown)]
