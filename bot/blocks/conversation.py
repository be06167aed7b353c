"""The engineer's side of the conversation with the customer: Reply to customer, and the question asked
when a ticket waits on the customer (both reach the customer wherever they follow the ticket)."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import modal, section, text_input
from bot.ids import Action, Block, Callback
from bot.services.intake import DETAILS_MAX
from bot.text import escape
from models import Ticket


def reply_modal(ticket: Ticket, place: str) -> dict[str, Any]:
    where = "in their channel's thread" if place == "thread" else "by direct message"
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}\nThe customer gets this {where}, with your name."),
        text_input(Block.REPLY, Action.REPLY, "Your reply to the customer", max_length=DETAILS_MAX),
    ]
    return modal(Callback.REPLY_MODAL, "Reply to customer", "Send", blocks, str(ticket.id))


def wait_modal(ticket: Ticket) -> dict[str, Any]:
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}\nThe resolution clock pauses until they answer."),
        text_input(
            Block.QUESTION,
            Action.QUESTION,
            "What do you need from the customer?",
            max_length=DETAILS_MAX,
            optional=True,
            placeholder="The customer gets this question wherever they follow the ticket",
        ),
    ]
    return modal(Callback.WAIT_MODAL, "Waiting on customer", "Ask", blocks, str(ticket.id))
