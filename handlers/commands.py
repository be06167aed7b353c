"""`/support` and its subcommands.

Help goes back in the acknowledgement itself. Anything that needs the database or Slack is acknowledged
first (Slack's advice: the 3 s deadline then never depends on the database) and answered privately
through the command's response_url.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import blocks
from bot.ids import COMMAND
from bot.text import unescape
from handlers.deps import Deps, response_url_of
from handlers.failures import told_if_failed
from handlers.subcommands import SUBCOMMANDS

log = logging.getLogger(__name__)
EMAIL_LOOKUP_TIMEOUT = 1.5  # seconds; the whole answer must reach Slack within 3

HELP = """*Secondline: second-line support*
`/support` raise a ticket (key users; support staff on a customer's behalf)
`/support list` open tickets: your company's, or the unclaimed queue for engineers
`/support mine` tickets you raised or own
`/support show SUP-42` one ticket and its history
`/support escalate SUP-42 <reason>` ask for escalation: the next level is paged at once
`/support oncall` who holds each escalation level now, and until when
`/support plan [customer]` your company's support plan: hours, targets, what is covered, the contract
`/support log SUP-42 45m [with @someone] [note]` record time on a ticket (support agents)
`/support entries SUP-42`, `correct #17 45m`, `unlog #17` see, correct or delete time entries
`/support waive SUP-42 <reason>` / `unwaive SUP-42` no charge for a ticket (a product defect)
`/support hours [customer]` the contract, the bank or this month's charges, the last entries
`/support statement acme 2026-11 [issue]` a month's statement as a CSV file (issue: freeze it, once ended)
`/support statement acme 2026-11 withdraw [reason]` take an issued statement back (leads, managers)
`/support report [week|month|2026-11] [customer]` SLA achievement, a chart and the CSV (leads, managers)
`/support account acme [--from 2026-11-01] [--to 2026-12-01]` a customer at a glance (last 30 days)
`/support link SUP-42 <url>` link a ticket to a GitHub, Jira or Linear issue (engineers)
`/support simulate P1 globex [at 2026-11-27 16:30]` when targets fall due and whom the ladder pages
`/support incident SUP-12 SUP-13 …` group tickets as one incident (support team)
`/support search <words>` published answers to common questions, privately
`/support answers [withdraw N | edit N title | text]` published answers (leads)
`/support help` this help"""


async def support(ack: AsyncAck, command: dict[str, Any], deps: Deps) -> None:
    user_id = str(command.get("user_id") or "")
    # The manifest has Slack escape the text (so mentions arrive as <@U…|name>): decode it once here.
    words = unescape(str(command.get("text") or "")).split()
    sub = words[0].lower() if words else ""
    if sub == "":
        await open_raise_form(ack, command, deps)
        return
    answer = SUBCOMMANDS.get(sub)
    if answer is None:
        await ack(response_type="ephemeral", text=HELP)
        return
    await ack()
    async with told_if_failed(deps, command):
        await _reply(deps, command, await answer(deps, user_id, words[1:]))


async def _reply(deps: Deps, command: dict[str, Any], text: str) -> None:
    user_id = str(command.get("user_id") or "")
    await deps.notifier.tell(user_id, command.get("channel_id"), text, response_url_of(command))


async def open_raise_form(ack: AsyncAck, command: dict[str, Any], deps: Deps) -> None:
    """A key user gets the form for their company; vendor staff first choose the customer it is for
    (skipped when they may raise for one customer only); anyone else is told who their key users are."""
    user_id = str(command.get("user_id") or "")
    await ack()
    async with told_if_failed(deps, command):
        customers = deps.intake.customers_for(user_id)
        if not customers:
            company = await _company_by_email(deps, user_id)
            await _reply(deps, command, blocks.not_key_user_text(deps.policy, company))
            return
        refusals = [r for key in customers if (r := await deps.intake.deposit_refusal(key)) is not None]
        if len(refusals) == len(customers):  # every company's deposit is too low: say why, and whom to ask
            await _reply(deps, command, "\n\n".join(refusals))
            return
        own = deps.policy.customers_of(user_id)
        if customers == own:
            view = blocks.raise_modal(deps.policy, customers)
        elif len(customers) == 1:
            view = blocks.raise_modal(deps.policy, customers, on_behalf=True)
        else:
            view = blocks.choose_customer_modal(deps.policy, customers, user_id)
        await deps.notifier.open_modal(str(command.get("trigger_id") or ""), view)


async def _company_by_email(deps: Deps, user_id: str) -> str | None:
    """Find a non-key-user's company from their e-mail domain, when the policy lists domains."""
    if not any(customer.domains for customer in deps.policy.customers.values()):
        return None
    try:
        email = await asyncio.wait_for(deps.notifier.email_of(user_id), EMAIL_LOOKUP_TIMEOUT)
    except TimeoutError:
        log.warning("users.info for %s took too long", user_id)
        return None
    return deps.policy.customer_by_domain(email) if email else None


def register(app: AsyncApp) -> None:
    app.command(COMMAND)(support)
