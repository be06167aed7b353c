"""What the key user reads when the fix for their ticket shipped, and after (customer-visible text only:
never the issue's URL, which may be a private repository, nor anything said in the internal thread)."""

from __future__ import annotations

from datetime import timedelta

from bot.blocks.kit import Message, actions, button, context, message, section
from bot.durations import business_duration
from bot.ids import Action, Block
from bot.text import escape
from models import Ticket


def fix_shipped_dm(ticket: Ticket, release: str | None, within: timedelta) -> Message:
    release_words = f" It ships in *{escape(release)}*." if release else ""
    text = f"the fix for your ticket _{escape(ticket.title)}_ has shipped.{release_words}"
    return message(
        f"{ticket.ref}: the fix for your ticket has shipped",
        [
            section(f"*{ticket.ref}*: {text}"),
            context(
                f"If it still fails for you, say so within {business_duration(within)}; otherwise the "
                "ticket resolves itself."
            ),
            actions(
                Block.FIX_ACTIONS,
                button("Still fails", Action.FIX_STILL_FAILS, str(ticket.id), style="danger"),
            ),
        ],
    )


def fix_pending_text() -> str:
    return (
        "this is a defect in the product, and our engineering team has it. You will hear from us here "
        "as soon as the fix ships."
    )


def fix_confirmed_text() -> str:
    return "nobody said the shipped fix still fails, so the ticket is now resolved. Thank you."


def still_fails_text() -> str:
    return "thank you: the ticket is open again, and the support team has been told the fix did not solve it."
