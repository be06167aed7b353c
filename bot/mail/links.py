"""Signed links in the mail Secondline sends a ticket's reporter, for what they may answer with one click:
**This solved it** under a published answer offered in the acknowledgement, and **It still fails** under a
shipped fix. Pure: the token names the action, the ticket and what the link was made for, and an HMAC
keyed from a secret setting, so a link acts on its own ticket and nothing else (bot/mail/actions_web.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.link_pages import LabelledMac

ROUTE = "/mail/action"


class Act(StrEnum):
    SOLVED = "solved"  # `subject`: the published answer that solved it
    FAILS = "fails"  # `subject`: the `fix_shipped` event the link was mailed for


@dataclass(frozen=True)
class LinkAction:
    act: Act
    ticket_id: int
    subject: int


class ActionSigner:
    """Tokens `<act>.<ticket>.<subject>.<HMAC>`; the key is derived from the Slack signing secret with its
    own label, so a satisfaction link's MAC never passes here (and the other way round)."""

    def __init__(self, secret: str) -> None:
        self._mac = LabelledMac(secret, b"secondline mail action link")

    def token(self, action: LinkAction) -> str:
        head = f"{action.act.value}.{action.ticket_id}.{action.subject}"
        return f"{head}.{self._mac.mac(f'{action.act.value}:{action.ticket_id}:{action.subject}')}"

    def read(self, token: str) -> LinkAction | None:
        """The action a token names, or None for anything forged, truncated or malformed."""
        parts = token.split(".")
        if len(parts) != 4 or parts[0] not in {a.value for a in Act}:
            return None
        act, ticket, subject, mac = parts
        if not (ticket.isdigit() and subject.isdigit()) or len(ticket) > 18 or len(subject) > 18 or not mac:
            return None
        if not self._mac.valid(f"{act}:{int(ticket)}:{int(subject)}", mac):
            return None
        return LinkAction(Act(act), int(ticket), int(subject))


@dataclass(frozen=True)
class MailLinks:
    """The links themselves: `<PUBLIC_URL>/mail/action/<token>`."""

    public_url: str
    signer: ActionSigner

    def url(self, action: LinkAction) -> str:
        return f"{self.public_url.rstrip('/')}{ROUTE}/{self.signer.token(action)}"

    def solved(self, ticket_id: int, answer_id: int) -> str:
        return self.url(LinkAction(Act.SOLVED, ticket_id, answer_id))

    def still_fails(self, ticket_id: int, shipped_event_id: int) -> str:
        return self.url(LinkAction(Act.FAILS, ticket_id, shipped_event_id))
