"""E-mail as the second front door, end to end: mail in through the real webhook routes, the real bot (its
worker driven by the test) and the Slack stand-in, and every mail the bot sends received by a real SMTP
server (aiosmtpd) whose headers and threading are checked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage

import aiohttp
import pytest

from bot.billing.statement import Month
from bot.clock import FakeClock
from bot.ids import Action
from bot.jobs.kinds import NotifyReporter
from bot.policy import Policy
from bot.standin import SlackStandIn
from models import InboundMail, Job, JobStatus, OutboundMail, Ticket, TicketStatus
from tests.conftest import RunningBot, start_bot
from tests.e2e.journey import channel_message, click, command, thread_notes
from tests.mailservers import (
    ANNA,
    HANK,
    MAIL_ENV,
    MAILGUN_KEY,
    SUPPORT,
    WEBHOOK_TOKEN,
    SmtpServer,
    mail,
    mail_policy_data,
    settle_smtp,
    smtp_server,
)

RAW = "/email/inbound"
# Input checks touch no database-specific behaviour: run them on SQLite only, to keep the suite fast.
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
BEARER = {"Authorization": f"Bearer {WEBHOOK_TOKEN}", "Content-Type": "message/rfc822"}


def basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"inbound:{password}".encode()).decode()}


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    yield from smtp_server()


@pytest.fixture
def mail_policy(smtp: SmtpServer) -> Policy:
    return Policy.model_validate(mail_policy_data(smtp.port))


@pytest.fixture
async def mailbot(
    standin: SlackStandIn, database_url: str, clock: FakeClock, mail_policy: Policy
) -> AsyncIterator[RunningBot]:
    standin.seed_from_policy(mail_policy)
    standin.add_user("U0ENG1", real_name="Erin Engineer")
    async for running_bot in start_bot(standin, database_url, clock, mail_policy, environment=MAIL_ENV):
        yield running_bot


async def post(running: RunningBot, path: str, **kwargs: object) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session:
        async with session.post(running.server.make_url(path), **kwargs) as answer:  # type: ignore[arg-type]
            return answer.status, await answer.text()


async def send_in(running: RunningBot, raw: bytes) -> None:
    status, body = await post(running, RAW, data=raw, headers=BEARER)
    assert status == 200, body
    await running.settle()
    await settle_smtp()


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def ids(value: object) -> list[str]:
    return str(value or "").replace("<", " ").replace(">", " ").split()


# --- a new ticket, and its acknowledgement ---


async def test_a_key_users_mail_raises_a_ticket_and_is_acknowledged_in_the_thread(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    await send_in(mailbot, mail("[P1] Orders do not sync", message_id="first"))
    ticket = await Ticket.get(customer="acme")
    assert (ticket.source, ticket.reporter_email, ticket.priority) == ("email", ANNA, "P1")
    assert ticket.title == "Orders do not sync"
    assert ticket.description == "Since 9:00 no order reaches the warehouse."
    assert (ticket.category, ticket.paid_request) == (None, False)  # covered work
    posted = channel_message(mailbot, ticket)
    assert "by e-mail" in posted and ANNA in posted
    [ack] = smtp.recorder.to(ANNA)
    assert ack["Subject"] == f"[{ticket.ref}] [P1] Orders do not sync"  # their subject, tagged
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["From"].addresses[0].addr_spec == SUPPORT
    assert ids(ack["In-Reply-To"]) == ["first@mail.acme.example"]
    assert ids(ack["References"]) == ["first@mail.acme.example"]
    text = body(ack)
    assert ticket.ref in text and "P1 Emergency" in text and "First response due by" in text
    assert "Reply to this mail" in text
    assert await OutboundMail.filter(ticket_id=ticket.id, message_id=ids(ack["Message-ID"])[0]).exists()


@SQLITE_ONLY
async def test_priority_tag_the_plan_does_not_offer_falls_back_to_the_lowest(
    mailbot: RunningBot, mail_policy: Policy
) -> None:
    await send_in(mailbot, mail("no tag at all"))
    [ticket] = await Ticket.filter(customer="acme")
    assert ticket.priority == max(mail_policy.plan_of("acme").priorities).value


async def test_the_same_message_twice_is_one_ticket_and_one_acknowledgement(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    raw = mail(message_id="twice")
    await send_in(mailbot, raw)
    await send_in(mailbot, raw)  # the provider retried
    assert await Ticket.all().count() == 1
    assert await InboundMail.all().count() == 1
    assert len(smtp.recorder.to(ANNA)) == 1


# --- the webhook routes: authentication and malformed input ---


@SQLITE_ONLY
@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "message/rfc822"},
        {"Authorization": "Bearer wrong", "Content-Type": "message/rfc822"},
        {"Authorization": f"Basic {WEBHOOK_TOKEN}", "Content-Type": "message/rfc822"},
    ],
)
async def test_a_wrong_token_is_401_and_saves_nothing(mailbot: RunningBot, headers: dict[str, str]) -> None:
    status, _ = await post(mailbot, RAW, data=mail(), headers=headers)
    assert status == 401
    assert await InboundMail.all().count() == 0 and not await Job.filter(kind="read_mail").exists()


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("content_type", "data"),
    [
        ("message/rfc822", b""),
        ("message/rfc822", b"this is not a mail at all"),
        ("text/plain", mail()),
        ("message/rfc822", b"From: \r\nSubject: nobody\r\n\r\nno sender\r\n"),
    ],
)
async def test_malformed_input_is_400_never_5xx(mailbot: RunningBot, content_type: str, data: bytes) -> None:
    headers = {**BEARER, "Content-Type": content_type}
    status, answer = await post(mailbot, RAW, data=data, headers=headers)
    assert status == 400, answer
    assert await InboundMail.all().count() == 0


def postmark_payload(**overrides: object) -> dict[str, object]:
    """Postmark's inbound JSON as its documentation shows it (trimmed to what matters)."""
    payload: dict[str, object] = {
        "FromName": "Anna Example",
        "MessageStream": "inbound",
        "From": ANNA,
        "FromFull": {"Email": ANNA, "Name": "Anna Example", "MailboxHash": ""},
        "To": SUPPORT,
        "ToFull": [{"Email": SUPPORT, "Name": "", "MailboxHash": ""}],
        "Cc": "boss@acme.example",
        "OriginalRecipient": SUPPORT,
        "Subject": "[P2] Invoices are empty",
        "MessageID": "73e6d360-66eb-11e1-8e72-a8904824019b",
        "ReplyTo": "",
        "MailboxHash": "",
        "Date": "Tue, 17 Nov 2026 16:00:00 +0000",
        "TextBody": "Every invoice PDF is blank.\n\n-- \nAnna\nAcme IT",
        "HtmlBody": "<p>Every invoice PDF is blank.</p>",
        "StrippedTextReply": "",
        "Tag": "",
        "Headers": [
            {"Name": "Message-ID", "Value": "<pm-1@mail.acme.example>"},
            {"Name": "X-Spam-Status", "Value": "No"},
        ],
        "Attachments": [
            {
                "Name": "invoice.pdf",
                "Content": base64.b64encode(b"%PDF-1.4 blank").decode(),
                "ContentType": "application/pdf",
                "ContentLength": 14,
            }
        ],
    }
    payload.update(overrides)
    return payload


