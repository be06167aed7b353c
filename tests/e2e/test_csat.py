"""The satisfaction question end to end: asked by DM after a Slack ticket is resolved and answered with a
signed click and the comment modal; mailed for an e-mail ticket and answered through the signed link route;
the low-score alert reaching the lead; the cooldown; clicks by anyone but the reporter refused."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import aiohttp
import pytest

from bot.clock import FakeClock
from bot.ids import Action, Block, Callback
from bot.policy import Policy
from bot.services.connect import FORGED
from bot.standin import SlackStandIn
from bot.standin.payloads import block_actions, text_value, view_submission
from models import CsatSurvey, Ticket, TicketEvent
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import advance, click, command, raise_ticket, told
from tests.mailservers import (
    ANNA,
    MAIL_ENV,
    WEBHOOK_TOKEN,
    SmtpServer,
    mail,
    mail_policy_data,
    settle_smtp,
    smtp_server,
)

PUBLIC_URL = "https://support.vendor.example"
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def resolved_ticket(running: RunningBot, user: str = "U0KEY1", title: str = "Checkout fails") -> Ticket:
    ticket = await raise_ticket(running, user, title=title)
    await click(running, "U0ENG1", Action.CLAIM, ticket)
    await running.bot.deps.transitions.resolve(ticket.id, "U0ENG1", "fixed", "Restarted the payment job.", 20)
    await advance(running, timedelta(minutes=2))  # the question follows the "resolved" news
    return ticket


def questions_to(running: RunningBot, user: str) -> list[Any]:
    return [c for c in running.standin.posts_to(user) if "How did we do?" in c.args.get("text", "")]


async def click_score(
    running: RunningBot, user: str, action_id: str, ticket: Ticket, team: str | None = None
) -> None:
    """Click one of the question's buttons in the reporter's DM, as Slack sends it (signed)."""
    body, content_type = block_actions(
        user, action_id, str(ticket.id), block_id=Block.CSAT_SCORES, channel_id="D" + user[1:]
    )
    if team is not None:  # the same user id, but the click comes from another organisation
        payload = json.loads(parse_qs(body.decode())["payload"][0])
        payload["user"]["team_id"] = team
        body = urlencode({"payload": json.dumps(payload)}).encode()
    status, _ = await running.slack.send(body, content_type)
    assert status == 200
    await running.settle()


async def submit_comment(running: RunningBot, user: str, ticket: Ticket, text: str) -> dict[str, Any]:
    values: dict[str, dict[str, dict[str, Any]]] = {
        Block.CSAT_COMMENT: {Action.CSAT_COMMENT: text_value(text)}
    }
    status, body = await running.slack.send(
        *view_submission(user, Callback.CSAT_COMMENT_MODAL, values, private_metadata=str(ticket.id))
    )
    assert status == 200
    await running.settle()
    return json.loads(body) if body.strip() else {}


async def test_a_dm_reporter_is_asked_answers_with_a_click_and_a_comment(running: RunningBot) -> None:
    ticket = await resolved_ticket(running)
    [question] = questions_to(running, "U0KEY1")
    buttons = [e for b in question.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [b["action_id"] for b in buttons] == [Action.CSAT_1, Action.CSAT_2, Action.CSAT_3, Action.CSAT_4,
                                                 Action.CSAT_5]  # fmt: skip
    assert "U0ENG1" not in json.dumps(question.args)  # nothing internal: not even who resolved it
    opened = len(running.standin.calls_to("views.open"))
    await click_score(running, "U0KEY1", Action.CSAT_4, ticket)
    assert (await CsatSurvey.get(ticket_id=ticket.id)).score == 4
    modal = running.standin.calls_to("views.open")[opened].args["view"]
    assert modal["callback_id"] == Callback.CSAT_COMMENT_MODAL and "4 - Good" in json.dumps(modal)
    assert await submit_comment(running, "U0KEY1", ticket, "Quick and friendly") == {}
    survey = await CsatSurvey.get(ticket_id=ticket.id)
    assert (survey.score, survey.comment) == (4, "Quick and friendly")
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id, kind__startswith="csat")]
    assert kinds == ["csat_asked", "csat_answered", "csat_comment"]
    shown = await command(running, "U0ENG1", f"show {ticket.ref}")
    assert "*Satisfaction:* 4 of 5 (Good)" in shown and "Quick and friendly" in shown
    assert not [c for c in running.standin.posts_to("U0LEAD") if ticket.ref in c.args.get("text", "")]
    await command(running, "U0AM1", "account")  # Acme's account manager sees it at a glance
    assert "*Satisfaction:* 4.00 of 5 (1 answer)" in running.standin.posts_to("U0AM1")[-1].args["text"]
    await command(running, "U0LEAD", "report month")  # the same words as the digests
    report = running.standin.posts_to("U0LEAD")[-1].args["text"]
    assert "*Acme Corp*: 1 ticket" in report and "satisfaction 4.00 of 5 (1 answer)" in report
    (table,) = [
        f for f in running.standin.files.values() if "D0LEAD" in f.channels and f.filename.endswith(".csv")
    ]
    [row] = list(csv.DictReader(io.StringIO((table.content or b"").decode())))
    assert (row["customer"], row["csat_responses"], row["csat_avg"]) == ("acme", "1", "4.00")


async def test_a_low_score_reaches_the_lead_with_the_comment(running: RunningBot) -> None:
    ticket = await resolved_ticket(running)
    await click_score(running, "U0KEY1", Action.CSAT_1, ticket)
    await submit_comment(running, "U0KEY1", ticket, "Nobody <called> back")
    to_lead = [c.args["text"] for c in running.standin.posts_to("U0LEAD") if ticket.ref in c.args["text"]]
    assert len(to_lead) == 2 and "1 of 5" in to_lead[0]
    assert "Nobody &lt;called&gt; back" in to_lead[1]
    await click_score(running, "U0KEY1", Action.CSAT_2, ticket)  # changed, still low: told once already
    assert len([c for c in running.standin.posts_to("U0LEAD") if ticket.ref in c.args["text"]]) == 2


@SQLITE_ONLY
async def test_only_the_reporter_may_answer_and_is_asked_once_per_cooldown(running: RunningBot) -> None:
    ticket = await resolved_ticket(running)
    await click_score(running, "U0ENG1", Action.CSAT_5, ticket)  # someone else clicks
    await click_score(running, "U0KEY1", Action.CSAT_5, ticket, team="T0OTHERORG")  # their id, another org
    assert (await CsatSurvey.get(ticket_id=ticket.id)).score is None
    assert any("Only the person who raised" in t for t in await told(running, "U0ENG1"))
    # The forged organisation is refused before the question's own check (bot/services/connect.py).
    assert any(FORGED in t for t in await told(running, "U0KEY1"))
    refused = await submit_comment(running, "U0ENG1", ticket, "forged")
    assert refused["response_action"] == "errors"
    # A second ticket resolved within three days: not asked again.
    await resolved_ticket(running, title="Second problem")
    assert len(questions_to(running, "U0KEY1")) == 1


# --- e-mail tickets: the question is mailed, answered through the signed link route ---


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


@pytest.fixture
async def mailbot(
    standin: SlackStandIn, database_url: str, clock: FakeClock, smtp: SmtpServer
) -> AsyncIterator[RunningBot]:
    policy = Policy.model_validate(mail_policy_data(smtp.port))
    standin.seed_from_policy(policy)
    environment = {**MAIL_ENV, "PUBLIC_URL": PUBLIC_URL}
    async for running_bot in start_bot(standin, database_url, clock, policy, environment=environment):
        yield running_bot


async def fetch(running: RunningBot, method: str, path: str, **kwargs: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.request(method, running.server.make_url(path), **kwargs) as answer:
            return answer.status, await answer.text()


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


async def mailed_links(running: RunningBot, smtp: SmtpServer) -> tuple[Ticket, dict[int, str]]:
    status, _ = await fetch(
        running, "POST", "/email/inbound", data=mail("Orders do not sync", message_id="first"),
        headers={"Authorization": f"Bearer {WEBHOOK_TOKEN}", "Content-Type": "message/rfc822"},
    )  # fmt: skip
    assert status == 200
    await running.settle()
    ticket = await Ticket.get(source="email")
    await running.bot.deps.transitions.resolve(ticket.id, "U0LEAD", "fixed", "Queue restarted.", 10)
    await advance(running, timedelta(minutes=2))
    await settle_smtp()
    [question] = [m for m in smtp.recorder.to(ANNA) if "How did we do?" in body(m)]
    assert question["Subject"].startswith(f"[{ticket.ref}]")
    text = body(question)
    links = {int(n): link for n, link in re.findall(r"  (\d) - \w[\w ]*: (\S+)", text)}
    assert sorted(links) == [1, 2, 3, 4, 5] and all(
        link.startswith(f"{PUBLIC_URL}/csat/") for link in links.values()
    )
    return ticket, {n: urlsplit(link).path + "?" + urlsplit(link).query for n, link in links.items()}


async def test_an_email_reporter_answers_through_the_signed_link(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    ticket, links = await mailed_links(mailbot, smtp)
    status, page = await fetch(mailbot, "GET", links[2])
    assert status == 200 and "2 - Poor" in page and '<form method="post"' in page
    assert (await CsatSurvey.get(ticket_id=ticket.id)).score == 2
    await mailbot.settle()
    to_lead = [c.args["text"] for c in mailbot.standin.posts_to("U0LEAD") if ticket.ref in c.args["text"]]
    assert len(to_lead) == 1 and "2 of 5" in to_lead[0]
    path = links[2].split("?")[0]
    status, page = await fetch(mailbot, "POST", path, data={"comment": "Slow <b>first</b> answer"})
    assert status == 200 and "Thank you for your comment" in page
    survey = await CsatSurvey.get(ticket_id=ticket.id)
    assert (survey.score, survey.comment) == (2, "Slow <b>first</b> answer")
    status, _ = await fetch(mailbot, "GET", links[5])  # changed within 7 days
    assert status == 200 and (await CsatSurvey.get(ticket_id=ticket.id)).score == 5
    event = await TicketEvent.filter(ticket_id=ticket.id, kind="csat_changed").first()
    assert event is not None and event.actor == "customer by e-mail"
    mailbot.clock.advance(timedelta(days=8))
    status, page = await fetch(mailbot, "GET", links[1])
    assert status == 403 and "7 days" in page
    assert (await CsatSurvey.get(ticket_id=ticket.id)).score == 5


@SQLITE_ONLY
async def test_forged_tokens_and_bad_input_get_4xx_and_change_nothing(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    ticket, links = await mailed_links(mailbot, smtp)
    path = links[3].split("?")[0]
    survey_id, mac = path.rsplit("/", 1)[1].split(".", 1)
    forged = [
        f"/csat/{survey_id}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}?score=3",
        f"/csat/{int(survey_id) + 1}.{mac}?score=3",
        f"/csat/{survey_id}?score=3",
        "/csat/not-a-token?score=3",
        f"/csat/{'9' * 40}.{mac}?score=3",
    ]
    for link in forged:
        status, _ = await fetch(mailbot, "GET", link)
        assert status == 404, link
    status, _ = await fetch(mailbot, "POST", forged[0].split("?")[0], data={"comment": "x"})
    assert status == 404
    for bad in ("9", "", "abc", "3.0"):
        status, page = await fetch(mailbot, "GET", f"{path}?score={bad}")
        assert status == 400 and "Choose one of the answers" in page
    status, _ = await fetch(mailbot, "HEAD", links[3])  # a link scanner's probe answers nothing
    assert status == 405
    status, _ = await fetch(mailbot, "POST", path, data={"comment": "before any score"})
    assert status == 400
    status, _ = await fetch(mailbot, "POST", path, data="x" * 10, headers={"Content-Type": "text/plain"})
    assert status == 400
    assert (await CsatSurvey.get(ticket_id=ticket.id)).score is None
    status, page = await fetch(mailbot, "GET", path)  # no score yet: the five answers
    assert status == 200 and page.count("?score=") == 5
