"""`/support`: opens the raise modal for key users; tells everyone else who their key users are."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks
from bot.ids import COMMAND
from handlers.deps import Deps

log = logging.getLogger(__name__)
EMAIL_LOOKUP_TIMEOUT = 1.5  # seconds; the whole answer must reach Slack within 3


def register(app: AsyncApp, deps: Deps) -> None:
    @app.command(COMMAND)
    async def support(ack: AsyncAck, command: dict[str, Any], client: AsyncWebClient) -> None:
        user_id = command["user_id"]
        customers = deps.policy.customers_of(user_id)
        if not customers:
            company = await _company_by_email(client, deps, user_id)
            await ack(response_type="ephemeral", text=blocks.not_key_user_text(deps.policy, company))
            return
        await ack()
        await client.views_open(
            trigger_id=command["trigger_id"], view=blocks.raise_modal(deps.policy, customers)
        )


async def _company_by_email(client: AsyncWebClient, deps: Deps, user_id: str) -> str | None:
    """Find a non-key-user's company from their e-mail domain, when the policy lists domains."""
    if not any(customer.domains for customer in deps.policy.customers.values()):
        return None
    try:
        answer = await asyncio.wait_for(client.users_info(user=user_id), EMAIL_LOOKUP_TIMEOUT)
    except (SlackApiError, TimeoutError) as exc:
        log.warning("users.info for %s failed: %s", user_id, exc)
        return None
    email = ((answer.get("user") or {}).get("profile") or {}).get("email") or ""
    return deps.policy.customer_by_domain(email) if email else None
