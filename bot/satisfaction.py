"""Pure building blocks of the satisfaction question: the five answers, the windows, the signed mail link."""

from __future__ import annotations

from datetime import timedelta

from bot.link_pages import LabelledMac

QUESTION = "How did we do?"
SCORES: dict[int, str] = {1: "Very poor", 2: "Poor", 3: "OK", 4: "Good", 5: "Excellent"}
LOW_SCORE = 2  # a score this low or lower tells the lead level at once
CHANGE_WINDOW = timedelta(days=7)  # an answer may be changed this long after it was first given
ANSWER_WINDOW = timedelta(days=7)  # an unanswered question expires this long after it was asked
COMMENT_MAX = 3000


def score_of(value: object) -> int | None:
    """A score from what a client sent (a button's value, a query string): 1-5, anything else None."""
    text = str(value).strip()
    return int(text) if text in {str(n) for n in SCORES} else None


def label(score: int) -> str:
    return f"{score} - {SCORES[score]}"


class LinkSigner:
    """Tokens for the mail links: `<survey id>.<HMAC>`, so a link answers its own question and no other.

    The key is derived from a secret setting (the Slack signing secret), never stored with the survey.
    """

    def __init__(self, secret: str) -> None:
        self._mac = LabelledMac(secret, b"secondline csat link")

    def token(self, survey_id: int) -> str:
        return f"{survey_id}.{self._mac.mac(f'csat:{survey_id}')}"

    def survey_of(self, token: str) -> int | None:
        """The survey a token names, or None for anything forged, truncated or malformed."""
        head, _, mac = token.partition(".")
        if not head.isdigit() or len(head) > 18 or not mac:
            return None
        survey_id = int(head)
        return survey_id if self._mac.valid(f"csat:{survey_id}", mac) else None


def mail_question(ref: str, title: str, links: dict[int, str]) -> str:
    """The question as a plain-text mail: one link per answer (customer-visible words only)."""
    lines = [
        f"{ref}: {title}",
        "",
        f"Your ticket is resolved. {QUESTION} Choose one; you may add a comment on the page it opens.",
        "",
        *[f"  {label(score)}: {links[score]}" for score in sorted(links)],
        "",
        f"One answer per ticket; you may change it for {CHANGE_WINDOW.days} days.",
    ]
    return "\n".join(lines)
