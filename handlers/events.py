"""Events API: App Home. Every event is handled once, whatever Slack redelivers."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from handlers.deps import Deps

log = logging.getLogger(__name__)


async def first_delivery(deps: Deps, body: dict[str, Any]) -> bool:
    """False for a redelivered event (same event_id). Checked in the listener, after Bolt's automatic ack:
    a middleware that stopped the chain would make Bolt answer 404 and Slack deliver yet again."""
    event_id = body.get("event_id")
    if isinstance(event_id, str) and not await deps.deliveries.first_time(event_id):
        log.info("event %s was already handled; redelivery ignored", event_id)
        return False
    return True


def register(app: AsyncApp, deps: Deps) -> None:
    @app.event("app_home_opened")
    async def home_opened(body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("tab", "home") != "home" or not await first_delivery(deps, body):
            return
        await publish_home(deps, client, event["user"])


async def publish_home(deps: Deps, client: AsyncWebClient, user_id: str) -> None:
    sections: list[tuple[str, list[str], str]] = []
    lines = blocks.ticket_line
    customers = deps.policy.customers_of(user_id)
    if customers:
        mine = await deps.tickets.open_for_customers(customers)
        sections.append(
            (
                "Your company's open tickets",
                [lines(t) for t in mine],
                "No open tickets. Type /support to raise one.",
            )
        )
    if deps.policy.is_engineer(user_id) or user_id in deps.policy.escalation_people:
        queue = await deps.tickets.unclaimed()
        sections.append(("Unclaimed, most urgent first", [lines(t) for t in queue], "The queue is empty."))
        owned = await deps.tickets.owned_by(user_id)
        sections.append(("Your tickets", [lines(t) for t in owned], "You own no open tickets."))
    await client.views_publish(user_id=user_id, view=blocks.home_view(sections))
