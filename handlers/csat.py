"""The satisfaction question's buttons and its comment modal (bot/blocks/csat.py)."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.blocks.csat import comment_modal
from bot.ids import CSAT_SCORE_ACTIONS, Action, Block, Callback
from bot.services.csat import Answerer
from bot.services.errors import InvalidInput, ServiceError
from handlers.clicks import as_clicker, ticket_id_of
from handlers.deps import Deps, row_id
from models import Ticket

Body = dict[str, Any]


def _dict(parent: dict[str, Any], key: str) -> dict[str, Any]:
    """A nested object of a payload; anything but a mapping (a forged payload) reads as empty."""
    value = parent.get(key)
    return value if isinstance(value, dict) else {}


def answerer_of(body: Body) -> Answerer:
    """The actor's own id and organisation (`user.team_id`), and the workspace the app is installed in."""
    user, view, team = _dict(body, "user"), _dict(body, "view"), _dict(body, "team")
    home = view.get("app_installed_team_id") or team.get("id")
    return Answerer(
        user_id=str(user.get("id") or "") or None,
        team_id=str(user.get("team_id") or "") or None,
        home_team=str(home) if home else None,
    )


async def score(ack: AsyncAck, body: Body, action: dict[str, Any], deps: Deps) -> None:
    """A click on one of the five answers: recorded, then the comment modal opens (the trigger lives 3 s)."""
    await ack()

    async def work(_: str) -> None:
        ticket_id = ticket_id_of(action)
        chosen = CSAT_SCORE_ACTIONS[str(action.get("action_id"))]
        survey = await deps.satisfaction.answer(ticket_id, answerer_of(body), chosen)
        ticket = await Ticket.get(id=ticket_id)
        view = comment_modal(ticket, chosen, survey.comment)
        await deps.notifier.open_modal(str(body.get("trigger_id") or ""), view)

    await as_clicker(deps, body, work)


async def comment(ack: AsyncAck, body: Body, view: dict[str, Any], deps: Deps) -> None:
    ticket_id = row_id(str(view.get("private_metadata") or ""))
    typed = _dict(_dict(_dict(_dict(view, "state"), "values"), Block.CSAT_COMMENT), Action.CSAT_COMMENT)
    value = typed.get("value")
    text = value if isinstance(value, str) else ""  # an empty optional input arrives as null
    if ticket_id is None:
        await ack(
            response_action="errors", errors={Block.CSAT_COMMENT: "This form no longer points at a ticket."}
        )
        return
    try:
        await deps.satisfaction.comment(ticket_id, answerer_of(body), text)
    except InvalidInput as exc:
        await ack(response_action="errors", errors=exc.errors)
        return
    except ServiceError as exc:
        await ack(response_action="errors", errors={Block.CSAT_COMMENT: str(exc)})
        return
    await ack()


def register(app: AsyncApp) -> None:
    for action_id in CSAT_SCORE_ACTIONS:
        app.action(action_id)(score)
    app.view(Callback.CSAT_COMMENT_MODAL)(comment)
