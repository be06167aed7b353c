"""What an e-mail reporter answers from their mailbox, end to end (mail in through the webhook route, every
mail out received by a real SMTP server, the signed links fetched over HTTP):

- the acknowledgement of a new request offers the best published answers, each with a signed
  **This solved it** link that closes the ticket as answered by that entry and counts a deflected request;
- fix pending and fix shipped are mailed (the release, until when, an **It still fails** link), a reply
  with words of its own reopens the ticket, a reply that only thanks does not, and nobody answering lets
  the ticket resolve itself.

A link only shows a page on GET (mail scanners open links); its button POSTs. Forged is 404, used or
out-of-date is 409, and neither changes anything."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from email.message import EmailMessage

import aiohttp
import pytest

from bot.clock import FakeClock
from bot.policy import Policy
from bot.services import answers
from bot.standin import SlackStandIn
from models import Deflection, Job, SlaClock, Ticket, TicketEvent, TicketStatus
from tests.bot.engineering.documented import JIRA_DONE
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import command, thread_notes
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
JIRA_SECRET = "jira-webhook-secret"
ISSUE = "https://acme.atlassian.net/browse/PAY-123"  # the documented Jira payload's issue, fix version 2.4.1
LINK = re.compile(re.escape(PUBLIC_URL) + r"(/mail/action/\S+)")


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
    async for running in start_bot(
        standin, database_url, clock, policy, environment=environment, jira_webhook_secret=JIRA_SECRET
    ):
        yield running


async def fetch(running: RunningBot, method: str, path: str, **kwargs: object) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.request(method, running.server.make_url(path), **kwargs) as answer:  # type: ignore[arg-type]
            status, text = answer.status, await answer.text()
    await running.settle()
    await settle_smtp()
    return status, text


async def send_in(running: RunningBot, raw: bytes) -> None:
    headers = {"Authorization": f"Bearer {WEBHOOK_TOKEN}", "Content-Type": "message/rfc822"}
    status, _ = await fetch(running, "POST", "/email/inbound", data=raw, headers=headers)
    assert status == 200


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def mailed(smtp: SmtpServer, words: str) -> list[str]:
    return [body(m) for m in smtp.recorder.to(ANNA) if words in body(m)]


async def publish(running: RunningBot) -> int:
    """A published answer from Globex's ticket, whose description is confidential."""
    source = await running.bot.deps.intake.save(
        running.bot.deps.intake.email_draft("globex", "Globex export", "Globex payroll of Jane Doe")
    )
    found = await answers.publish(
        title="Large exports time out", text="Schedule large exports overnight.", language="english",
        by="U0ENG1", ticket_id=source.id, now=running.clock.now(),
    )  # fmt: skip
    return found.id


# --- published answers in the acknowledgement ---


