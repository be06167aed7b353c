"""What counts as alike for storm detection: the same category, or most of the shorter title's words."""

from __future__ import annotations

from bot.services.storms import alike, linked, title_words
from models import Ticket


def t(i: int, title: str, category: str | None = None) -> Ticket:
    return Ticket(id=i, title=title, category=category)


def test_titles_alike_by_their_words_not_by_filler() -> None:
    assert title_words("The checkout FAILS with error 500!") == {"checkout", "fails", "error", "500"}
    assert alike(t(1, "Checkout fails with error 500"), t(2, "Error 500 at checkout"))
    assert not alike(t(1, "Invoices timeout"), t(2, "Checkout timeout"))  # one word of two
    assert not alike(t(1, "The app is slow"), t(2, "The app crashes"))
    assert alike(t(1, "Invoices timeout", "bug"), t(2, "Login blank", "bug"))  # the same category
    assert not alike(t(1, "Invoices timeout"), t(2, "Login blank"))  # no category: not alike


def test_a_storm_is_every_ticket_linked_through_alike_ones() -> None:
    new = t(4, "Error 500 at checkout")
    recent = [
        t(1, "Checkout fails with error 500"),
        t(2, "Checkout page fails"),  # alike to 1, not to the new one
        t(3, "Invoices are missing"),
        new,
    ]
    assert linked(new, recent) == {1, 2, 4}
