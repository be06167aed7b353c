"""Recording time on tickets: log (for oneself and for other agents on the same call), correct, delete,
waive and unwaive. Entries are the only stored facts about paid support; a bank's balance, its alerts and
statements are computed from them (bot/billing/)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.billing import worktime
from bot.billing.bank import bank_status, crossed_thresholds, may_log
from bot.billing.statement import Month
from bot.billing.worktime import MAX_ENTRY
from bot.clock import Clock
from bot.durations import format_hours
from bot.jobs.kinds import TellPerson
from bot.jobs.queue import JobQueue
from bot.permissions import ROLE_WORDS, Do, Role, allowed
from bot.policy import Policy
from bot.policy.contracts import BankContract
from bot.services.deliveries import Deliveries
from bot.services.directory import Directory
from bot.services.errors import InvalidInput, NotAllowed, NotFound, ServiceError
from bot.services.events import announce, record
from bot.services.incident_links import split_evenly
from bot.services.queries import TicketQueries
from bot.services.roles import Roles
from bot.text import escape
from models import IssuedStatement, Ticket, TimeEntry

if TYPE_CHECKING:
    from bot.services.deposits import Deposits

log = logging.getLogger(__name__)

NOTE_MAX = 500
MAX_MINUTES = int(MAX_ENTRY.total_seconds() // 60)
MAX_AGENTS = 10  # on one call


def billing_today(policy: Policy, customer: str, now: datetime) -> date:
    """Today where the customer's support runs (its plan calendar's timezone): what "date worked" means."""
    zone = policy.calendars[policy.plan_of(customer).calendar].timezone
    return now.astimezone(ZoneInfo(zone)).date()


def billing_ticket(ticket: Ticket, billing_zone: str, policy: Policy | None = None) -> worktime.Ticket:
    """What the arithmetic needs of a ticket: with the policy, the rate of the add-on covering it."""
    resolved = ticket.resolved_at.astimezone(ZoneInfo(billing_zone)).date() if ticket.resolved_at else None
    addon = policy.addons.get(ticket.addon) if policy is not None and ticket.addon else None
    rate = addon.rate if addon is not None else None
    return worktime.Ticket(ticket.ref, ticket.priority, ticket.paid_request, resolved, rate)


def as_billing(
    entry: TimeEntry, ticket: Ticket, billing_zone: str, policy: Policy | None = None
) -> worktime.TimeEntry:
    """A stored entry as the pure arithmetic takes it; a waived ticket's time is waived."""
    facts = billing_ticket(ticket, billing_zone, policy)
    waived = ticket.waiver_reason is not None
    return worktime.TimeEntry(
        facts,
        entry.agent,
        entry.worked_on,
        entry.logged_at,
        entry.minutes,
        waived=waived,
        waiver_reason=ticket.waiver_reason or "",
    )


