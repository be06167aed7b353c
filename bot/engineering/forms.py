"""The **Link issue** form on a ticket: one field, the issue's URL."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import modal, section, text_input
from bot.engineering.urls import URL_MAX
from bot.ids import Action, Block, Callback
from bot.text import escape
from models import Ticket


def link_issue_modal(ticket: Ticket) -> dict[str, Any]:
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}\nIts key user is told when the issue's fix ships."),
        text_input(
            Block.ISSUE_URL,
            Action.ISSUE_URL,
            "Engineering issue",
            multiline=False,
            max_length=URL_MAX,
            placeholder="https://github.com/owner/repo/issues/12",
        ),
    ]
    return modal(Callback.LINK_ISSUE_MODAL, "Link issue", "Link", blocks, str(ticket.id))
