"""The **Link issue** form on a ticket: the issue's URL, or (where set up) **Create issue**: a tracker and
a summary the engineer writes. The summary starts empty: the customer's words reach engineering only as
the engineer chose to write them."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import context, modal, option, plain, section, text_input
from bot.engineering.trackers import NAMES, SUMMARY_MAX
from bot.engineering.urls import URL_MAX
from bot.ids import Action, Block, Callback
from bot.text import escape
from models import Ticket


def link_issue_modal(ticket: Ticket, trackers: list[str] | None = None) -> dict[str, Any]:
    blocks = [
        section(f"*{ticket.ref}* · {escape(ticket.title)}\nIts key user is told when the issue's fix ships."),
        text_input(
            Block.ISSUE_URL,
            Action.ISSUE_URL,
            "Engineering issue",
            multiline=False,
            max_length=URL_MAX,
            optional=bool(trackers),
            placeholder="https://github.com/owner/repo/issues/12",
        ),
    ]
    if trackers:
        choices = [option(NAMES[t], t) for t in trackers]
        blocks += [
            context("…or leave the link empty and create an issue with the ticket's title and your summary:"),
            {
                "type": "input",
                "block_id": Block.ISSUE_TRACKER,
                "label": plain("Create it in"),
                "optional": True,
                "element": {
                    "type": "static_select",
                    "action_id": Action.ISSUE_TRACKER,
                    "options": choices,
                    "initial_option": choices[0],
                },
            },
            text_input(
                Block.ISSUE_SUMMARY,
                Action.ISSUE_SUMMARY,
                "Summary for engineering",
                max_length=SUMMARY_MAX,
                optional=True,
                placeholder="What fails, where, and how to reproduce it (in your words)",
            ),
        ]
    submit = "Link or create" if trackers else "Link"
    return modal(Callback.LINK_ISSUE_MODAL, "Link issue", submit, blocks, str(ticket.id))
