"""`plans.NAME.language`: the language a plan's published answers are written and searched in."""

from __future__ import annotations

import pytest

from bot.policy import ConfigError, parse_config
from tests.conftest import EXAMPLE_POLICY

EXAMPLE = EXAMPLE_POLICY.read_text()
BASIC = "    max_key_users: 2\n"


def test_language_defaults_to_english_and_a_plan_may_name_its_own() -> None:
    assert parse_config(EXAMPLE).plans["basic"].language == "english"
    german = parse_config(EXAMPLE.replace(BASIC, BASIC + "    language: german\n", 1))
    assert german.plans["basic"].language == "german" and german.plans["premium"].language == "english"


def test_a_language_that_is_not_a_word_is_refused_with_its_key() -> None:
    with pytest.raises(ConfigError, match=r"plans\.basic\.language"):
        parse_config(EXAMPLE.replace(BASIC, BASIC + '    language: "english\'; drop"\n', 1))