async def test_postmark_json_raises_a_ticket_with_its_attachment_in_the_thread(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    status, _ = await post(mailbot, "/email/inbound/postmark", json=postmark_payload(), headers=basic("bad"))
    assert status == 401 and await InboundMail.all().count() == 0
    status, _ = await post(
        mailbot, "/email/inbound/postmark", json=postmark_payload(), headers=basic(WEBHOOK_TOKEN)
    )
    assert status == 200
    await mailbot.settle()
    await settle_smtp()
    ticket = await Ticket.get(customer="acme")
    assert (ticket.priority, ticket.title, ticket.description) == (
        "P2",
        "Invoices are empty",
        "Every invoice PDF is blank.",  # the signature is cut
    )
    [uploaded] = [f for f in mailbot.standin.files.values() if f.filename == "invoice.pdf"]
    assert uploaded.content == b"%PDF-1.4 blank" and uploaded.thread_ts == ticket.message_ts
    [ack] = smtp.recorder.to(ANNA)
    assert ids(ack["In-Reply-To"]) == ["pm-1@mail.acme.example"]
    assert [a.addr_spec for a in ack["Cc"].addresses] == ["boss@acme.example"]  # Cc's follow the ticket


@SQLITE_ONLY
@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"From": "nobody"}).encode(),
        b'{"From": "a@b.example", "Attachments": [{"Content": "***"}]}',
    ],
)
async def test_postmark_malformed_is_400(mailbot: RunningBot, payload: bytes) -> None:
    headers = {**basic(WEBHOOK_TOKEN), "Content-Type": "application/json"}
    status, _ = await post(mailbot, "/email/inbound/postmark", data=payload, headers=headers)
    assert status == 400
    assert await InboundMail.all().count() == 0


