"""The people the page lets you be: everyone the policy names, with their roles, seeded into the stand-in.

People the policy names by e-mail get a made-up Slack id and that e-mail in the stand-in's workspace, so
the bot's e-mail look-ups find them as they would in a real workspace. The support channel is the vendor's
own: its staff (engineers, escalation levels, account managers) are in it, customers' key users are not
(they follow their tickets in their DMs with the bot). People on an on-call rotation live in its timezone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from bot.policy import EMAIL, Policy
from bot.policy.escalation import Rotation
from bot.standin import DEFAULT_TZ, TEAM_ID, SlackStandIn

KEY_USER = "key user"


@dataclass
class Persona:
    id: str
    name: str  # the handle mentions show: @key1
    roles: list[str] = field(default_factory=list)
    email: str | None = None  # when the policy names this person by e-mail
    tz: str = DEFAULT_TZ  # as the stand-in's users.info gives it
    # Their own Slack organisation (a Slack Connect customer's key user): None for the vendor's workspace.
    team: str | None = None
    channels: list[str] = field(default_factory=list)  # their organisation's channels shared with the vendor

    @property
    def staff(self) -> bool:
        """The vendor's own people: anyone with a role besides key user of a customer."""
        return any(not role.startswith(KEY_USER) for role in self.roles)

    @property
    def label(self) -> str:
        return f"@{self.name} · {', '.join(self.roles)}"

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "roles": self.roles, "label": self.label,
            "organisation": self.team, "channels": self.channels,
        }  # fmt: skip


def slack_id(person: str) -> str:
    """The Slack id of a person as the policy writes them: the id itself, or one made up for an e-mail."""
    if not EMAIL.match(person):
        return person
    return "U0" + hashlib.sha1(person.lower().encode()).hexdigest()[:8].upper()


def handle(person: str) -> str:
    """`U0KEY1` -> `key1`, `pat@example.com` -> `pat`: short names, as the stand-in names people."""
    if EMAIL.match(person):
        return person.partition("@")[0].lower()
    return (person[2:] if person.startswith(("U0", "W0")) else person).lower()


def personas(policy: Policy) -> list[Persona]:
    """Key users (customer by customer), engineers, the escalation levels in order, account managers."""
    found: dict[str, Persona] = {}

    def add(person: str, role: str) -> None:
        uid = slack_id(person)
        entry = found.setdefault(
            uid, Persona(uid, handle(person), email=person if EMAIL.match(person) else None)
        )
        if role not in entry.roles:
            entry.roles.append(role)

    for customer in policy.customers.values():
        for person in customer.key_users:
            if customer.teams:  # in their own organisation: they reach us through their shared channel
                add(person, f"{KEY_USER}, {customer.name} (own Slack)")
                found[slack_id(person)].team = customer.teams[0]
                found[slack_id(person)].channels = list(customer.channels)
            else:
                add(person, f"{KEY_USER}, {customer.name}")
    for person in policy.engineers:
        add(person, "engineer")
    for level_name, level in policy.escalation.levels.items():
        for person in level.rotation if isinstance(level, Rotation) else level:
            add(person, f"{level_name} (on call)" if isinstance(level, Rotation) else level_name)
            if isinstance(level, Rotation):
                found[slack_id(person)].tz = level.timezone
    for customer in policy.customers.values():
        if customer.account_manager:
            add(customer.account_manager, f"account manager, {customer.name}")
    return list(found.values())


def seed(standin: SlackStandIn, policy: Policy, people: list[Persona]) -> None:
    """Each person with their handle, roles and timezone; the support channel with the bot and the staff."""
    for persona in people:
        standin.add_user(
            persona.id, name=persona.name, real_name=", ".join(persona.roles), email=persona.email,
            tz=persona.tz, team=persona.team or TEAM_ID,
        )  # fmt: skip
    standin.seed_from_policy(policy)  # the channel, with everyone named by id; people kept as seeded above
    support = str(policy.support_channel)
    standin.leave(support, *(p.id for p in people if not p.staff))
    # The support channel is the vendor's: people of a customer's own organisation are never in it.
    standin.join(support, *(p.id for p in people if p.staff and p.team is None))
