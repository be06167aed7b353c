"""The policy's `engineering.github.repo` and `engineering.jira.project`: where Create issue opens issues."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.policy import ConfigError, parse_config
from tests.conftest import EXAMPLE_POLICY


def with_engineering(block: dict[str, Any]) -> str:
    data = yaml.safe_load(EXAMPLE_POLICY.read_text())
    data["engineering"] = block
    return yaml.safe_dump(data, sort_keys=False)


def test_targets_load() -> None:
    policy = parse_config(with_engineering({"github": {"repo": "acme/product"}, "jira": {"project": "PROD"}}))
    assert policy.engineering.github is not None and policy.engineering.github.repo == "acme/product"
    assert policy.engineering.jira is not None and policy.engineering.jira.project == "PROD"
    assert parse_config(EXAMPLE_POLICY.read_text()).engineering.github is None  # unset: links only


@pytest.mark.parametrize(
    ("block", "named"),
    [
        ({"github": {"repo": "https://github.com/acme/product"}}, "engineering.github.repo"),
        ({"github": {"repo": "product"}}, "engineering.github.repo"),
        ({"jira": {"project": "prod-1"}}, "engineering.jira.project"),
        ({"jira": {"key": "PROD"}}, "engineering.jira"),
    ],
)
def test_a_malformed_target_is_named(block: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(with_engineering(block))
    assert named in str(caught.value)
