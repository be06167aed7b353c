from bot.permissions import DEFAULT_PERMISSIONS, Do, Role, allowed, markdown_table, refusal
from tests.conftest import ROOT


def test_readme_prints_the_permission_table() -> None:
    assert markdown_table(DEFAULT_PERMISSIONS) in (ROOT / "README.md").read_text()


def test_allowed_and_refusal_words() -> None:
    assert allowed(DEFAULT_PERMISSIONS, Do.CLAIM, {Role.ENGINEER})
    assert not allowed(DEFAULT_PERMISSIONS, Do.RESOLVE, {Role.KEY_USER, Role.REPORTER})
    assert refusal(DEFAULT_PERMISSIONS, Do.RESOLVE) == (
        "Only the ticket's owner, leads, managers and executives can resolve a ticket. Nothing was changed."
    )
    assert set(DEFAULT_PERMISSIONS) == set(Do)
