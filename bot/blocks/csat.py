"""The satisfaction question as Block Kit: a message that can be posted in a DM or a shared channel's thread,
and the comment modal its buttons open."""

from __future__ import annotations

from typing import Any

from bot.blocks.kit import Message, actions, button, context, message, modal, section, text_input
from bot.ids import CSAT_SCORE_ACTIONS, Action, Block, Callback
from bot.satisfaction import CHANGE_WINDOW, COMMENT_MAX, QUESTION, SCORES, label
from bot.text import escape, slack_date
from models import CsatSurvey, Ticket


def question_message(ticket: Ticket) -> Message:
    """Customer-visible only: the ticket's reference and title, never who worked it or how."""
    buttons = [
        button(label(score), action_id, str(ticket.id)) for action_id, score in CSAT_SCORE_ACTIONS.items()
    ]
    return message(
        f"{ticket.ref}: {QUESTION}",
        [
            section(f"*{QUESTION}* Your ticket *{ticket.ref}* ({escape(ticket.title)}) is resolved."),
            actions(Block.CSAT_SCORES, *buttons),
            context(
                f"One answer per ticket; you may change it for {CHANGE_WINDOW.days} days. "
                "A comment is welcome but optional."
            ),
        ],
    )


def comment_modal(ticket: Ticket, score: int, comment: str = "") -> dict[str, Any]:
    blocks = [
        section(f"Thank you: *{ticket.ref}* is rated *{score} - {SCORES[score]}*."),
        text_input(
            Block.CSAT_COMMENT,
            Action.CSAT_COMMENT,
            "Anything you would like to tell us? (optional)",
            initial=comment,
            max_length=COMMENT_MAX,
            optional=True,
        ),
    ]
    return modal(Callback.CSAT_COMMENT_MODAL, "How did we do?", "Send", blocks, str(ticket.id))


def satisfaction_line(survey: CsatSurvey | None) -> list[str]:
    """For `/support show`: the question's state, the score and the comment."""
    if survey is None:
        return []
    if survey.score is None:
        return [f"*Satisfaction:* asked {slack_date(survey.asked_at)}, not answered"]
    line = f"*Satisfaction:* {survey.score} of 5 ({SCORES[survey.score]})"
    if survey.comment:
        line += f": “{escape(survey.comment)}”"
    return [line]
