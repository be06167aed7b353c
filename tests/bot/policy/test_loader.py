"""The loader turns every problem in the file, even one PyYAML reports oddly, into an error with a line."""

from __future__ import annotations

import pytest

from bot.policy import ConfigError, parse_config
from tests.conftest import ROOT

FOUNDATION = (ROOT / "tests" / "foundation_policy.yml").read_text()


def test_a_date_that_is_no_date_names_its_line() -> None:
    # PyYAML reads `2026-02-30` as a date and raises a bare ValueError, without a position.
    text = FOUNDATION.replace('dates: ["2026-12-24"]', "dates: [2026-12-24, 2026-02-30]")
    with pytest.raises(ConfigError) as error:
        parse_config(text, "policy.yml")
    assert str(error.value) == "policy.yml: line 6: not a date (day is out of range for month)"
