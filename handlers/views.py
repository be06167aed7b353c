"""Modal submissions: the raise-ticket form."""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.ids import Action, Block, Callback
from bot.services.errors import InvalidInput, NotAllowed
from bot.services.tickets import TicketDraft
from handlers.deps import Deps

log = logging.getLogger(__name__)


def register(app: AsyncApp, deps: Deps) -> None:
    @app.view(Callback.RAISE_MODAL)
    async def raise_ticket(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
        values = view.get("state", {}).get("values", {})
        customers = _metadata(view).get("customers") or []
        draft = TicketDraft(
            reporter_id=body["user"]["id"],
            customer=_selected(values, Block.CUSTOMER, Action.CUSTOMER)
            or (customers[0] if len(customers) == 1 else None),
            priority=_selected(values, Block.PRIORITY, Action.PRIORITY),
            environment=_selected(values, Block.ENVIRONMENT, Action.ENVIRONMENT),
            title=_text(values, Block.TITLE, Action.TITLE),
            description=_text(values, Block.DESCRIPTION, Action.DESCRIPTION),
            tried=_text(values, Block.TRIED, Action.TRIED),
        )
        # Validate and save before ack: errors go back onto the form; a saved ticket survives Slack outages.
        try:
            ticket = await deps.tickets.raise_ticket(draft)
        except InvalidInput as exc:
            await ack(response_action="errors", errors=exc.errors)
            return
        except NotAllowed as exc:
            await ack(response_action="errors", errors={Block.TITLE: str(exc)})
            return
        await ack()
        log.info("%s raised by %s for %s", ticket.ref, ticket.reporter_id, ticket.customer)


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _state(values: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    state = (values.get(block) or {}).get(action)
    return state if isinstance(state, dict) else {}


def _text(values: dict[str, Any], block: str, action: str) -> str | None:
    value = _state(values, block, action).get("value")
    return value if isinstance(value, str) else None


def _selected(values: dict[str, Any], block: str, action: str) -> str | None:
    option = _state(values, block, action).get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return value if isinstance(value, str) else None
