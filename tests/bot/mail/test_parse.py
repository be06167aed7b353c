"""Reading a received message: the new words (quoted history and signatures cut, CRLF or LF), HTML as text,
attachments kept, threading ids, and the machine-sent mail that must never be answered."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from bot.mail.loops import automatic
from bot.mail.outbox import bare_subject
from bot.mail.parse import MalformedMail, html_to_text, new_words, parse


@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_signature_and_quoted_history_are_cut_whatever_the_line_ends(newline: str) -> None:
    text = newline.join(["Still broken after the update.", "", "-- ", "Anna Example", "Acme IT, +1 555 0199"])
    assert new_words(text) == "Still broken after the update."
    reply = newline.join(
        [
            "It is warehouse B.",
            "",
            "On Tue, 17 Nov 2026 at 10:00, Support <support@vendor.example> wrote:",
            "> We need something from you",
        ]
    )
    assert new_words(reply) == "It is warehouse B."


def test_outlook_history_and_bottom_quotes_are_cut_but_a_dash_in_text_is_kept() -> None:
    outlook = "Fixed, thanks.\r\n\r\n________________________________\r\nFrom: Support\r\nSent: Tuesday\r\n"
    assert new_words(outlook) == "Fixed, thanks."
    header_block = "See below.\r\n\r\nFrom: Support <support@vendor.example>\r\nSent: Tuesday\r\nTo: Anna\r\n"
    assert new_words(header_block) == "See below."
    bottom = "> old question\r\nmy answer\r\n> more old\r\n"
    assert new_words(bottom) == "> old question\nmy answer"
    assert (
        new_words("Step 1 -- restart\nFrom: the logs, nothing")
        == "Step 1 -- restart\nFrom: the logs, nothing"
    )


def test_html_only_mail_is_rendered_to_text_without_quoted_history() -> None:
    html = (
        "<html><head><style>p{color:red}</style></head><body><p>Checkout <b>fails</b> &amp; times out</p>"
        "<ul><li>since 9:00</li><li>all shops</li></ul><script>alert(1)</script>"
        '<div class="gmail_quote">On Mon … wrote:<blockquote>old</blockquote></div></body></html>'
    )
    assert html_to_text(html) == "Checkout fails & times out\n\n- since 9:00\n- all shops"
    message = EmailMessage()
    message["From"], message["Subject"] = "anna@acme.example", "HTML"
    message.set_content(html, subtype="html")
    assert parse(bytes(message)).text.startswith("Checkout fails & times out")


def test_attachments_ids_and_addresses_are_kept() -> None:
    message = EmailMessage()
    message["From"] = "Anna Example <Anna@Acme.Example>"
    message["To"] = "support+SUP-42@vendor.example"
    message["Cc"] = "Boss <boss@acme.example>, ops@acme.example"
    message["Subject"] = "Re:  [SUP-42]   logs"
    message["Message-ID"] = "<m2@acme.example>"
    message["In-Reply-To"] = "<secondline.1@vendor.example>"
    message["References"] = "<root@acme.example> <secondline.1@vendor.example>"
    message.set_content("here")
    message.add_attachment(b"\x89PNG", maintype="image", subtype="png", filename="screen.png")
    parsed = parse(bytes(message))
    assert (parsed.sender, parsed.sender_name, parsed.subject) == (
        "anna@acme.example",
        "Anna Example",
        "Re: [SUP-42] logs",
    )
    assert parsed.cc == ["boss@acme.example", "ops@acme.example"]
    assert parsed.to == ["support+sup-42@vendor.example"]
    assert [(a.filename, a.content_type, a.data) for a in parsed.attachments] == [
        ("screen.png", "image/png", b"\x89PNG")
    ]
    assert parsed.thread_ids() == ["secondline.1@vendor.example", "root@acme.example"]
    assert bare_subject(parsed.subject) == "logs"


def test_a_message_without_message_id_gets_a_stable_one_and_without_sender_is_refused() -> None:
    raw = b"From: anna@acme.example\r\nSubject: x\r\n\r\nbody\r\n"
    assert parse(raw).message_id == parse(raw).message_id != ""
    with pytest.raises(MalformedMail):
        parse(b"Subject: nobody wrote this\r\n\r\nbody\r\n")


@pytest.mark.parametrize(
    ("headers", "sender", "robot"),
    [
        ({"Auto-Submitted": "auto-replied"}, "anna@acme.example", True),
        ({"Auto-Submitted": "no"}, "anna@acme.example", False),
        ({"Precedence": "Bulk"}, "anna@acme.example", True),
        ({"Precedence": "first-class"}, "anna@acme.example", False),
        ({"X-Autoreply": "yes"}, "anna@acme.example", True),
        ({"X-Auto-Response-Suppress": "All"}, "anna@acme.example", True),
        ({"X-Auto-Response-Suppress": "OOF"}, "anna@acme.example", False),
        ({"List-Id": "<x.acme.example>"}, "anna@acme.example", True),
        ({"Return-Path": "<>"}, "anna@acme.example", True),
        ({"Return-Path": "<anna@acme.example>"}, "anna@acme.example", False),
        ({}, "MAILER-DAEMON@mx.example", True),
        ({}, "postmaster@acme.example", True),
        ({}, "anna@acme.example", False),
    ],
)
def test_machine_sent_mail_is_recognised(headers: dict[str, str], sender: str, robot: bool) -> None:
    message = EmailMessage()
    for name, value in headers.items():
        message[name] = value
    assert (automatic(message, sender.lower()) is not None) is robot
