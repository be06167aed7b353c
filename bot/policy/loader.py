"""Reading a policy file: YAML in, a validated Policy out, or one error naming the key path and line."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.policy.base import ConfigError
from bot.policy.model import Policy


def load_config(path: str | Path) -> Policy:
    """Read and validate a policy file; raises ConfigError naming the key and line of the first problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the policy file ({exc.strerror})") from exc
    return parse_config(text, str(path))


def parse_config(text: str, source: str = "<policy>") -> Policy:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "somewhere"
        raise ConfigError(f"{source}: {where}: not valid YAML ({getattr(exc, 'problem', exc)})") from exc
    except ValueError as exc:  # PyYAML's date constructor fails bare on a date-shaped `2026-13-01`
        raise ConfigError(f"{source}: line {_bad_date_line(text)}: not a date ({exc})") from exc
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source}: the policy file must be a mapping of keys such as support_channel, plans"
        )
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # An unknown top-level key usually explains the rest (a misspelt `customers` is also a missing one).
        error = next((e for e in errors if e["type"] == "extra_forbidden" and len(e["loc"]) == 1), errors[0])
        message = error["msg"].removeprefix("Value error, ")
        loc = [str(part) for part in error["loc"]]
        # Cross-reference checks name their own key path: "plans.gold.calendar: unknown calendar …".
        named = _NAMED_PATH.match(message)
        if named:
            loc = [part for part in re.split(r"[.\[\]]+", named["path"]) if part]
            message = named["rest"]
        if error["type"] == "extra_forbidden" and len(loc) == 1:
            message = f"unknown key{_suggestion(loc[0], Policy.model_fields)}"
        path, line = _locate(node, loc)
        more = f" (and {exc.error_count() - 1} more problems)" if exc.error_count() > 1 else ""
        raise ConfigError(
            f"{source}: line {line}: {'.'.join(path) or '(top level)'}: {message}{more}"
        ) from exc


def _bad_date_line(text: str) -> int:
    loader = yaml.SafeLoader("")
    nodes = [yaml.compose(text, Loader=yaml.SafeLoader)]
    bad: list[int] = []
    while nodes:
        node = nodes.pop()
        if isinstance(node, yaml.MappingNode):
            nodes.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            nodes.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:timestamp":
            try:
                loader.construct_yaml_timestamp(node)
            except ValueError:
                bad.append(node.start_mark.line + 1)
    return min(bad, default=1)


def _suggestion(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else f" (known keys: {', '.join(known)})"


_NAMED_PATH = re.compile(r"^(?P<path>[a-z_][\w-]*(?:\.[\w-]+|\[\d+\])+): (?P<rest>.+)$", re.S)


def _locate(node: yaml.Node | None, loc: list[str]) -> tuple[list[str], int]:
    """Follow an error location through the YAML tree: the key path as written and the line it ends on.

    Parts that are not keys in the file (pydantic's names for union branches) are skipped; a missing
    key is reported at its parent's line.
    """
    if node is None:
        return loc, 1
    path: list[str] = []
    line = node.start_mark.line + 1
    for index, part in enumerate(loc):
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            child = next((value for key, value in node.value if str(key.value) == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            child = node.value[int(part)]
        if child is not None:
            path.append(part)
            node = child
            line = node.start_mark.line + 1
        elif index == len(loc) - 1 and isinstance(node, yaml.MappingNode):
            path.append(part)
    return path, line
