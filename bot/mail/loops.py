"""Mail that must never be answered and never raise a ticket: auto-replies, bounces, lists and bulk mail
(RFC 3834 and the headers mail systems actually send)."""

from __future__ import annotations

from email.message import EmailMessage

ROBOT_SENDERS = ("mailer-daemon", "postmaster")
BULK_PRECEDENCE = frozenset({"bulk", "list", "junk"})
LIST_HEADERS = ("List-Id", "List-Unsubscribe")
AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress")


def automatic(message: EmailMessage, sender: str) -> str | None:
    """Why this message was sent by a machine or to many (a short reason for the log), or None."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto and auto.split(";")[0].strip() != "no":
        return f"Auto-Submitted: {auto}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in AUTOREPLY_HEADERS:
        value = message.get(name)
        # Outlook's X-Auto-Response-Suppress only asks others not to answer it; it marks automatic mail
        # when it suppresses everything.
        if value is not None and (name != "X-Auto-Response-Suppress" or str(value).strip().upper() == "ALL"):
            return f"{name} header"
    for name in LIST_HEADERS:
        if message.get(name) is not None:
            return f"{name} header"
    return_path = message.get_all("Return-Path", [])
    if return_path and str(return_path[-1]).strip() in ("<>", ""):
        return "empty Return-Path (a bounce)"
    local = sender.partition("@")[0].lower()
    if local in ROBOT_SENDERS:
        return f"sent by {local}"
    return None
