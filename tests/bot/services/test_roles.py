"""Who someone is to a ticket, and the one permission check every action goes through."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.permissions import Do, Role
from bot.policy import parse_config
from bot.services.errors import NotAllowed
from models import TicketStatus
from tests.bot.services.conftest import Env, build_env
from tests.conftest import EXAMPLE_POLICY


@pytest.mark.parametrize(
    ("user", "roles"),
    [
        ("U0ENG1", {Role.ENGINEER}),
        ("U0LEAD", {Role.ESCALATION}),
        ("U0EXEC2", {Role.ESCALATION}),
        ("U0KEY2", {Role.KEY_USER}),
        ("U0STRANGER", set()),
    ],
)
def test_roles_without_a_ticket(env: Env, user: str, roles: set[Role]) -> None:
    assert env.roles.of(user) == roles


async def test_roles_towards_a_ticket(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")  # raised by U0KEY2 for Globex
    assert env.roles.of("U0KEY2", ticket) == {Role.KEY_USER, Role.REPORTER}
    assert env.roles.of("U0KEY9", ticket) == {Role.KEY_USER}  # Globex's other key user
    assert env.roles.of("U0KEY1", ticket) == set()  # Acme's key user is nobody to Globex's ticket
    assert env.roles.of("U0ENG1", ticket) == {Role.ENGINEER, Role.OWNER}
    assert env.roles.of("U0ENG2", ticket) == {Role.ENGINEER}
    assert env.roles.of("U0MGR", ticket) == {Role.ESCALATION}


async def test_a_refusal_says_who_may(env: Env) -> None:
    ticket = await env.claimed("U0ENG1")
    with pytest.raises(NotAllowed) as refused:
        env.roles.require(Do.RESOLVE, "U0ENG2", ticket)
    assert str(refused.value) == (
        "Only the ticket's owner, leads, managers and executives can resolve a ticket. Nothing was changed."
    )
    env.roles.require(Do.RESOLVE, "U0ENG1", ticket)
    env.roles.require(Do.ACKNOWLEDGE, "U0ENG2", ticket, {Role.PAGED})  # a role the caller knows of
    with pytest.raises(NotAllowed):
        env.roles.require(Do.ACKNOWLEDGE, "U0ENG2", ticket)


def test_staff_are_engineers_and_escalation_levels(env: Env) -> None:
    assert [env.roles.is_staff(u) for u in ("U0ENG2", "U0EXEC1", "U0KEY2", "U0STRANGER")] == [
        True,
        True,
        False,
        False,
    ]


async def test_the_policy_may_change_who_does_what(database: None, clock: FakeClock) -> None:
    text = EXAMPLE_POLICY.read_text().replace(
        "engineers:", "permissions:\n  resolve: [engineer]\n\nengineers:"
    )
    env = build_env(parse_config(text), clock)
    ticket = await env.claimed("U0ENG1")
    with pytest.raises(NotAllowed, match="Only support engineers can resolve a ticket"):
        await env.transitions.resolve(ticket.id, "U0LEAD", "fixed", "", None)
    resolved = await env.transitions.resolve(ticket.id, "U0ENG2", "fixed", "", None)  # not the owner
    assert resolved.status == TicketStatus.RESOLVED


async def test_people_listed_by_e_mail_are_escalation_once_looked_up(
    database: None, clock: FakeClock
) -> None:
    text = EXAMPLE_POLICY.read_text().replace("manager: [U0MGR]", "manager: [boss@example.com]")
    env = build_env(parse_config(text), clock, emails={"boss@example.com": "U0BOSS"})
    assert Role.ESCALATION not in env.roles.of("U0BOSS")
    await env.directory.resolve_all()
    assert env.roles.of("U0BOSS") == {Role.ESCALATION}
    ticket = await env.raise_ticket()
    assert (await env.transitions.claim(ticket.id, "U0BOSS")).won
