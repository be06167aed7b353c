"""Who acts for whom in customers' own channels: decided on the person's id and organisation, never on the
envelope; a channel's id change is followed by its tickets."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.policy import Policy, parse_config
from bot.services.connect import Connect
from bot.services.errors import NotAllowed
from bot.startup import SlackHealth
from models import Ticket
from tests.bot.services.conftest import Env, build_env
from tests.conftest import EXAMPLE_POLICY


@pytest.fixture
def plain(policy: Policy, clock: FakeClock) -> Env:
    """The services without a database: enough for decisions that read only the policy."""
    return build_env(policy, clock)


def connect_of(env: Env, policy: Policy | None = None, vendor: str | None = "T0TEAM") -> Connect:
    policy = policy or env.policy
    return Connect(policy, env.clock, env.jobs, env.roles, env.sla, env.transitions, env.deliveries,
                   SlackHealth(team_id=vendor))  # fmt: skip


@pytest.mark.parametrize(
    ("user", "team", "may"),
    [
        ("U0SOYKEY1", "T0SOYLENT", True),  # Soylent's key user, from Soylent
        ("U0SOYKEY1", "T0TEAM", True),  # … or as a guest of the vendor's workspace
        ("U0SOYKEY1", "T0EVIL", False),  # forged: another organisation
        ("U0ENG1", "T0TEAM", True),
        ("U0ENG1", "T0SOYLENT", False),  # an engineer's id from a customer's organisation
        ("U0KEY1", "T0SOYLENT", False),  # Acme's key user (workspace) claiming to be of Soylent
        ("U0NOBODY", "T0ANY", True),  # someone the policy does not name has nothing to forge
        ("U0SOYKEY1", None, True),  # no organisation given (a direct message): the id decides
    ],
)
def test_may_act_from(plain: Env, user: str, team: str | None, may: bool) -> None:
    connect = connect_of(plain)
    assert connect.may_act_from(user, team) is may
    if not may:
        with pytest.raises(NotAllowed, match="another organisation"):
            connect.require_actor(user, team)


def test_an_enterprise_grid_organisation_is_named_by_its_e_id(plain: Env) -> None:
    text = EXAMPLE_POLICY.read_text().replace("teams: [T0SOYLENT]", "teams: [E0SOYGRID]")
    connect = connect_of(plain, parse_config(text, "grid.yml"))
    assert connect.may_act_from("U0SOYKEY1", "E0SOYGRID") and not connect.may_act_from(
        "U0SOYKEY1", "T0SOYLENT"
    )


def test_before_slack_named_the_vendor_a_customers_organisation_is_still_not_the_vendors(plain: Env) -> None:
    connect = connect_of(plain, vendor=None)
    assert not connect.may_act_from("U0ENG1", "T0SOYLENT")
    assert connect.may_act_from("U0SOYKEY1", "T0SOYLENT")
    assert connect.may_act_from("U0ENG1", "T0ELSE")  # not yet known: any non-customer organisation …
    connect.learn_vendor("T0TEAM")  # … until an event's envelope names the vendor's workspace
    connect.learn_vendor("T0OTHER")  # (learnt once)
    assert not connect.may_act_from("U0ENG1", "T0ELSE") and connect.may_act_from("U0ENG1", "T0TEAM")


async def test_a_channels_new_id_is_followed_by_its_tickets(env: Env) -> None:
    ticket = await env.intake.raise_ticket(env.draft())
    await Ticket.filter(id=ticket.id).update(customer_channel="G0SOYLENT", source="slack_connect")
    other = EXAMPLE_POLICY.read_text().replace("channels: [C0SOYLENT]", "channels: [G0SOYLENT]")
    connect = connect_of(build_env(parse_config(other, "p.yml"), env.clock))
    assert await connect.channel_moved("G0SOYLENT", "C0SOYSHARED") == 1
    assert (await Ticket.get(id=ticket.id)).customer_channel == "C0SOYSHARED"
    assert connect.customer_of("C0SOYSHARED") == "soylent"  # until the policy file names the new id
    # Another replica (or this one after a restart) follows the move too, read from the database; a
    # second move of the same channel still leads to the id the policy names.
    replica = connect_of(build_env(parse_config(other, "p.yml"), env.clock))
    assert replica.customer_of("C0SOYSHARED") is None and await replica.knows("C0SOYSHARED") == "soylent"
    await replica.channel_moved("C0SOYSHARED", "C0SOYAGAIN")
    later = connect_of(build_env(parse_config(other, "p.yml"), env.clock))
    assert await later.knows("C0SOYAGAIN") == "soylent" and await later.knows("C0UNKNOWN") is None


async def test_an_ended_share_is_shown_until_shared_again(plain: Env) -> None:
    connect = connect_of(plain)
    connect.unshared("C0SOYLENT", "T0SOYLENT", still_shared=False)
    assert connect.health.unshared["C0SOYLENT"].endswith("its people no longer see the channel")
    connect.shared("C0SOYLENT", "T0SOYLENT")
    assert connect.health.unshared == {}
    connect.unshared("C0ELSEWHERE", "T0X", still_shared=False)  # not a customer's channel: nothing
    assert connect.health.unshared == {}