@dataclass
class Timesheet:
    policy: Policy
    clock: Clock
    jobs: JobQueue
    roles: Roles
    queries: TicketQueries
    directory: Directory
    deliveries: Deliveries
    deposits: Deposits | None = None  # a contract's prepaid deposit: warnings and alerts after charges

    async def log(
        self,
        ticket_id: int,
        by: str,
        minutes: int,
        *,
        agents: Sequence[str] = (),
        note: str = "",
        worked_on: date | None = None,
    ) -> list[TimeEntry]:
        """Record `minutes` for the caller and for each agent named (several agents on one call)."""
        ticket = await self.queries.get(ticket_id)
        self.roles.require(Do.LOG_TIME, by, ticket)
        if ticket.is_incident:  # split among its tickets' contracts, all or nothing
            children = await Ticket.filter(incident_id=ticket.id).order_by("id")
            if not children:
                raise ServiceError(f"{ticket.ref} holds no tickets now; log the time on a ticket.")
            logged: list[TimeEntry] = []
            async with self.jobs.transaction():
                for child, share in zip(children, split_evenly(minutes, len(children)), strict=True):
                    if share:
                        part = f"{note} (share of {ticket.ref})".strip()
                        logged += await self.log(
                            child.id, by, share, agents=agents, note=part, worked_on=worked_on
                        )
            return logged
        if ticket.customer not in self.policy.customers:
            raise ServiceError(
                f"{ticket.ref}'s customer is no longer in the policy; its time cannot be recorded."
            )
        team = list(dict.fromkeys([by, *agents]))
        outsiders = [a for a in team if not self.roles.is_staff(a)]
        if outsiders:
            who = ", ".join(f"<@{a}>" for a in outsiders)
            raise NotAllowed(
                f"Time is recorded for support agents only; {who} is not one. Nothing was logged."
            )
        if len(team) > MAX_AGENTS:
            raise InvalidInput({"agents": f"Name at most {MAX_AGENTS} agents on one entry."})
        if not 0 < minutes <= MAX_MINUTES:
            raise InvalidInput(
                {"minutes": f"Log between 1 minute and {format_duration_minutes(MAX_MINUTES)}."}
            )
        note = " ".join(note.split())
        if len(note) > NOTE_MAX:
            raise InvalidInput({"note": f"Keep the note under {NOTE_MAX} characters."})
        today = billing_today(self.policy, ticket.customer, self.clock.now())
        worked_on = worked_on or today
        if worked_on > today:
            raise InvalidInput({"date": "Time can be logged for today or earlier, not for a day to come."})
        await self._month_open(ticket.customer, worked_on, by, logging=True)
        before = await self.billing_entries(ticket.customer)
        now = self.clock.now()
        drafts = [
            TimeEntry(
                ticket_id=ticket.id,
                customer=ticket.customer,
                agent=agent,
                minutes=minutes,
                worked_on=worked_on,
                note=note,
                logged_by=by,
                logged_at=now,
            )
            for agent in team
        ]
        zone = self.billing_zone(ticket.customer)
        new = [as_billing(d, ticket, zone, self.policy) for d in drafts]
        contract = self.policy.contract_for(ticket.customer)
        if any(not may_log(contract, before, n).allowed for n in new):
            await self._refused_on_empty_bank(ticket, by)
        async with self.jobs.transaction():
            for entry in drafts:
                await entry.save()
            await record(
                ticket.id, now, by, "time_logged",
                minutes=minutes, agents=team, worked_on=worked_on.isoformat(), note=note,
            )  # fmt: skip
            text = f"<@{by}> logged {format_duration_minutes(minutes)}" + (
                f" each for {', '.join(f'<@{a}>' for a in team)}" if len(team) > 1 else ""
            )
            await announce(self.jobs, ticket.id, note=f"{text}.", quote=note or None, redraw=False)
        log.info("%s: %d minutes logged by %s for %d agent(s)", ticket.ref, minutes, by, len(team))
        if isinstance(contract, BankContract):
            await self._bank_alerts(ticket, contract, before, [*before, *new], today)
        await self.charged(ticket, by)
        return drafts

    async def charged(self, ticket: Ticket, engineer: str | None = None) -> None:
        """After something may have charged the customer (time logged, a ticket resolved, a waiver
        removed): the deposit's warning to the engineer and its alerts, when the contract holds one."""
        # An incident belongs to no customer: its children's contracts are charged through the children.
        if self.deposits is not None and not ticket.is_incident:
            await self.deposits.after_charge(ticket, engineer)

    async def correct(
        self,
        entry_id: int,
        by: str,
        *,
        minutes: int | None = None,
        worked_on: date | None = None,
        note: str | None = None,
    ) -> TimeEntry:
        entry, ticket = await self._editable(entry_id, by)
        changes: dict[str, object] = {}
        if minutes is not None:
            if not 0 < minutes <= MAX_MINUTES:
                raise InvalidInput(
                    {"minutes": f"Log between 1 minute and {format_duration_minutes(MAX_MINUTES)}."}
                )
            changes["minutes"] = minutes
        if worked_on is not None:
            if worked_on > billing_today(self.policy, ticket.customer, self.clock.now()):
                raise InvalidInput(
                    {"date": "Time can be logged for today or earlier, not for a day to come."}
                )
            await self._month_open(ticket.customer, worked_on, by)
            changes["worked_on"] = worked_on
        if note is not None:
            changes["note"] = " ".join(note.split())[:NOTE_MAX]
        if not changes:
            return entry
        async with self.jobs.transaction():
            await TimeEntry.filter(id=entry.id).update(**changes)
            detail = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in changes.items()}
            await record(ticket.id, self.clock.now(), by, "time_corrected", entry=entry.id, **detail)
        await self.charged(ticket)  # more minutes may take a deposit below a level
        return await TimeEntry.get(id=entry.id)

    async def delete(self, entry_id: int, by: str) -> None:
        entry, ticket = await self._editable(entry_id, by)
        async with self.jobs.transaction():
            await TimeEntry.filter(id=entry.id).delete()
            await record(
                ticket.id, self.clock.now(), by, "time_deleted",
                entry=entry.id, agent=entry.agent, minutes=entry.minutes,
                worked_on=entry.worked_on.isoformat(),
            )  # fmt: skip

    async def waive(self, ticket_id: int, by: str, reason: str) -> Ticket:
        reason = " ".join(reason.split())[:300]
        if not reason:
            raise ServiceError("Say why, e.g. `/support waive SUP-42 product defect in the export`.")
        return await self._set_waiver(ticket_id, by, reason)

    async def unwaive(self, ticket_id: int, by: str) -> Ticket:
        return await self._set_waiver(ticket_id, by, None)

    async def _set_waiver(self, ticket_id: int, by: str, reason: str | None) -> Ticket:
        ticket = await self.queries.get(ticket_id)
        self.roles.require(Do.WAIVE, by, ticket)
        if ticket.waiver_reason == reason:
            return ticket
        months = {e.worked_on.strftime("%Y-%m") for e in await TimeEntry.filter(ticket_id=ticket.id)}
        for month in sorted(months):
            await self._month_open(ticket.customer, Month.parse(month).first, by)
        now = self.clock.now()
        async with self.jobs.transaction():
            await Ticket.filter(id=ticket.id).update(waiver_reason=reason, updated_at=now)
            kind = "charges_waived" if reason else "waiver_removed"
            await record(ticket.id, now, by, kind, reason=reason)
            said = f"waived the ticket's charges: {escape(reason)}" if reason else "removed the waiver"
            await announce(self.jobs, ticket.id, note=f"<@{by}> {said}.", redraw=False)
        changed = await self.queries.get(ticket_id)
        if reason is None:
            await self.charged(changed)
        return changed

    # --- reading ---

    def billing_zone(self, customer: str) -> str:
        return self.policy.calendars[self.policy.plan_of(customer).calendar].timezone

    async def billing_entries(self, customer: str) -> list[worktime.TimeEntry]:
        """All of a customer's entries as the arithmetic takes them (one indexed read)."""
        return await load_billing_entries(self.policy, customer)

    async def of_ticket(self, ticket_id: int) -> list[TimeEntry]:
        return await TimeEntry.filter(ticket_id=ticket_id).order_by("worked_on", "logged_at")

    async def recent(self, customer: str, limit: int = 10) -> list[TimeEntry]:
        return await TimeEntry.filter(customer=customer).order_by("-worked_on", "-logged_at").limit(limit)

    async def entry(self, entry_id: int) -> TimeEntry:
        found = await TimeEntry.get_or_none(id=entry_id)
        if found is None:
            raise NotFound(f"There is no time entry {entry_id}.")
        return found

    # --- rules ---

    async def _editable(self, entry_id: int, by: str) -> tuple[TimeEntry, Ticket]:
        entry = await self.entry(entry_id)
        ticket = await self.queries.get(entry.ticket_id)
        self.roles.require(Do.EDIT_TIME, by, ticket, {Role.LOGGER} if entry.logged_by == by else set())
        await self._month_open(ticket.customer, entry.worked_on, by)
        return entry, ticket

    async def _month_open(self, customer: str, day: date, by: str, *, logging: bool = False) -> None:
        """Refuse a change to the time of a month whose statement is issued, saying how to go on."""
        month = Month(day.year, day.month)
        if not await IssuedStatement.exists(customer=customer, month=str(month)):
            return
        name = self.policy.customers[customer].name if customer in self.policy.customers else customer
        command = f"`/support statement {customer} {month} withdraw`"
        table = self.policy.permission_table
        if allowed(table, Do.WITHDRAW_STATEMENT, self.roles.of_customer(by, customer)):
            how = f"You can withdraw that statement with {command}, then try again"
        else:
            who = ", ".join(ROLE_WORDS[role] for role in table[Do.WITHDRAW_STATEMENT])
            how = f"Only {who} can withdraw that statement: ask one of them ({command}), then try again"
        if logging:  # the Log time form takes the date worked; /support log is today
            how += "; or log the time on a day in a month not yet issued (the Log time form takes a date)"
        raise NotAllowed(
            f"The statement of {month.first:%B %Y} for {escape(name)} is issued, so that month's time can "
            f"no longer change. {how}. Nothing was changed."
        )

    async def _refused_on_empty_bank(self, ticket: Ticket, by: str) -> None:
        """A blocking bank with nothing left: refuse, and tell a lead so the customer can top it up."""
        name = self.policy.customers[ticket.customer].name
        text = (
            f"{escape(name)}'s bank of hours is used up and its contract blocks further time: "
            f"<@{by}> could not log time. Top the bank up, or change the contract's `on_empty`."
        )
        levels = self.directory.levels()
        leads = await self.directory.recipients(levels[0], self.clock.now()) if levels else []
        async with self.jobs.transaction():
            for lead in leads:
                await self.jobs.enqueue(TellPerson(ticket_id=ticket.id, to=lead, text=text))
        raise NotAllowed(
            f"{escape(name)}'s bank of hours is used up and its contract allows no more time until it is "
            "topped up. A lead has been told. Nothing was logged."
        )

    async def _bank_alerts(
        self,
        ticket: Ticket,
        contract: BankContract,
        before: list[worktime.TimeEntry],
        after: list[worktime.TimeEntry],
        today: date,
    ) -> None:
        """One DM to the key users and the account manager per threshold crossed, whichever replica."""
        old, new = bank_status(contract, before, today), bank_status(contract, after, today)
        customer = self.policy.customers[ticket.customer]
        for percent in crossed_thresholds(old, new, contract.alert_at):
            if not await self.deliveries.first_time(f"bank:{ticket.customer}:{new.purchased}:{percent}"):
                continue
            hours = f"{new.purchased / 60:g}-hour bank"
            left = format_duration_minutes(new.left) if new.left else "nothing"
            expiring = f", expiring {new.expiring_on:%d %b %Y}" if new.expiring_on else ""
            text = f"{escape(customer.name)} has used {percent} % of its {hours}: {left} left{expiring}."
            people = [*customer.key_users, *([customer.account_manager] if customer.account_manager else [])]
            async with self.jobs.transaction():
                for person in dict.fromkeys(p for p in people if "@" not in p):
                    await self.jobs.enqueue(TellPerson(ticket_id=ticket.id, to=person, text=text))
            log.info("%s: bank alert at %d %% for %s", ticket.ref, percent, ticket.customer)


async def load_billing_entries(policy: Policy, customer: str) -> list[worktime.TimeEntry]:
    """All of a customer's entries as the arithmetic takes them (one indexed read)."""
    zone = policy.calendars[policy.plan_of(customer).calendar].timezone
    rows = (
        await TimeEntry.filter(customer=customer)
        .prefetch_related("ticket")
        .order_by("worked_on", "logged_at")
    )
    return [as_billing(row, row.ticket, zone, policy) for row in rows]


def format_duration_minutes(minutes: int) -> str:
    return format_hours(timedelta(minutes=minutes))  # "27h", never "1d 3h"
