"""Modal submissions: raise a ticket, resolve, add details, reassign, ask for escalation."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import blocks
from bot.billing.worktime import parse_work_time
from bot.ids import Action, Block, Callback
from bot.services.errors import InvalidInput, NeedsConfirmation, ServiceError
from bot.services.intake import TicketDraft, draft_as_details
from handlers import forms
from handlers.deps import ROW_ID_MAX, Deps, row_id, user_of
from handlers.origin import origin_of
from models.tickets import REF_PREFIX

log = logging.getLogger(__name__)


async def choose_customer(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    """Staff's first step: the customer chosen, the form becomes the raise form for that customer's plan."""
    user = user_of(body) or ""
    customer = forms.selected(forms.values(view), Block.CUSTOMER, Action.CUSTOMER)
    if customer is None or customer not in deps.intake.customers_for(user):
        await ack(
            response_action="errors", errors={Block.CUSTOMER: "Choose the customer this ticket is for."}
        )
        return
    on_behalf = deps.intake.raises_on_behalf(user, customer)
    await ack(response_action="update", view=blocks.raise_modal(deps.policy, [customer], on_behalf=on_behalf))


async def raise_ticket(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    values = forms.values(view)
    listed = forms.metadata(view).get("customers")
    customers = [c for c in listed if isinstance(c, str)] if isinstance(listed, list) else []
    user = user_of(body) or ""
    # Staff raising for one customer see who it is for; the service checks their right to again.
    on_behalf = len(customers) == 1 and deps.intake.raises_on_behalf(user, customers[0])
    for_key_user = forms.selected(values, Block.FOR_KEY_USER, Action.FOR_KEY_USER) or forms.string(
        forms.state(values, Block.FOR_KEY_USER, Action.FOR_KEY_USER).get("selected_user")
    )
    draft = TicketDraft(
        reporter_id=user,
        customer=forms.selected(values, Block.CUSTOMER, Action.CUSTOMER)
        or (customers[0] if len(customers) == 1 else None),
        priority=forms.selected(values, Block.PRIORITY, Action.PRIORITY),
        environment=forms.selected(values, Block.ENVIRONMENT, Action.ENVIRONMENT),
        title=forms.text(values, Block.TITLE, Action.TITLE),
        description=forms.text(values, Block.DESCRIPTION, Action.DESCRIPTION),
        tried=forms.text(values, Block.TRIED, Action.TRIED),
        category=forms.selected(values, Block.CATEGORY, Action.CATEGORY),
        paid_confirmed="paid" in forms.checked(values, Block.PAID_CONFIRM, Action.PAID_CONFIRM),
        terms_shown_for=forms.string(forms.metadata(view).get("shown_for")),
        phone=forms.text(values, Block.PHONE, Action.PHONE),
        for_key_user=None if for_key_user == blocks.EVERY_KEY_USER else for_key_user,
    )
    try:  # raised from a card in a customer's own channel (Slack Connect): theirs, from their organisation
        origin = await origin_of(view, body, deps)
    except ServiceError as exc:
        await ack(response_action="errors", errors={Block.TITLE: str(exc)})
        return
    if origin is not None:
        draft = replace(draft, customer=deps.connect.customer_of(origin.channel), origin=origin)
        customers = [draft.customer or ""]
    choice = forms.selected(values, Block.DUPLICATE_CHOICE, Action.DUPLICATE_CHOICE)
    answer_choice = forms.selected(values, Block.ANSWER_CHOICE, Action.ANSWER_CHOICE) or ""
    # Validate and save before ack: errors go back onto the form; a saved ticket survives Slack outages.
    try:
        if answer_choice.startswith("solved:"):  # This solved it: a deflected request, nothing raised
            await deps.intake.deflected(draft, row_id(answer_choice[7:], ROW_ID_MAX) or 0)
            await ack()
            return
        if choice and choice.startswith("add:") and (existing := row_id(choice[4:])) is not None:
            await deps.transitions.add_details(existing, draft.reporter_id, draft_as_details(draft))
            await ack()
            return
        valid = await deps.intake.admit(draft)  # checked once; the form's errors come from here
        # A key user's first submission is offered published answers (Raise anyway raises it).
        offered = [] if answer_choice or choice or on_behalf else await deps.intake.answers_for(valid)
        similar = await deps.intake.similar_open(valid) if choice is None else None
        if offered or similar is not None:
            await ack(
                response_action="update",
                view=blocks.raise_modal(
                    deps.policy, customers, draft=draft, similar=similar, on_behalf=on_behalf, answers=offered
                ),
            )
            return
        await deps.intake.save(valid)
    except NeedsConfirmation as exc:  # not covered by normal support: show why, and what paid work costs
        view = blocks.raise_modal(deps.policy, customers, draft=draft, confirm=exc, on_behalf=on_behalf)
        await ack(response_action="update", view=view)
        return
    except InvalidInput as exc:
        await ack(response_action="errors", errors=exc.errors)
        return
    except ServiceError as exc:
        await ack(response_action="errors", errors={Block.TITLE: str(exc)})
        return
    await ack()


async def resolve(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    values = forms.values(view)
    errors: dict[str, str] = {}
    spent_text = (forms.text(values, Block.TIME_SPENT, Action.TIME_SPENT) or "").strip()
    minutes: int | None = None
    if spent_text:
        try:
            minutes = parse_work_time(spent_text)
        except ValueError as exc:
            errors[Block.TIME_SPENT] = str(exc)
    duplicate_text = (forms.text(values, Block.DUPLICATE_OF, Action.DUPLICATE_OF) or "").strip().upper()
    duplicate = duplicate_text.removeprefix(REF_PREFIX)
    duplicate_id = row_id(duplicate) if duplicate else None
    if duplicate and duplicate_id is None:
        errors[Block.DUPLICATE_OF] = "Write a ticket reference like SUP-41."
    publishing = "publish" in forms.checked(values, Block.PUBLISH_ANSWER, Action.PUBLISH_ANSWER)
    answer_title = (forms.text(values, Block.ANSWER_TITLE, Action.ANSWER_TITLE) or "").strip()
    if publishing and not answer_title:
        errors[Block.ANSWER_TITLE] = "Give the published answer a title."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    user = user_of(body) or ""

    async def work() -> object:
        ticket = await deps.transitions.resolve(
            forms.ticket_id(view),
            user,
            forms.selected(values, Block.RESOLUTION, Action.RESOLUTION) or "",
            forms.text(values, Block.RESOLUTION_NOTE, Action.RESOLUTION_NOTE) or "",
            minutes,
            duplicate_id,
            publish_as=answer_title if publishing else None,
        )
        await deps.timesheet.charged(ticket)  # a per-incident ticket is charged when resolved
        if minutes:  # the time spent is a time entry; resolved first, so a refusal here cannot undo it
            try:
                await deps.timesheet.log(ticket.id, user, minutes, note="time spent, given when resolving")
            except ServiceError as exc:
                await deps.notifier.tell(
                    user, None, f"{ticket.ref} is resolved, but its time was not logged: {exc}"
                )
        return ticket

    await forms.submit(ack, body, deps, work, Block.RESOLUTION)


async def add_details(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    text = forms.text(forms.values(view), Block.DETAILS, Action.DETAILS) or ""
    await forms.submit(
        ack,
        body,
        deps,
        lambda: deps.transitions.add_details(forms.ticket_id(view), user_of(body) or "", text),
        Block.DETAILS,
    )


async def reassign(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    state = forms.state(forms.values(view), Block.NEW_OWNER, Action.NEW_OWNER)
    new_owner = str(state.get("selected_user") or "")
    if not new_owner:
        await ack(response_action="errors", errors={Block.NEW_OWNER: "Choose the new owner."})
        return
    await forms.submit(
        ack,
        body,
        deps,
        lambda: deps.transitions.reassign(forms.ticket_id(view), user_of(body) or "", new_owner),
        Block.NEW_OWNER,
    )


async def escalate(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    reason = forms.text(forms.values(view), Block.ESCALATION_REASON, Action.ESCALATION_REASON)
    await forms.submit(
        ack,
        body,
        deps,
        lambda: deps.pages.request(forms.ticket_id(view), user_of(body) or "", reason or ""),
        Block.ESCALATION_REASON,
    )


async def reclassify(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    values = forms.values(view)
    category = forms.selected(values, Block.CATEGORY, Action.CATEGORY) or ""
    reason = forms.text(values, Block.RECLASSIFY_REASON, Action.RECLASSIFY_REASON) or ""
    await forms.submit(
        ack,
        body,
        deps,
        lambda: deps.reclassify.reclassify(forms.ticket_id(view), user_of(body) or "", category, reason),
        Block.CATEGORY,
    )


async def log_time(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    values = forms.values(view)
    try:
        minutes = parse_work_time(forms.text(values, Block.WORK_DURATION, Action.WORK_DURATION) or "")
    except ValueError as exc:
        await ack(response_action="errors", errors={Block.WORK_DURATION: str(exc)})
        return
    picked = forms.state(values, Block.WORK_AGENTS, Action.WORK_AGENTS).get("selected_users")
    agents = [str(u) for u in picked if isinstance(u, str)] if isinstance(picked, list) else []
    day_text = forms.state(values, Block.WORK_DATE, Action.WORK_DATE).get("selected_date")
    try:
        day = date.fromisoformat(day_text) if isinstance(day_text, str) else None
    except ValueError:
        day = None
    note = forms.text(values, Block.WORK_NOTE, Action.WORK_NOTE) or ""

    async def work() -> object:
        try:
            return await deps.timesheet.log(
                forms.ticket_id(view), user_of(body) or "", minutes, agents=agents, note=note, worked_on=day
            )
        except InvalidInput as exc:  # the service names its fields; the form's blocks are ours
            raise InvalidInput(
                {WORK_BLOCKS.get(k, Block.WORK_DURATION): v for k, v in exc.errors.items()}
            ) from exc

    await forms.submit(ack, body, deps, work, Block.WORK_DURATION)


WORK_BLOCKS = {
    "minutes": Block.WORK_DURATION,
    "date": Block.WORK_DATE,
    "note": Block.WORK_NOTE,
    "agents": Block.WORK_AGENTS,
}


def register(app: AsyncApp) -> None:
    app.view(Callback.RAISE_MODAL)(raise_ticket)
    app.view(Callback.RAISE_FOR_MODAL)(choose_customer)
    app.view(Callback.RESOLVE_MODAL)(resolve)
    app.view(Callback.DETAILS_MODAL)(add_details)
    app.view(Callback.REASSIGN_MODAL)(reassign)
    app.view(Callback.ESCALATE_MODAL)(escalate)
    app.view(Callback.RECLASSIFY_MODAL)(reclassify)
    app.view(Callback.LOG_TIME_MODAL)(log_time)
