"""The reports are pure over the database: they never import a service, so the dependency between
bot/services/ (which uses the reports) and bot/reports/ runs one way."""

from __future__ import annotations

import ast
from pathlib import Path

import bot.reports

REPORTS = Path(bot.reports.__file__).parent
# Layers a report may not reach into: services and everything that talks to Slack or listens to it.
FORBIDDEN = ("bot.services", "bot.outbox", "bot.slack", "bot.notifier", "bot.app", "handlers")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_report_imports_a_service_or_slack() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in sorted(REPORTS.glob("*.py"))
        for name in imported_modules(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    }
    assert offenders == set()


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    # Reports import lazily in places (the CLI does); a late import must not slip past the check.
    source = tmp_path / "late.py"
    source.write_text("def f():\n    from bot.services.sla import targets_for\n    import bot.slack.api\n")
    assert {"bot.services.sla", "bot.slack.api"} <= imported_modules(source)
