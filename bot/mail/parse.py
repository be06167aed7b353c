"""One received message read into what Secondline needs: who, about what, the new words (quoted history and
signature cut), the attachments, and the threading headers."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy as email_policy
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

MESSAGE_ID_MAX = 255
# Where the history of a reply starts: "On Tue, … Anna wrote:", Outlook's header block and separators.
_QUOTE_HEADERS = (
    re.compile(r"^\s*On .{4,300}wrote:\s*$", re.I),
    re.compile(r"^\s*Am .{4,300}schrieb .{0,200}:\s*$", re.I),
    re.compile(r"^\s*Le .{4,300}a écrit\s*:\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{20,}\s*$"),  # Outlook's rule above "From: … Sent: …"
    re.compile(r"^\s*From:\s.+$"),  # a header block pasted under the reply (checked with "Sent:" below)
)
# "-- " is the standard separator (RFC 3676), "--" what people type; phones add their own line.
_SIGNATURE = re.compile(r"^(-- ?|Sent from my \w.*|Get Outlook for \w.*)$")


class MalformedMail(ValueError):
    """Bytes that are not a message we can use (no sender, say)."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str  # the From address, lower case
    sender_name: str
    to: list[str]
    cc: list[str]
    subject: str
    in_reply_to: list[str]
    references: list[str]
    text: str  # the new words: quoted history and signature cut
    attachments: list[Attachment]
    message: EmailMessage = field(repr=False)
    size: int = 0

    def thread_ids(self) -> list[str]:
        """The Message-IDs this one answers, nearest first."""
        ids = [*self.in_reply_to, *reversed(self.references)]
        return list(dict.fromkeys(ids))


def normalise_id(value: str) -> str:
    """A Message-ID without its angle brackets and spaces; very long ones by their hash (a column limit)."""
    text = value.strip().strip("<>").strip()
    if len(text) > MESSAGE_ID_MAX:
        return "sha256-" + hashlib.sha256(text.encode()).hexdigest()
    return text


def id_list(value: str | None) -> list[str]:
    return [normalise_id(part) for part in re.findall(r"<([^<>\s]+)>", value or "")]


def parse(raw: bytes) -> ParsedMail:
    message = BytesParser(policy=email_policy.default).parsebytes(raw)
    assert isinstance(message, EmailMessage)
    try:
        senders = getaddresses([str(message.get("From", ""))])
    except (TypeError, ValueError, IndexError) as exc:  # the header classes choke on some garbage
        raise MalformedMail(f"unreadable From header ({exc})") from exc
    sender_name, sender = next(((n, a) for n, a in senders if "@" in a), ("", ""))
    if not sender:
        raise MalformedMail("no sender address (From)")
    own_id = id_list(str(message.get("Message-ID", "")))
    message_id = own_id[0] if own_id else "sha256-" + hashlib.sha256(raw).hexdigest() + "@missing"
    text, attachments = body_and_files(message)
    return ParsedMail(
        message_id=message_id,
        sender=sender.lower(),
        sender_name=sender_name,
        to=[a for name in ("To", "Delivered-To", "X-Original-To") for a in _addresses(message, name)],
        cc=_addresses(message, "Cc"),
        subject=" ".join(str(message.get("Subject", "")).split()),
        in_reply_to=id_list(str(message.get("In-Reply-To", ""))),
        references=id_list(str(message.get("References", ""))),
        text=new_words(text),
        attachments=attachments,
        message=message,
        size=len(raw),
    )


def _addresses(message: EmailMessage, header: str) -> list[str]:
    values = [str(v) for v in message.get_all(header, [])]
    try:
        return [a.lower() for _, a in getaddresses(values) if "@" in a]
    except (TypeError, ValueError, IndexError):
        return []


def body_and_files(message: EmailMessage) -> tuple[str, list[Attachment]]:
    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        content = _content(body)
        text = html_to_text(content) if body.get_content_type() == "text/html" else content
    files: list[Attachment] = []
    for part in message.iter_attachments():
        if not isinstance(part, EmailMessage) or part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        name = part.get_filename() or f"attachment-{len(files) + 1}"
        files.append(Attachment(name, part.get_content_type(), data))
    return text, files


def _content(part: MIMEPart) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown charset: the bytes, read leniently
        data = part.get_payload(decode=True)
        return data.decode("utf-8", "replace") if isinstance(data, bytes) else ""


def new_words(text: str) -> str:
    """The part of a reply the sender wrote now: cut at the quoted history or the signature; CRLF or LF."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _SIGNATURE.match(line):
            break
        if any(p.match(line) for p in _QUOTE_HEADERS[:-1]):
            break
        if _QUOTE_HEADERS[-1].match(line) and any(
            re.match(r"^\s*(Sent|Date|Gesendet):\s", following) for following in lines[index + 1 : index + 4]
        ):
            break
        kept.append(line)
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()  # the quoted tail of a bottom-posted reply, and trailing blank lines
    return "\n".join(line.rstrip() for line in kept).strip()


class _TextOf(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "table"})
    HIDDEN = frozenset({"script", "style", "head", "title", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag in self.HIDDEN or "gmail_quote" in classes:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        elif tag in self.BLOCKS and tag != "li":  # list items: one line each, no blank between
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """HTML mail as plain text: blocks become lines, scripts, styles and quoted history are left out."""
    reader = _TextOf()
    reader.feed(html)
    reader.close()
    lines = [line.strip() for line in "".join(reader.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
