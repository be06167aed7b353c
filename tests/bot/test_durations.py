from datetime import timedelta

import pytest

from bot.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45s", timedelta(seconds=45)),
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2d", timedelta(days=2)),
        (" 1d 2h ", timedelta(days=1, hours=2)),
    ],
)
def test_parse(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "0m", "2 hours", "30m1h", "h", "-1h", "1.5h"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0m"),
        (timedelta(seconds=45), "45s"),
        (timedelta(hours=1, minutes=30), "1h 30m"),
        (timedelta(days=2, hours=4, minutes=5), "2d 4h"),
        (timedelta(minutes=-20), "-20m"),
    ],
)
def test_format(value: timedelta, expected: str) -> None:
    assert format_duration(value) == expected
