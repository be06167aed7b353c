"""The published GitHub examples, for every test here."""

from tests.bot.engineering.examples import octokit

__all__ = ["octokit"]
