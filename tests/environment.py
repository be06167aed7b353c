"""Moved to bot/standin/processes.py, so the benchmarks need no test suite; kept for the tests' imports."""

from bot.standin.processes import MISLEADING

__all__ = ["MISLEADING"]