async def test_the_acknowledgement_offers_answers_whose_link_closes_the_ticket_once(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    answer_id = await publish(mailbot)
    await send_in(mailbot, mail("Exports time out", "The monthly export never finishes.\r\n"))
    ticket = await Ticket.get(source="email", customer="acme")
    assert ticket.status == TicketStatus.OPEN  # raised at once: its clock runs, nothing waits on the offer
    assert (await SlaClock.get(ticket_id=ticket.id, name="first_response")).state == "running"
    [ack] = mailed(smtp, "Your request is with second-line support")
    assert "Large exports time out" in ack and "Schedule large exports overnight." in ack
    assert "Globex" not in ack and "Jane" not in ack and "SUP-1" not in ack  # nothing of the source ticket
    [link] = LINK.findall(ack)
    assert "This solved it" in ack and link.startswith(f"/mail/action/solved.{ticket.id}.{answer_id}.")

    # Opening the link (or a mail scanner opening it) only asks.
    status, page = await fetch(mailbot, "GET", link)
    assert status == 200 and "Large exports time out" in page and '<form method="post"' in page
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN
    status, _ = await fetch(mailbot, "HEAD", link)
    assert status == 405

    status, page = await fetch(mailbot, "POST", link)
    assert status == 200 and f"{ticket.ref} is closed" in page
    solved = await Ticket.get(id=ticket.id)
    assert (solved.status, solved.resolution) == (TicketStatus.RESOLVED, "answered")
    assert "Large exports time out" in solved.resolution_note
    deflection = await Deflection.get()
    assert (deflection.customer, deflection.person, deflection.answer_id) == ("acme", ANNA, answer_id)
    assert any("published answer" in n and "solved it" in n for n in thread_notes(mailbot, ticket))
    assert mailed(smtp, "Your ticket is resolved: Answered.")
    await command(mailbot, "U0LEAD", "account acme")
    assert "*Solved by published answers:* 1 request" in mailbot.standin.posts_to("U0LEAD")[-1].args["text"]

    # Used again: a clear page, nothing changed, counted once.
    status, page = await fetch(mailbot, "POST", link)
    assert status == 409 and "no longer open" in page
    status, page = await fetch(mailbot, "GET", link)
    assert status == 409 and "nothing was changed" in page
    assert await Deflection.all().count() == 1

    # A request no answer matches is acknowledged without an offer.
    await send_in(mailbot, mail("Printer driver missing", "The label printer is not found.\r\n"))
    [ack] = mailed(smtp, "Printer driver missing")
    assert "published answers" not in ack and "/mail/action/" not in ack


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_forged_links_are_404_and_change_nothing(mailbot: RunningBot, smtp: SmtpServer) -> None:
    answer_id = await publish(mailbot)
    await send_in(mailbot, mail("Exports time out", "The monthly export never finishes.\r\n"))
    ticket = await Ticket.get(source="email", customer="acme")
    [link] = LINK.findall(mailed(smtp, "This solved it")[0])
    head, mac = link.rsplit(".", 1)
    forged = [
        f"{head}.{mac[:-1]}{'A' if mac[-1] != 'A' else 'B'}",  # tampered
        f"/mail/action/solved.{ticket.id - 1}.{answer_id}.{mac}",  # another ticket (Globex's), same MAC
        f"/mail/action/fails.{ticket.id}.{answer_id}.{mac}",  # another action, same MAC
        f"/csat/{ticket.id}.{mac}",  # not a satisfaction token either
        "/mail/action/not-a-token",
        f"/mail/action/solved.{'9' * 40}.{answer_id}.{mac}",
    ]
    for path in forged:
        for method in ("GET", "POST"):
            status, _ = await fetch(mailbot, method, path)
            assert status == 404, (method, path)
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN
    assert await Deflection.all().count() == 0


# --- the fix for their ticket, by mail ---


async def shipped(running: RunningBot, smtp: SmtpServer) -> tuple[Ticket, str]:
    """Anna's mailed request, resolved as a product defect, linked, its Jira issue done; the still-fails
    link of the fix-shipped mail."""
    await send_in(running, mail("Orders do not sync", message_id="first"))
    ticket = await Ticket.get(source="email")
    await running.bot.deps.transitions.claim(ticket.id, "U0ENG1")
    await running.bot.deps.transitions.resolve(
        ticket.id, "U0ENG1", "fixed_product_defect", "Orders over 100 lines were skipped.", 30
    )
    await running.settle()
    await settle_smtp()
    [pending] = mailed(smtp, "engineering team has it")
    assert pending.startswith(f"{ticket.ref}: Orders do not sync") and "Orders over 100 lines" in pending
    assert "now links" in await command(running, "U0ENG1", f"link {ticket.ref} {ISSUE}")
    status, _ = await fetch(running, "POST", f"/hooks/jira?secret={JIRA_SECRET}", json=JIRA_DONE)
    assert status == 200 and (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED
    [notice] = mailed(smtp, "has shipped")
    assert "It ships in 2.4.1." in notice
    # 45 hours on Acme's around-the-clock calendar (UTC) from Tuesday 17 Nov, 16:00.
    assert "tell us by Thursday 19 Nov, 13:00 UTC (45 business hours)" in notice
    assert "atlassian" not in notice and "PAY-123" not in notice  # the issue itself is internal
    [link] = LINK.findall(notice)
    assert link.startswith(f"/mail/action/fails.{ticket.id}.")
    return await Ticket.get(id=ticket.id), link


def reply(ticket: Ticket, text: str, message_id: str) -> bytes:
    return mail(f"Re: [{ticket.ref}] Orders do not sync", text, message_id=message_id)


async def test_a_thank_you_is_noted_and_words_of_their_own_reopen_it(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    ticket, _ = await shipped(mailbot, smtp)
    await send_in(
        mailbot, reply(ticket, "Thanks a lot, great work!\r\n\r\nBest regards,\r\nAnna\r\nAcme", "r1")
    )
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED  # the window runs on
    assert any("Thanks a lot" in n for n in thread_notes(mailbot, ticket))  # the team sees it still

    await send_in(mailbot, reply(ticket, "Thanks, but orders with 150 lines still do not arrive.\r\n", "r2"))
    reopened = await Ticket.get(id=ticket.id)
    assert reopened.status == TicketStatus.OPEN
    kinds = [e.kind for e in await TicketEvent.filter(ticket_id=ticket.id).order_by("id")]
    assert kinds.index("issue_linked") < kinds.index("fix_shipped") < kinds.index("fix_still_fails")
    assert any("150 lines" in n for n in thread_notes(mailbot, ticket))
    assert mailed(smtp, "the ticket is open again")


async def test_the_still_fails_link_reopens_once(mailbot: RunningBot, smtp: SmtpServer) -> None:
    ticket, link = await shipped(mailbot, smtp)
    status, page = await fetch(mailbot, "GET", link)
    assert status == 200 and "It still fails: reopen" in page
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.FIX_SHIPPED
    status, page = await fetch(mailbot, "POST", link)
    assert status == 200 and "open again" in page
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN
    assert any("does not solve it" in n for n in thread_notes(mailbot, ticket))
    events = await TicketEvent.filter(ticket_id=ticket.id, kind="fix_still_fails").count()

    status, page = await fetch(mailbot, "POST", link)  # replayed
    assert status == 409 and "nothing was changed" in page
    assert await TicketEvent.filter(ticket_id=ticket.id, kind="fix_still_fails").count() == events
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN


async def test_nobody_answers_and_the_ticket_resolves_itself(mailbot: RunningBot, smtp: SmtpServer) -> None:
    ticket, link = await shipped(mailbot, smtp)
    timer = await Job.get(kind="confirm_fix", ticket_id=ticket.id)
    mailbot.clock.set(timer.due_at)
    await mailbot.settle()
    await settle_smtp()
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.RESOLVED
    assert mailed(smtp, "Nobody said the shipped fix still fails")
    status, _ = await fetch(mailbot, "POST", link)  # too late for the link: nothing changes
    assert status == 409 and (await Ticket.get(id=ticket.id)).status == TicketStatus.RESOLVED
