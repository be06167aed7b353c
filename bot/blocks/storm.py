"""Messages that list many tickets at once: the queue of a burst and a storm of similar tickets.

Both list each ticket (reference, customer, plan, priority, title, first-response due) and offer a
"Claim…" menu per group of tickets: its action is the ticket message's Claim (Action.CLAIM), so a claim
from here is the same claim. Block Kit allows 50 blocks a message: ROWS_PER_GROUP tickets share a section
and a menu, so one message shows up to MAX_GROUPS * ROWS_PER_GROUP tickets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.blocks.kit import Message, actions, button, context, message, option, section, truncate
from bot.ids import Action, Block
from bot.policy import Policy, Priority
from bot.text import escape, mention, slack_date
from models import Ticket

ROWS_PER_GROUP = 10  # lines of ~250 characters: well inside a section's 3000
MAX_GROUPS = 23  # 2 blocks each, plus a heading, a footer and the storm's buttons: within 50 blocks
TITLE_CHARS = 70


def ticket_row(ticket: Ticket, policy: Policy, due: datetime | None) -> str:
    customer = policy.customers.get(ticket.customer)
    name = escape(customer.name if customer else ticket.customer)
    plan = escape(policy.plan_label(ticket.plan))
    title = escape(truncate(ticket.title, TITLE_CHARS))
    if ticket.owner_id:
        state = f"claimed by {mention(ticket.owner_id)}"
    elif due is not None:
        state = f"first response due {slack_date(due)}"
    else:
        state = "unclaimed"
    return f"*{ticket.ref}* · {name} · {plan} · {Priority(ticket.priority).label} · {title} · {state}"


def _claim_menu(group: int, tickets: Sequence[Ticket]) -> dict[str, Any] | None:
    open_ = [t for t in tickets if t.owner_id is None]
    if not open_:
        return None
    menu = {
        "type": "static_select",
        "action_id": Action.CLAIM,
        "placeholder": {"type": "plain_text", "text": "Claim…"},
        "options": [option(f"{t.ref} · {Priority(t.priority).value} · {t.title}", str(t.id)) for t in open_],
    }
    return actions(f"{Block.BOARD_CLAIM}:{group}", menu)


def ticket_groups(
    tickets: Sequence[Ticket], policy: Policy, due: Mapping[int, datetime | None]
) -> tuple[list[dict[str, Any]], int]:
    """The list's blocks, and how many tickets did not fit."""
    shown = list(tickets[: MAX_GROUPS * ROWS_PER_GROUP])
    built: list[dict[str, Any]] = []
    for group, start in enumerate(range(0, len(shown), ROWS_PER_GROUP)):
        chunk = shown[start : start + ROWS_PER_GROUP]
        built.append(section("\n".join(ticket_row(t, policy, due.get(t.id)) for t in chunk)))
        menu = _claim_menu(group, chunk)
        if menu is not None:
            built.append(menu)
    return built, len(tickets) - len(shown)


def queue_message(tickets: Sequence[Ticket], policy: Policy, due: Mapping[int, datetime | None]) -> Message:
    """Tickets raised faster than the channel takes messages (about one a second): each is listed here
    at once and gets its own message in turn."""
    if not tickets:
        text = "Every ticket of this burst now has its own message in the channel."
        return message(text, [section(f":white_check_mark: {text}")])
    n = len(tickets)
    heading = (
        f":inbox_tray: *{n} new ticket{'s' if n != 1 else ''} waiting for their own message* "
        "(Slack takes about one message a second per channel). Claim from here; each one is posted in turn."
    )
    listed, hidden = ticket_groups(tickets, policy, due)
    built = [section(heading), *listed]
    if hidden:
        built.append(context(f"…and {hidden} more, listed here as the first ones are posted."))
    refs = ", ".join(t.ref for t in tickets[:20])
    return message(f"{n} new tickets waiting to be posted: {refs}", built)


def storm_message(
    tickets: Sequence[Ticket],
    policy: Policy,
    due: Mapping[int, datetime | None],
    *,
    board_id: int,
    incident: Ticket | None,
) -> Message:
    """Tickets alike arriving together: probably one problem. Offers to group them as one incident."""
    n = len(tickets)
    customers = len({t.customer for t in tickets})
    if incident is not None:
        heading = (
            f":link: *{n} tickets from {customers} customer{'s' if customers != 1 else ''} are grouped "
            f"as {incident.ref}*: updates on {incident.ref} reach every customer."
        )
    else:
        heading = (
            f":thunder_cloud_and_rain: *Storm: {n} similar tickets from {customers} "
            f"customer{'s' if customers != 1 else ''}* arrived together. Is it one problem?"
        )
    listed, hidden = ticket_groups(tickets, policy, due)
    built = [section(heading), *listed]
    if hidden:
        built.append(context(f"…and {hidden} more."))
    if incident is None:
        built.append(
            actions(
                Block.STORM_ACTIONS,
                button("Group as one incident", Action.GROUP_STORM, str(board_id), "primary"),
            )
        )
    refs = ", ".join(t.ref for t in tickets[:20])
    return message(f"Storm: {n} similar tickets ({refs})", built)


def incident_section(children: Sequence[Ticket], policy: Policy) -> dict[str, Any]:
    """On the incident's own message: the tickets it holds, whose customers hear what is done to it."""
    customers = len({t.customer for t in children})
    names = {key: customer.name for key, customer in policy.customers.items()}
    rows = ", ".join(f"{t.ref} ({escape(names.get(t.customer, t.customer))})" for t in children[:60])
    more = f" and {len(children) - 60} more" if len(children) > 60 else ""
    return section(
        f":link: *Incident: {len(children)} tickets from {customers} customer{'s' if customers != 1 else ''}*"
        f"\n{rows}{more}\nClaiming, putting on hold and resolving it does the same to each ticket."
    )
