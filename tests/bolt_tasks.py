"""Moved to bot/standin/bolt_tasks.py, so the benchmarks need no test suite; kept for the tests' imports."""

from bot.standin.bolt_tasks import BoltTasks, track_bolt_tasks

__all__ = ["BoltTasks", "track_bolt_tasks"]