def mailgun_form(
    raw: bytes, *, key: str = MAILGUN_KEY, token: str = "a" * 50, timestamp: str | None = None
) -> aiohttp.FormData:
    stamp = timestamp or "1795017600"  # 2026-11-17 16:00 UTC: the tests' clock
    signature = hmac.new(key.encode(), (stamp + token).encode(), hashlib.sha256).hexdigest()
    form = aiohttp.FormData()
    for name, value in {
        "timestamp": stamp,
        "token": token,
        "signature": signature,
        "recipient": SUPPORT,
        "sender": ANNA,
        "subject": "Orders do not sync",
        "from": f"Anna Example <{ANNA}>",
    }.items():
        form.add_field(name, value)
    form.add_field("body-mime", raw.decode(), content_type="text/plain")
    return form


async def test_mailgun_checks_its_signature_and_refuses_a_replayed_token(mailbot: RunningBot) -> None:
    path = "/email/inbound/mailgun/mime"
    status, _ = await post(mailbot, path, data=mailgun_form(mail(message_id="mg-0"), key="wrong-key"))
    assert status == 401 and await InboundMail.all().count() == 0
    status, _ = await post(mailbot, path, data=mailgun_form(mail(message_id="mg-0"), timestamp="1600000000"))
    assert status == 401 and await InboundMail.all().count() == 0  # signed long ago
    status, _ = await post(mailbot, path, data=mailgun_form(mail(message_id="mg-1"), token="b" * 50))
    assert status == 200
    status, _ = await post(mailbot, path, data=mailgun_form(mail(message_id="mg-2"), token="b" * 50))
    assert status == 401  # the same token again: a replay
    await mailbot.settle()
    assert [m.message_id for m in await InboundMail.all()] == ["mg-1@mail.acme.example"]
    assert await Ticket.all().count() == 1
    form = aiohttp.FormData()
    for name, value in {"timestamp": "1795017600", "token": "c" * 50}.items():
        form.add_field(name, value)
    signature = hmac.new(MAILGUN_KEY.encode(), ("1795017600" + "c" * 50).encode(), hashlib.sha256).hexdigest()
    form.add_field("signature", signature)
    status, _ = await post(mailbot, path, data=form)
    assert status == 400  # signed, but no message


async def test_sendgrid_raw_mime_form(mailbot: RunningBot) -> None:
    def form(raw: bytes) -> aiohttp.FormData:
        data = aiohttp.FormData()
        data.add_field("headers", "Received: by mx.sendgrid.net")
        data.add_field("email", raw.decode(), content_type="text/plain")
        data.add_field("to", SUPPORT)
        data.add_field("from", ANNA)
        data.add_field("envelope", json.dumps({"to": [SUPPORT], "from": ANNA}))
        return data

    path = "/email/inbound/sendgrid"
    status, _ = await post(mailbot, path, data=form(mail(message_id="sg")), headers=basic("nope"))
    assert status == 401 and await InboundMail.all().count() == 0
    status, _ = await post(mailbot, path, data=form(b""), headers=basic(WEBHOOK_TOKEN))
    assert status == 400
    status, _ = await post(mailbot, path, data=form(mail(message_id="sg")), headers=basic(WEBHOOK_TOKEN))
    assert status == 200
    await mailbot.settle()
    assert (await Ticket.get(customer="acme")).source == "email"


# --- replies, status changes and answers by mail ---


