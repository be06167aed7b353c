"""The playground's Slack Connect persona: Soylent's key user, in Soylent's own organisation, sees only their
side (their shared channel, no support channel, no App Home, no slash command) and takes a ticket from their
channel to the support channel and back."""

from __future__ import annotations

from bot.ids import Action
from bot.playground.people import personas
from bot.policy import Policy
from models import Ticket
from tests.e2e.journey import raise_values
from tests.playground import Playground, button, items, ticket

KEY = "U0SOYKEY1"


def test_the_customers_key_user_is_a_persona_of_their_own_organisation(policy: Policy) -> None:
    soy = next(p for p in personas(policy) if p.id == KEY)
    assert soy.team == "T0SOYLENT" and soy.channels == ["C0SOYLENT"]
    assert soy.as_json()["organisation"] == "T0SOYLENT"


async def test_the_customer_persona_sees_only_their_side_and_a_ticket_travels_both_ways(
    playground: Playground,
) -> None:
    mine = await playground.state(KEY)
    assert [c["id"] for c in mine["conversations"]] == ["C0SOYLENT"] and mine["organisation"] == "T0SOYLENT"
    assert KEY not in playground.session.standin.channels["C0SUPPORT"].members
    assert (await playground.post("command", persona=KEY, text="/support", channel="C0SOYLENT"))["ok"]
    assert "not a valid command" in str(items(await playground.state(KEY), "C0SOYLENT"))
    home = await playground.client.post("/api/home", json={"persona": KEY})
    assert home.status != 200  # no App Home for them

    sent = await playground.post("message", persona=KEY, channel="C0SOYLENT", text="@Secondline exports fail")
    state = await playground.until(
        KEY, lambda s: any(i.get("replies") for i in items(s, "C0SOYLENT")), "the card in the thread"
    )
    (asked,) = [i for i in items(state, "C0SOYLENT") if i["ts"] == sent["ts"]]
    card = asked["replies"][0]
    where = {"surface": "message", "channel": "C0SOYLENT", "ts": card["ts"]}
    await playground.post("action", persona=KEY, where=where, action=button(card, Action.RAISE_FROM_CARD))
    form = await playground.until(
        KEY, lambda s: s["modal"] and "exports fail" in str(s["modal"]), "the raise form, filled in"
    )
    values = raise_values(title="Exports fail", priority="P2")
    answer = await playground.post("submit", persona=KEY, view_id=form["modal"]["view"]["id"], values=values)
    assert answer["outcome"] == "closed", answer
    engineer = await playground.until("U0ENG1", lambda s: ticket(s, "Exports fail"), "the ticket in #support")
    posted = ticket(engineer, "Exports fail")
    assert posted is not None
    await playground.post(
        "action", persona="U0ENG1", where={"surface": "message", "channel": "C0SUPPORT", "ts": posted["ts"]},
        action=button(posted, Action.CLAIM),
    )  # fmt: skip
    back = await playground.until(
        KEY, lambda s: "being worked on by" in str(items(s, "C0SOYLENT")), "the claim in their thread"
    )
    assert "Claim" not in str(items(back, "C0SOYLENT"))  # no engineer button on their side
    assert (await Ticket.get(title="Exports fail")).source == "slack_connect"
