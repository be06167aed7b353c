"""Issuing and withdrawing statements through the services, on SQLite and the fake clock.

A month is issued only once it has ended where the customer's support runs; leads, managers and
executives withdraw an issued statement (kept, with who withdrew it) and the next issue names it.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.billing.statement import Month
from bot.services.errors import NotAllowed, NotFound, ServiceError
from bot.services.statements import Statements
from bot.services.timesheet import Timesheet
from models import IssuedStatement, TimeEntry, WithdrawnStatement
from tests.bot.services.conftest import Env

NOVEMBER = Month(2026, 11)
# Globex's Standard plan runs on US Central time: November ends there at 06:00 UTC on 1 December.
NOVEMBER_ENDS_IN_CHICAGO = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def timesheet(env: Env) -> Timesheet:
    return Timesheet(env.policy, env.clock, env.jobs, env.roles, env.queries, env.directory, env.deliveries)


@pytest.fixture
def statements(env: Env, timesheet: Timesheet) -> Statements:
    return Statements(env.policy, env.clock, env.roles, timesheet)


async def stored() -> dict[str, list[dict[str, object]]]:
    return {
        "issued": await IssuedStatement.all().order_by("id").values(),
        "withdrawn": await WithdrawnStatement.all().order_by("id").values(),
        "entries": await TimeEntry.all().order_by("id").values(),
    }


async def globex_with_time(env: Env, timesheet: Timesheet) -> int:
    """A Globex ticket with 45 minutes logged on 17 November; the clock then moves to 1 December."""
    ticket = await env.claimed()
    await timesheet.log(ticket.id, "U0ENG1", 45)
    env.clock.set(NOVEMBER_ENDS_IN_CHICAGO + timedelta(hours=3))
    return ticket.id


async def test_a_month_is_issued_from_midnight_after_it_ends_in_the_customers_timezone(
    env: Env, statements: Statements
) -> None:
    env.clock.set(NOVEMBER_ENDS_IN_CHICAGO - timedelta(minutes=1))  # 23:59 on 30 November in Chicago
    with pytest.raises(ServiceError) as refused:
        await statements.issue("globex", NOVEMBER, "U0LEAD")
    assert str(refused.value) == (
        "The statement of November 2026 for Globex cannot be issued before the month has ended: issue it on "
        "or after 1 December 2026 (from midnight, America/Chicago time). Nothing was issued."
    )
    with pytest.raises(ServiceError, match="on or after 1 April 2027"):
        await statements.issue("globex", Month(2027, 3), "U0LEAD")  # a month still to come
    assert await stored() == {"issued": [], "withdrawn": [], "entries": []}
    env.clock.set(NOVEMBER_ENDS_IN_CHICAGO)
    made = await statements.issue("globex", NOVEMBER, "U0LEAD")
    assert made.issued and "(issued)" in made.summary and "replaces" not in made.summary
    assert json.loads(made.json)["replaces"] is None


async def test_only_escalation_levels_withdraw_and_a_refusal_changes_nothing(
    env: Env, timesheet: Timesheet, statements: Statements
) -> None:
    await globex_with_time(env, timesheet)
    await statements.issue("globex", NOVEMBER, "U0LEAD")
    before = await stored()
    for user in ("U0ENG1", "U0KEY2", "U0AM1", "U0STRANGER"):
        with pytest.raises(NotAllowed) as refused:
            await statements.withdraw("globex", NOVEMBER, user, "wrong")
        assert str(refused.value) == (
            "Only leads, managers and executives can withdraw an issued statement. Nothing was changed."
        )
    with pytest.raises(ServiceError, match=r"under 300 characters\. Nothing was changed"):
        await statements.withdraw("globex", NOVEMBER, "U0LEAD", "x" * 301)
    assert await stored() == before
    withdrawal = await statements.withdraw("globex", NOVEMBER, "U0EXEC1", "  a  call   was missed ")
    assert (withdrawal.issued_by, withdrawal.withdrawn_by, withdrawal.reason) == (
        "U0LEAD",
        "U0EXEC1",
        "a call was missed",
    )
    (row,) = await WithdrawnStatement.all()
    issued = before["issued"][0]
    assert (row.csv, row.json, row.issued_at, row.withdrawn_at) == (
        issued["csv"],
        issued["json"],
        issued["issued_at"],
        env.clock.now(),
    )
    assert await IssuedStatement.all().count() == 0
    with pytest.raises(NotFound, match="is not issued, so there is nothing to withdraw"):
        await statements.withdraw("globex", NOVEMBER, "U0MGR")


async def test_each_issue_names_the_statement_it_replaces(
    env: Env, timesheet: Timesheet, statements: Statements
) -> None:
    ticket_id = await globex_with_time(env, timesheet)
    first = await statements.issue("globex", NOVEMBER, "U0LEAD")
    env.clock.advance(timedelta(days=1))  # 2 December
    await statements.withdraw("globex", NOVEMBER, "U0MGR", "a call was missed")
    draft = await statements.file("globex", NOVEMBER)
    assert not draft.issued and draft.summary.endswith(
        "Issuing it replaces the statement issued on 1 Dec 2026 by <@U0LEAD>, withdrawn by <@U0MGR> on "
        "2 Dec 2026 (a call was missed)."
    )
    await timesheet.log(ticket_id, "U0ENG1", 30, worked_on=date(2026, 11, 27))
    second = await statements.issue("globex", NOVEMBER, "U0MGR")
    assert second.summary == (
        "Statement of November 2026 for Globex (issued): 1h 15m recorded, $0.00. It replaces the statement "
        "issued on 1 Dec 2026 by <@U0LEAD>, withdrawn by <@U0MGR> on 2 Dec 2026 (a call was missed)."
    )
    assert len(second.csv.splitlines()) == len(first.csv.splitlines()) + 1
    assert second.csv.splitlines()[0] == first.csv.splitlines()[0]  # the header is the same
    env.clock.advance(timedelta(days=1))  # withdrawn again on 3 December, issued a third time
    await statements.withdraw("globex", NOVEMBER, "U0LEAD")
    third = await statements.issue("globex", NOVEMBER, "U0LEAD")
    assert "It replaces the statement issued on 2 Dec 2026 by <@U0MGR>, withdrawn by <@U0LEAD> on 3 Dec" in (
        third.summary
    )
    replaces = json.loads(third.json)["replaces"]
    assert (replaces["issued_by"], replaces["withdrawn_by"], replaces["reason"]) == ("U0MGR", "U0LEAD", "")
    assert await WithdrawnStatement.all().count() == 2
    # What was issued is what is served afterwards, also its note.
    assert (await statements.file("globex", NOVEMBER)).summary == third.summary


async def test_time_in_an_issued_month_is_refused_with_what_to_do(
    env: Env, timesheet: Timesheet, statements: Statements
) -> None:
    ticket_id = await globex_with_time(env, timesheet)
    await statements.issue("globex", NOVEMBER, "U0LEAD")
    (entry,) = await TimeEntry.all()
    before = await stored()
    engineer = (
        "The statement of November 2026 for Globex is issued, so that month's time can no longer change. "
        "Only leads, managers and executives can withdraw that statement: ask one of them "
        "(`/support statement globex 2026-11 withdraw`), then try again"
    )
    with pytest.raises(NotAllowed) as refused:
        await timesheet.log(ticket_id, "U0ENG1", 30, worked_on=date(2026, 11, 27))
    assert str(refused.value) == (
        f"{engineer}; or log the time on a day in a month not yet issued (the Log time form takes a date). "
        "Nothing was changed."
    )
    for attempt in (timesheet.correct(entry.id, "U0ENG1", minutes=30), timesheet.delete(entry.id, "U0ENG1")):
        with pytest.raises(NotAllowed) as refused:
            await attempt
        assert str(refused.value) == f"{engineer}. Nothing was changed."
    with pytest.raises(NotAllowed) as refused:
        await timesheet.waive(ticket_id, "U0LEAD", "product defect")
    assert "You can withdraw that statement with `/support statement globex 2026-11 withdraw`" in str(
        refused.value
    )
    assert await stored() == before
    await timesheet.log(ticket_id, "U0ENG1", 30)  # today, 1 December: an open month
    assert await TimeEntry.all().count() == 2


async def test_simultaneous_withdrawals_and_issues_each_happen_once(
    env: Env, timesheet: Timesheet, statements: Statements
) -> None:
    await globex_with_time(env, timesheet)
    await statements.issue("globex", NOVEMBER, "U0LEAD")
    results = await asyncio.gather(
        statements.withdraw("globex", NOVEMBER, "U0LEAD"),
        statements.withdraw("globex", NOVEMBER, "U0MGR"),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["NotFound", "Withdrawal"]
    assert await WithdrawnStatement.all().count() == 1 and await IssuedStatement.all().count() == 0
    issued = await asyncio.gather(
        statements.issue("globex", NOVEMBER, "U0LEAD"), statements.issue("globex", NOVEMBER, "U0MGR")
    )
    assert all(made.issued for made in issued) and issued[0].csv == issued[1].csv
    assert await IssuedStatement.all().count() == 1