async def test_a_tickets_life_by_mail_is_threaded_and_shows_the_customer_only_what_is_theirs(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    await send_in(mailbot, mail("[P1] Orders do not sync", message_id="root"))
    ticket = await Ticket.get(customer="acme")
    transitions = mailbot.bot.deps.transitions
    await click(mailbot, "U0ENG1", Action.CLAIM, ticket)
    # Things only the vendor's side may see: a callback number, time logged with its note.
    await Ticket.filter(id=ticket.id).update(callback_phone="+1 555 0100")
    await mailbot.bot.deps.timesheet.log(ticket.id, "U0ENG1", 30, note="SECRET-INTERNAL-NOTE about Globex")
    await transitions.wait_on_customer(ticket.id, "U0ENG1")
    await mailbot.settle()
    await settle_smtp()
    mails = smtp.recorder.to(ANNA)
    assert [m["Auto-Submitted"] for m in mails] == ["auto-replied", "auto-generated", "auto-generated"]
    claimed, waiting = mails[1], mails[2]
    assert "taken your ticket" in body(claimed) and "need something from you" in body(waiting)
    assert all(m["Subject"] == f"[{ticket.ref}] [P1] Orders do not sync" for m in mails)
    # The customer answers the "waiting" mail: matched by In-Reply-To, resumed, noted in the thread.
    reply = mail(
        f"Re: [{ticket.ref}] Orders do not sync",
        "It is warehouse B.\r\n\r\nOn Tue, 17 Nov 2026 Support wrote:\r\n> We need something\r\n",
        message_id="reply-1",
        headers={
            "In-Reply-To": waiting["Message-ID"],
            "References": f"<root@mail.acme.example> {waiting['Message-ID']}",
        },
    )
    await send_in(mailbot, reply)
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN
    notes = thread_notes(mailbot, ticket)
    assert any("It is warehouse B." in n and "We need something" not in n for n in notes)
    # Resolved with a note; a reply within the window reopens it.
    await transitions.resolve(ticket.id, "U0ENG1", "fixed", "Warehouse B's queue was stuck; restarted.", 30)
    await mailbot.settle()
    await settle_smtp()
    resolved = smtp.recorder.to(ANNA)[-1]
    assert "Warehouse B's queue was stuck" in body(resolved)
    assert ids(resolved["In-Reply-To"]) == ["reply-1@mail.acme.example"]  # answers their latest mail
    assert ids(resolved["References"])[0] == "root@mail.acme.example"  # and keeps the thread's root
    await send_in(
        mailbot,
        mail(
            f"Re: [{ticket.ref}] Orders do not sync",
            "It is back!\r\n",
            message_id="reply-2",
            headers={"In-Reply-To": resolved["Message-ID"]},
        ),
    )
    assert (await Ticket.get(id=ticket.id)).status == TicketStatus.OPEN
    assert "open again" in body(smtp.recorder.to(ANNA)[-1])
    # The engineer's own words to the customer (the Reply to customer of the Slack Connect branch's modal),
    # from the support address under the engineer's name.
    await mailbot.bot.worker.queue.enqueue(
        NotifyReporter.about(ticket, "reply", by="U0ENG1", text="Please send us the sync log of 9:00.")
    )
    await mailbot.settle()
    await settle_smtp()
    reply_mail = smtp.recorder.to(ANNA)[-1]
    assert "Please send us the sync log of 9:00." in body(reply_mail)
    assert reply_mail["From"].addresses[0].display_name == "Erin Engineer (Support)"
    assert reply_mail["From"].addresses[0].addr_spec == SUPPORT
    # The engineers see the mail thread with the ticket.
    shown = await command(mailbot, "U0ENG1", f"show {ticket.ref}")
    assert "*Mail thread*" in shown and f"from {ANNA}: Re: [{ticket.ref}]" in shown
    assert f"to {ANNA}: resolved" in shown and "by Customer by e-mail" in shown
    # Its time is billed like any other ticket's: on Acme's statement for the month.
    statement = await mailbot.bot.deps.statements.file("acme", Month.parse("2026-11"))
    assert f"acme,acme-bank,bank,{ticket.ref},P1,U0ENG1,2026-11-17,30,30," in statement.csv  # from the bank
    # Nothing internal ever reached the customer.
    sent = "\n".join(f"{m}" for m in smtp.recorder.messages)
    for secret in ("+1 555 0100", "SECRET-INTERNAL-NOTE", "Globex", "U0ENG1", "U0LEAD", "paged", "30 min"):
        assert secret not in sent, secret
    assert len(smtp.recorder.messages) == len(await OutboundMail.all())


async def test_a_reply_after_the_reopen_window_raises_a_new_ticket_linking_the_old(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    await send_in(mailbot, mail("Orders do not sync", message_id="old"))
    old = await Ticket.get(customer="acme")
    await mailbot.bot.deps.transitions.resolve(old.id, "U0LEAD", "fixed", "done", None)
    await mailbot.settle()
    mailbot.clock.advance(timedelta(days=30))
    await send_in(mailbot, mail(f"Re: [{old.ref}] Orders do not sync", "Again!\r\n", message_id="late"))
    assert (await Ticket.get(id=old.id)).status == TicketStatus.RESOLVED
    new = await Ticket.filter(customer="acme").order_by("-id").first()
    assert new is not None and new.id != old.id and old.ref in new.description


async def test_subject_tag_and_plus_address_match_only_the_senders_own_customer(mailbot: RunningBot) -> None:
    await send_in(mailbot, mail("Orders do not sync", message_id="a"))
    ticket = await Ticket.get(customer="acme")
    await send_in(
        mailbot, mail("more", "plus address\r\n", message_id="b", to=f"support+{ticket.ref}@vendor.example")
    )
    await send_in(
        mailbot, mail(f"[{ticket.ref}] more", "by tag\r\n", sender="ops@acme.example", message_id="c")
    )
    assert await Ticket.all().count() == 1
    notes = "\n".join(thread_notes(mailbot, ticket))
    assert "plus address" in notes and "by tag" in notes
    # Hooli's key user naming Acme's ticket: not a reply to it (Hooli's plan has no e-mail: an answer).
    await send_in(mailbot, mail(f"[{ticket.ref}] peek", "let me in\r\n", sender=HANK, message_id="d"))
    assert "let me in" not in "\n".join(thread_notes(mailbot, ticket))
    # Nor does a mail add to Hooli's own (Slack) ticket: their plan has no e-mail.
    intake = mailbot.bot.deps.intake
    draft = replace(intake.email_draft("hooli", "Raised in Slack", "by the modal"), reporter_id="U0KEY5")
    hooli = await intake.save(draft)
    await mailbot.settle()
    await send_in(mailbot, mail(f"[{hooli.ref}] more", "by mail anyway\r\n", sender=HANK, message_id="e"))
    assert "by mail anyway" not in "\n".join(thread_notes(mailbot, hooli))
    outcome = (await InboundMail.get(message_id="e@mail.acme.example")).outcome
    assert "plan_without_email" in outcome  # (answered once today already)


# --- answers that raise no ticket, at most once a day ---


async def test_strangers_colleagues_and_plans_without_email_get_one_answer_a_day(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    await send_in(mailbot, mail(sender="someone@else.example", message_id="s1"))
    await send_in(mailbot, mail(sender="someone@else.example", message_id="s2"))
    assert len(smtp.recorder.to("someone@else.example")) == 1
    assert "registered key users" in body(smtp.recorder.to("someone@else.example")[0])
    await send_in(mailbot, mail(sender="bob@acme.example", message_id="c1"))
    [colleague] = smtp.recorder.to("bob@acme.example")
    assert ANNA in body(colleague) and "ops@acme.example" in body(colleague)
    await send_in(mailbot, mail(sender=HANK, message_id="h1"))
    [plan] = smtp.recorder.to(HANK)
    assert "does not include support by e-mail" in body(plan) and "Slack" in body(plan)
    assert all(m["Auto-Submitted"] == "auto-replied" for m in smtp.recorder.messages)
    assert await Ticket.all().count() == 0
    mailbot.clock.advance(timedelta(days=1, minutes=1))
    await send_in(mailbot, mail(sender="someone@else.example", message_id="s3"))
    assert len(smtp.recorder.to("someone@else.example")) == 2


async def test_too_many_attachments_are_refused_with_an_answer(mailbot: RunningBot, smtp: SmtpServer) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = ANNA, SUPPORT, "logs"
    message["Message-ID"] = "<many@mail.acme.example>"
    message.set_content("all the logs")
    for n in range(21):
        message.add_attachment(b"log line", maintype="text", subtype="plain", filename=f"log{n}.txt")
    await send_in(mailbot, bytes(message))
    assert await Ticket.all().count() == 0
    [answer] = smtp.recorder.to(ANNA)
    assert "25 MB" in body(answer) and "20" in body(answer)


@SQLITE_ONLY
async def test_a_message_over_25_mb_is_refused_with_an_answer(mailbot: RunningBot, smtp: SmtpServer) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = ANNA, SUPPORT, "the whole database"
    message["Message-ID"] = "<huge@mail.acme.example>"
    message.set_content("attached")
    message.add_attachment(
        bytes(19 * 1024 * 1024), maintype="application", subtype="octet-stream", filename="db.bin"
    )
    raw = bytes(message)
    assert 25 * 1024 * 1024 < len(raw) < 40 * 1024 * 1024  # base64 makes 19 MB of file a 26 MB message
    await send_in(mailbot, raw)
    assert await Ticket.all().count() == 0
    [answer] = smtp.recorder.to(ANNA)
    assert "at most 25 MB" in body(answer)


# --- never a loop ---

ROBOT_HEADERS = [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated"},
    {"Precedence": "bulk"},
    {"Precedence": "list"},
    {"Precedence": "junk"},
    {"X-Autoreply": "yes"},
    {"X-Autorespond": "yes"},
    {"List-Id": "<announce.acme.example>"},
    {"List-Unsubscribe": "<mailto:leave@acme.example>"},
    {"Return-Path": "<>"},
]


async def test_automatic_mail_gets_no_ticket_and_no_answer(mailbot: RunningBot, smtp: SmtpServer) -> None:
    for n, headers in enumerate(ROBOT_HEADERS):  # each header alone, from a key user and from a stranger
        await send_in(mailbot, mail(headers=headers, message_id=f"robot-{n}"))
        await send_in(mailbot, mail(sender="stranger@else.example", headers=headers, message_id=f"bot-{n}"))
        assert await Ticket.all().count() == 0, headers
        assert smtp.recorder.messages == [], headers
    outcomes = {m.outcome for m in await InboundMail.all()}
    assert all(outcome.startswith("ignored: ") for outcome in outcomes) and len(outcomes) == len(
        ROBOT_HEADERS
    )


async def test_bounces_and_our_own_address_get_nothing(mailbot: RunningBot, smtp: SmtpServer) -> None:
    for sender in ("MAILER-DAEMON@mx.acme.example", "postmaster@else.example", SUPPORT):
        await send_in(mailbot, mail(sender=sender))
    assert await Ticket.all().count() == 0 and smtp.recorder.messages == []


async def test_auto_submitted_no_is_a_person(mailbot: RunningBot) -> None:
    await send_in(mailbot, mail(headers={"Auto-Submitted": "no"}))
    assert await Ticket.all().count() == 1


# --- sending: temporary and permanent refusals ---


async def test_a_temporary_smtp_refusal_retries_and_a_permanent_one_fails_loudly(
    mailbot: RunningBot, smtp: SmtpServer
) -> None:
    smtp.recorder.answer = "451 4.3.0 try again later"
    await send_in(mailbot, mail(message_id="t1"))
    [job] = await Job.filter(kind="send_mail")
    assert job.status == JobStatus.PENDING and job.attempts == 1 and "451" in (job.last_error or "")
    smtp.recorder.answer = None
    mailbot.clock.set(job.due_at)
    await mailbot.settle()
    await settle_smtp()
    assert len(smtp.recorder.to(ANNA)) == 1
    assert (await OutboundMail.get(kind="raised")).sent_at is not None
    smtp.recorder.answer = "550 5.1.1 mailbox unavailable"
    await mailbot.bot.deps.transitions.claim((await Ticket.get()).id, "U0ENG1")
    await mailbot.settle()
    failed = await Job.get(kind="send_mail", status=JobStatus.FAILED)
    assert failed.last_error and "550" in failed.last_error
    alerts = [c.args.get("text", "") for c in mailbot.standin.calls_to("chat.postMessage")]
    assert any("could not be sent" in text and "550" in text for text in alerts)  # an operator is told


async def test_a_key_user_whose_prepaid_deposit_is_below_its_minimum_gets_an_answer_not_a_ticket(
    standin: SlackStandIn, database_url: str, clock: FakeClock, smtp: SmtpServer
) -> None:
    data = mail_policy_data(smtp.port)
    data["customers"]["initech"]["email"] = {"key_users": ["ivy@initech.example"]}
    data["contracts"]["initech-minute"]["deposit"]["minimum"] = "600.00"  # 500.00 paid: already below
    policy = Policy.model_validate(data)
    standin.seed_from_policy(policy)
    async for running in start_bot(standin, database_url, clock, policy, environment=MAIL_ENV):
        await send_in(running, mail("Reports are empty", sender="ivy@initech.example"))
        assert await Ticket.filter(customer="initech").count() == 0
        [answer] = smtp.recorder.to("ivy@initech.example")
        assert "prepaid deposit is below its minimum" in body(answer)
        assert answer["Auto-Submitted"] == "auto-replied"
