"""The playground's JSON API, used as the page uses it: every gesture reaches the real bot as a signed Slack
request, and what the bot did shows in each persona's state."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.ids import Action, Block
from bot.policy import parse_config
from bot.standin.payloads import radio_value
from models import Page, Ticket, TicketStatus, TimeEntry
from tests.conftest import EXAMPLE_POLICY
from tests.e2e.journey import raise_values
from tests.playground import Playground, button, items, start_playground, ticket


async def test_a_key_user_raises_a_ticket_through_the_json_api_and_the_support_team_sees_it(
    playground: Playground,
) -> None:
    form = await playground.open_form("U0KEY1")
    assert form["modal"]["view"]["title"]["text"] == "Second-line support"
    assert (await playground.state("U0ENG1"))["modal"] is None  # the modal is the key user's alone

    message = await playground.raise_ticket("U0KEY1", title="Checkout <fails> & more")
    assert message["text"].startswith("SUP-1 P1 Emergency from Acme Corp")
    assert "Checkout &lt;fails&gt; &amp; more" in message["text"]  # escaped by the bot, as Slack gets it
    assert [b["type"] for b in message["blocks"]][:3] == ["section", "section", "section"]
    engineer = await playground.state("U0ENG1")
    assert ticket(engineer, "Checkout <fails> & more") is not None
    reporter = await playground.until(
        "U0KEY1", lambda s: any("SUP-1 raised" in str(i.get("text")) for i in s["dm"]["items"]), "the DM"
    )
    assert reporter["modal"] is None
    assert reporter["conversations"] == []  # the support channel is the vendor's: not the customer's
    timeline = await (await playground.client.get("/api/timeline", params={"since": "0"})).json()
    methods = [entry["method"] for entry in timeline["entries"]]
    # The start-up check: the token, the support channel, then each customer channel (Slack Connect).
    assert methods[:5] == ["auth.test", "conversations.info", "conversations.info", "auth.test", "views.open"]
    assert "chat.postMessage" in methods
    posted = next(e for e in timeline["entries"] if e["method"] == "chat.postMessage")
    assert posted["args"]["channel"] == "C0SUPPORT" and posted["ok"] and posted["response"]["ts"]


async def test_the_bots_errors_show_under_their_fields_and_the_form_stays_open(
    playground: Playground,
) -> None:
    form = await playground.open_form("U0KEY1")
    view_id = form["modal"]["view"]["id"]
    answer = await playground.post(
        "submit", persona="U0KEY1", view_id=view_id, values=raise_values(title=None)
    )
    assert answer["outcome"] == "errors"
    modal = (await playground.state("U0KEY1"))["modal"]
    assert modal["view"]["id"] == view_id
    assert modal["errors"] == {Block.TITLE: "Give the ticket a short title."}
    await playground.post("close", persona="U0KEY1", view_id=view_id)
    assert (await playground.state("U0KEY1"))["modal"] is None
    assert await Ticket.all().count() == 0


async def test_a_similar_open_ticket_is_offered_in_the_same_modal_and_raising_anyway_works(
    playground: Playground,
) -> None:
    await playground.raise_ticket("U0KEY1", title="Checkout fails")
    form = await playground.open_form("U0KEY1")
    view_id = form["modal"]["view"]["id"]
    answer = await playground.post("submit", persona="U0KEY1", view_id=view_id, values=raise_values())
    assert answer["outcome"] == "updated"  # response_action: update, on the same view
    modal = (await playground.state("U0KEY1"))["modal"]
    assert modal["view"]["id"] == view_id and "looks like the same problem" in str(modal["view"]["blocks"])
    choice = {Block.DUPLICATE_CHOICE: {Action.DUPLICATE_CHOICE: radio_value("new")}}
    answer = await playground.post(
        "submit", persona="U0KEY1", view_id=view_id, values={**raise_values(), **choice}
    )
    assert answer["outcome"] == "closed"
    await playground.until(
        "U0ENG1",
        lambda s: any(str(i.get("text")).startswith("SUP-2 ") for i in items(s)),
        "SUP-2",
    )


async def test_moving_the_clock_pages_the_lead_on_time_and_the_lead_acknowledges_from_the_dm(
    playground: Playground,
) -> None:
    start = playground.session.clock.now()
    await playground.raise_ticket("U0KEY1", priority="P1", title="Payroll down")  # Enterprise: 30 min
    await playground.post("clock", move="15m")
    assert not [i for i in (await playground.state("U0LEAD"))["dm"]["items"] if i["bot"]]
    moved = await playground.post("clock", move="15m")
    assert moved["now"] >= (start + timedelta(minutes=30)).isoformat()
    lead = await playground.until(
        "U0LEAD", lambda s: any("Escalation" in str(i.get("text")) for i in s["dm"]["items"]), "the page"
    )
    (page_message,) = [i for i in lead["dm"]["items"] if "Escalation" in str(i.get("text"))]
    assert "missed by 0m" in str(page_message["blocks"])  # fired at its own time, not late
    page = await Page.get(recipient="U0LEAD")
    assert not page.late

    where = {"surface": "message", "channel": lead["dm"]["id"], "ts": page_message["ts"]}
    await playground.post(
        "action", persona="U0LEAD", where=where, action=button(page_message, Action.ACKNOWLEDGE)
    )
    acknowledged = await playground.until(
        "U0LEAD",
        lambda s: any("Acknowledged by <@U0LEAD>" in str(i.get("blocks")) for i in s["dm"]["items"]),
        "the acknowledged page",
        timeout=2,  # at once: the worker planned its next look before the clock moved, and is told to re-plan
    )
    assert len([i for i in acknowledged["dm"]["items"] if i["bot"]]) == 1  # updated in place
    assert (await Page.get(id=page.id)).acknowledged_by == "U0LEAD"


async def test_a_key_users_reply_in_their_dm_resumes_the_ticket_waiting_on_them(
    playground: Playground,
) -> None:
    message = await playground.raise_ticket("U0KEY1", title="Export fails")
    where = {"surface": "message", "channel": "C0SUPPORT", "ts": message["ts"]}
    await playground.post("action", persona="U0ENG1", where=where, action=button(message, Action.CLAIM))
    claimed = await playground.until(
        "U0ENG1", lambda s: "claimed by <@U0ENG1>" in str(ticket(s, "Export fails")), "the claim"
    )
    current = ticket(claimed, "Export fails")
    assert current is not None
    await playground.post("action", persona="U0ENG1", where=where, action=button(current, Action.WAIT))
    asked = await playground.until("U0ENG1", lambda s: s["modal"] is not None, "the question form")
    form = asked["modal"]["view"]["id"]
    answer = await playground.post("submit", persona="U0ENG1", view_id=form, values={})
    assert answer["outcome"] == "closed", answer
    await playground.until(
        "U0ENG1", lambda s: "Waiting on customer ·" in str(ticket(s, "Export fails")), "waiting"
    )

    sent = await playground.post(
        "message", persona="U0KEY1", channel="D0KEY1", text="Logs attached <here> & there, @eng1"
    )
    state = await playground.until(
        "U0ENG1", lambda s: "Open · claimed" in str(ticket(s, "Export fails")), "the ticket resumed"
    )
    assert (await Ticket.get(title="Export fails")).status == TicketStatus.OPEN
    (mine,) = [i for i in items(await playground.state("U0KEY1"), "D0KEY1") if i["ts"] == sent["ts"]]
    assert mine["text"] == "Logs attached &lt;here&gt; &amp; there, <@U0ENG1>"  # as Slack delivers it
    replies = ticket(state, "Export fails")["replies"]  # type: ignore[index]
    assert any("Logs attached" in str(r.get("text")) for r in replies)  # the bot added it to the thread

    refused = await playground.client.post(
        "/api/message",
        json={"persona": "U0KEY1", "channel": "C0SUPPORT", "text": "hi", "thread_ts": message["ts"]},
    )
    assert refused.status == 400 and "not in #support" in (await refused.json())["error"]


async def test_private_answers_show_only_to_the_persona_they_were_for(playground: Playground) -> None:
    await playground.raise_ticket("U0KEY1", title="Reports are empty")
    await playground.post("command", persona="U0ENG1", text="/support list", channel="C0SUPPORT")
    engineer = await playground.until("U0ENG1", lambda s: [i for i in items(s) if i["ephemeral"]], "the list")
    (answer,) = [i for i in items(engineer) if i["ephemeral"]]
    assert "Reports are empty" in answer["text"] and answer["bot"]
    assert not [i for i in items(await playground.state("U0ENG2")) if i["ephemeral"]]  # in the channel too

    await playground.post("command", persona="U0ENG1", text="/support help", channel="C0SUPPORT")
    await playground.post("command", persona="U0ENG1", text="/supprot", channel="C0SUPPORT")
    shown = [i for i in items(await playground.state("U0ENG1")) if i["ephemeral"]]
    assert "Secondline: second-line support" in shown[1]["text"]  # the command's own answer
    assert shown[2]["user"] == "USLACKBOT" and "/supprot is not a valid command" in shown[2]["text"]


async def test_app_home_is_published_when_the_persona_opens_it(playground: Playground) -> None:
    await playground.raise_ticket("U0KEY1", title="Reports are empty")
    await playground.post("home", persona="U0ENG1")
    state = await playground.until("U0ENG1", lambda s: s["home"], "App Home")
    assert "Unclaimed, most urgent first" in str(state["home"]["blocks"]) and "Reports are empty" in str(
        state["home"]["blocks"]
    )
    assert (await playground.state("U0KEY1"))["home"] is None


async def test_a_scheduled_digest_arrives_at_its_time_with_its_chart_and_csv(tmp_path: Path) -> None:
    digest = '\ndigests:\n  - {cron: "0 8 * * *", timezone: America/Chicago, period: week, to: [U0MGR]}\n'
    policy = parse_config(EXAMPLE_POLICY.read_text() + digest, "digest.yml")
    async for running in start_playground(tmp_path / "digest", policy=policy):  # Tuesday 10:00 Central
        await running.raise_ticket("U0KEY1", title="Payroll down")
        moved = await running.post("clock", move="morning")
        assert moved["now"].startswith("2026-11-18T14:00:00")  # Wednesday 08:00 Central
        manager = await running.until(
            "U0MGR", lambda s: [f for i in s["dm"]["items"] for f in i["files"]], "the digest's files"
        )
        names = sorted(f["name"] for i in manager["dm"]["items"] for f in i["files"])
        assert [n.rpartition(".")[2] for n in names] == ["csv", "png"]
        chart = next(f for i in manager["dm"]["items"] for f in i["files"] if f["name"].endswith(".png"))
        served = await running.client.get(f"/api/files/{chart['id']}")
        assert served.status == 200 and served.content_type == "image/png"
        assert (await served.read()).startswith(b"\x89PNG")


async def test_reset_forgets_everything_and_starts_the_bot_again(playground: Playground) -> None:
    start = playground.session.clock.now()
    await playground.raise_ticket("U0KEY1", title="Payroll down")
    await playground.post("clock", move="1h")
    await playground.post("reset")
    state = await playground.state("U0ENG1")
    # The timeline holds only the new start-up check: auth.test, conversations.info of the support channel
    # and of the customer channel.
    assert items(state) == [] and state["dm"]["items"] == [] and state["timeline"] == 3
    assert abs(playground.session.clock.now() - start) < timedelta(minutes=1)
    assert await Ticket.all().count() == 0
    again = await playground.raise_ticket("U0KEY1", title="Payroll down again")
    assert again["text"].startswith("SUP-1 ")


async def test_it_uses_its_own_stand_in_and_database_whatever_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example.com/prod")
    monkeypatch.setenv("SLACK_API_URL", "https://slack.com/api/")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real-looking")
    async for running in start_playground(tmp_path / "mine"):
        settings = running.session.bot.settings
        assert settings.slack_api_url == running.session.standin.base_url
        assert settings.database_url == f"sqlite://{tmp_path / 'mine' / 'secondline.sqlite3'}"
        assert settings.redis_url is None and settings.bot_token.startswith("xoxb-playground")
        assert (tmp_path / "mine" / "secondline.sqlite3").exists()


async def test_the_api_refuses_what_it_cannot_do(playground: Playground) -> None:
    client = playground.client
    form = await client.post("/api/reset", data="persona=U0KEY1")  # another site's form post
    assert form.status == 415
    for path, body, error in [
        ("command", {"persona": "U0NOBODY", "text": "/support", "channel": "C0SUPPORT"}, "nobody in"),
        ("clock", {"move": "yesterday"}, "neither 'morning' nor a duration"),
        ("action", {"persona": "U0ENG1", "where": {"surface": "message", "channel": "C0SUPPORT", "ts": "1.2"},
                    "action": {"action_id": Action.CLAIM}}, "no message 1.2"),
        ("submit", {"persona": "U0KEY1", "view_id": "V0NONE", "values": {}}, "has no modal V0NONE"),
        ("message", {"persona": "U0KEY1", "channel": "C0SUPPORT", "text": " "}, "write something"),
    ]:  # fmt: skip
        response = await client.post(f"/api/{path}", json=body)
        assert response.status == 400 and error in (await response.json())["error"], path
    unknown = await client.get("/api/state", params={"persona": "U0NOBODY"})
    assert unknown.status == 400
    assert (await client.get("/api/files/F0NONE")).status == 404


async def test_an_engineer_logs_time_with_a_colleague_named_as_typed(playground: Playground) -> None:
    message = await playground.raise_ticket("U0KEY1", title="Payroll down")
    where = {"surface": "message", "channel": "C0SUPPORT", "ts": message["ts"]}
    await playground.post("action", persona="U0ENG1", where=where, action=button(message, Action.CLAIM))
    await playground.post(
        "command", persona="U0ENG1", text="/support log SUP-1 45m with @eng2 on a call", channel="C0SUPPORT"
    )  # the README's example, with a name the playground's workspace has
    answer = await playground.until(
        "U0ENG1", lambda s: [i for i in items(s) if "Logged 45m" in str(i.get("text"))], "the answer"
    )
    assert "for <@U0ENG1>, <@U0ENG2>" in str([i["text"] for i in items(answer) if i["ephemeral"]])
    entries = await TimeEntry.all().order_by("agent")
    assert [(e.agent, e.minutes, e.logged_by) for e in entries] == [
        ("U0ENG1", 45, "U0ENG1"),
        ("U0ENG2", 45, "U0ENG1"),
    ]


async def test_each_persona_sees_and_acts_only_in_the_conversations_they_are_in(
    playground: Playground,
) -> None:
    message = await playground.raise_ticket("U0KEY1", title="Payroll down")
    engineer, customer = await playground.state("U0ENG1"), await playground.state("U0KEY2")
    # The vendor's staff are in the support channel and in the customers' shared channels (Soylent's).
    assert [c["id"] for c in engineer["conversations"]] == ["C0SUPPORT", "C0SOYLENT"]
    assert customer["conversations"] == [] and "Payroll down" not in str(customer)  # another customer's
    where = {"surface": "message", "channel": "C0SUPPORT", "ts": message["ts"]}
    for path, body, error in [
        ("command", {"persona": "U0KEY2", "text": "/support", "channel": "C0SUPPORT"}, "not in #support"),
        ("action", {"persona": "U0KEY2", "where": where, "action": button(message, Action.CLAIM)}, "not in"),
        ("message", {"persona": "U0KEY2", "channel": "C0SUPPORT", "text": "hello"}, "not in #support"),
        ("message", {"persona": "U0KEY2", "channel": "D0KEY1", "text": "hello"}, "no conversation D0KEY1"),
    ]:  # fmt: skip
        response = await playground.client.post(f"/api/{path}", json=body)
        assert response.status == 400 and error in (await response.json())["error"], path
    assert (await Ticket.get(title="Payroll down")).owner_id is None
    assert len(items(await playground.state("U0ENG1"))) == 1  # nothing was posted


async def test_the_state_names_the_personas_timezone_and_permalinks_open_the_page(
    playground: Playground,
) -> None:
    playground.session.standin.users["U0KEY1"]["tz"] = "Europe/Berlin"
    state = await playground.state("U0KEY1")
    assert state["tz"] == "Europe/Berlin" and state["workspace"] == "acme.slack.com"
    assert (await playground.state("U0ENG1"))["tz"] == "America/Chicago"
    page = await playground.client.get("/archives/C0SUPPORT/p1794931200000100", params={"thread_ts": "1.2"})
    assert page.status == 200 and "<title>Secondline playground</title>" in await page.text()


async def test_closing_a_modal_tells_the_bot_only_when_the_view_asked_for_it(
    playground: Playground, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, Any]] = []
    slack = playground.session.gestures.slack
    real_send = slack.send

    async def recording(body: bytes, content_type: str) -> tuple[int, str]:
        fields = parse_qs(body.decode())
        if "payload" in fields:
            sent.append(json.loads(fields["payload"][0]))
        return await real_send(body, content_type)

    monkeypatch.setattr(slack, "send", recording)
    for notify in (False, True):
        form = await playground.open_form("U0KEY1")
        view_id = form["modal"]["view"]["id"]
        playground.session.standin.views[view_id]["notify_on_close"] = notify
        await playground.post("close", persona="U0KEY1", view_id=view_id)
        assert (await playground.state("U0KEY1"))["modal"] is None
    (closed,) = [p for p in sent if p["type"] == "view_closed"]
    assert (
        closed["view"]["id"] == view_id and closed["user"]["id"] == "U0KEY1" and closed["is_cleared"] is False
    )


async def test_the_api_answers_400_to_a_body_it_cannot_decode(playground: Playground) -> None:
    for body, content_type in [
        (b'{"persona": "\xff\xfe"}', "application/json"),  # not UTF-8
        (b"{}", "application/json; charset=x-no-such-charset"),
    ]:
        headers = {"Content-Type": content_type}
        response = await playground.client.post("/api/reset", data=body, headers=headers)
        assert response.status == 400, content_type
