"""Listeners share helpers through public modules (handlers/clicks.py, handlers/forms.py): no listener
module reaches into another's private (underscore) names, so each can change its own freely."""

from __future__ import annotations

import ast
from pathlib import Path

import handlers

HANDLERS = Path(handlers.__file__).parent


def private_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("handlers"):
            found.update(
                f"{path.name}: {node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_")
            )
    return found


def test_no_listener_imports_another_modules_private_helpers() -> None:
    offenders = set().union(*(private_imports(path) for path in sorted(HANDLERS.rglob("*.py"))))
    assert offenders == set()


def test_the_check_sees_a_private_import_inside_a_function(tmp_path: Path) -> None:
    source = tmp_path / "late.py"
    source.write_text("def f():\n    from handlers.views import _values as values_of\n")
    assert private_imports(source) == {"late.py: handlers.views._values"}
