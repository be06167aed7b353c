"""What Secondline writes to customers by mail, as plain text. Pure: loaded data in, text out.

Only what the customer may see goes in: the reference, title, priority, status, due time, the resolution
and its note, and words an engineer wrote *to the customer*; never thread notes, time, pages, callback
numbers or other customers.
"""

from __future__ import annotations

from datetime import datetime

from bot.blocks.dms import local_time
from bot.engineering.notices import fix_confirmed_text, fix_pending_text, still_fails_text
from bot.policy import Priority
from bot.services.answers import Found
from bot.services.resolutions import Resolution
from models import Ticket

REPLY_HINT = "Reply to this mail to add to the ticket; keep the reference in the subject."
ANSWER_TEXT_MAX = 600  # characters of a published answer's text in the acknowledgement
CHANNEL_WORDS = {"slack": "Slack", "email": "e-mail", "web": "the web portal", "phone": "phone"}


def acknowledgement(ticket: Ticket, plan_name: str, due: datetime | None, timezone: str) -> str:
    lines = [
        f"Your request is with second-line support as {ticket.ref}: {ticket.title}",
        "",
        f"Priority: {Priority(ticket.priority).label}",
        f"Plan: {plan_name}",
    ]
    if due is not None:
        lines.append(f"First response due by: {local_time(due, timezone)}")
    lines += ["", REPLY_HINT]
    return "\n".join(lines)


def answers_offer(found: list[Found], links: list[str | None]) -> str:
    """Published answers that may solve the request, under the acknowledgement (title and text only)."""
    lines = ["", "These published answers may already solve it:"]
    for n, (answer, link) in enumerate(zip(found, links, strict=True), start=1):
        text = answer.text.strip()
        text = text if len(text) <= ANSWER_TEXT_MAX else text[: ANSWER_TEXT_MAX - 1] + "…"
        lines += ["", f"{n}. {answer.title}", "", *("   " + line for line in text.splitlines())]
        if link:
            lines.append(f"   This solved it (closes the ticket): {link}")
    if any(links):
        lines += ["", "If none does, there is nothing to do: your request is with us and its clock runs."]
    else:
        lines += ["", "If one of them solves it, reply to say so; otherwise your request is with us."]
    return "\n".join(lines)


def fix_shipped(ticket: Ticket, release: str | None, within: str, by: str | None, link: str | None) -> str:
    """The fix shipped: the release if any, until when they may say it still fails, and how."""
    lines = [f"{ticket.ref}: {ticket.title}", "", "The fix for your ticket has shipped."]
    if release and release.strip():
        lines[-1] += f" It ships in {release.strip()}."
    until = f"by {by} ({within})" if by else f"within {within}"
    lines += ["", f"If it still fails for you, tell us {until}; otherwise the ticket resolves itself then."]
    if link:
        lines += ["", f"It still fails: {link}"]
    lines += [
        "",
        "Or reply to this mail describing what still fails: any reply with words of its own reopens the "
        "ticket (a reply that only says thank you does not).",
    ]
    return "\n".join(lines)


def status(ticket: Ticket, event: str, text: str | None) -> str | None:
    """A status notice; None for events the customer is not mailed about."""
    head = f"{ticket.ref}: {ticket.title}"
    if event == "claimed":
        body = "A support engineer has taken your ticket and is working on it."
    elif event == "waiting":
        question = (text or "").strip()
        body = "We need something from you to go on" + (f":\n\n{question}" if question else ".")
        body += "\n\nReply to this mail with the answer; the ticket's clock waits until you do."
    elif event == "resumed":
        body = "Thank you: your reply was added to the ticket, and work goes on."
    elif event == "resolved":
        known = {r.value for r in Resolution}
        resolution = Resolution(ticket.resolution) if ticket.resolution in known else None
        label = resolution.label if resolution else "resolved"
        body = f"Your ticket is resolved: {label}."
        if resolution is not None and resolution.explanation:
            body += f"\n\n{resolution.explanation}"
        if ticket.resolution_note.strip():
            body += f"\n\n{ticket.resolution_note.strip()}"
        body += "\n\nIf the problem is back, reply to this mail to reopen the ticket."
    elif event == "reopened":
        body = "Your ticket is open again; a support engineer will pick it up."
    elif event == "priority":
        body = f"Its priority is now {Priority(ticket.priority).label}."
    elif event == "fix_pending":
        body = _sentence(fix_pending_text())
        if ticket.resolution_note.strip():
            body += f"\n\n{ticket.resolution_note.strip()}"
    elif event == "fix_confirmed":
        body = _sentence(fix_confirmed_text())
    elif event == "still_fails":
        body = _sentence(still_fails_text())
    elif event == "reply":
        body = (text or "").strip()
        if not body:
            return None
    else:
        return None
    return f"{head}\n\n{body}\n\n{REPLY_HINT}"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def not_a_key_user(customer_name: str, key_users: list[str]) -> str:
    who = ", ".join(key_users) if key_users else "your company's key users"
    return (
        f"Thank you for writing. Second-line support for {customer_name} is requested by your company's key "
        f"users, who are your first point of contact: {who}. Please ask one of them to raise it; your "
        "message was not made into a ticket."
    )


def unknown_sender() -> str:
    return (
        "Thank you for writing. This address takes second-line support requests from the registered key "
        "users of our customers only, so your message was not made into a ticket. If your company is a "
        "customer, please ask your key users to raise it."
    )


def plan_without_email(customer_name: str, plan_name: str, channels: list[str]) -> str:
    ways = ", ".join(CHANNEL_WORDS.get(c, c) for c in channels if c != "email") or "your usual channel"
    return (
        f"Thank you for writing. The {plan_name} plan of {customer_name} does not include support by e-mail, "
        f"so your message was not made into a ticket. Please raise it through: {ways}."
    )


def too_big(limit_mb: int, max_files: int) -> str:
    return (
        f"Your message was not accepted: messages may be at most {limit_mb} MB with at most {max_files} "
        "attachments. Please send it again with fewer or smaller files (a link to a file share works too)."
    )


def new_after_window(old: Ticket) -> str:
    return f"(follows {old.ref}, resolved too long ago to reopen)"
