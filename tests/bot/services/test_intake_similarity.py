"""The similar-title check's shortcut (difflib's cheap upper bounds first) never changes what is offered."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.intake import SIMILAR_TITLE, similarity

WORDS = ["export", "fails", "invoices", "login", "pdf", "empty", "checkout", "500", "error", "the", "to"]
titles = st.lists(st.sampled_from(WORDS) | st.text(alphabet="abcdefgh 0123", max_size=12), max_size=6).map(
    " ".join
)


@settings(max_examples=300, derandomize=True)
@given(titles, titles)
def test_the_shortcut_gives_the_full_ratio_whenever_it_reaches_the_threshold(a: str, b: str) -> None:
    full = similarity(a, b)
    quick = similarity(a, b, at_least=SIMILAR_TITLE)
    if full >= SIMILAR_TITLE:
        assert quick == full
    else:
        assert quick < SIMILAR_TITLE


def test_titles_that_read_the_same_are_still_alike_and_others_are_not() -> None:
    assert similarity("Invoices: export FAILS to PDF", "pdf export fails to invoices", SIMILAR_TITLE) == 1.0
    assert similarity("Checkout fails", "Login page is slow", SIMILAR_TITLE) == 0.0
