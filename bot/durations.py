"""Durations as written in the policy file: `45s`, `30m`, `2h`, `1h30m`, `2d`."""

from __future__ import annotations

import re
from datetime import timedelta

_PATTERN = re.compile(r"^(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


def parse_duration(text: str) -> timedelta:
    """Parse `1h30m`-style text; units must come in d, h, m, s order and the total must be positive."""
    cleaned = str(text).strip().replace(" ", "")
    match = _PATTERN.match(cleaned)
    if not cleaned or match is None or not any(match.groupdict().values()):
        raise ValueError(f"{text!r} is not a duration; write it like 45s, 30m, 2h, 1h30m or 2d")
    parts = {unit: int(value or 0) for unit, value in match.groupdict().items()}
    value = timedelta(days=parts["d"], hours=parts["h"], minutes=parts["m"], seconds=parts["s"])
    if value <= timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return value


def format_duration(value: timedelta) -> str:
    """Short human form, largest units first: `1h 30m`, `2d 4h`, `45s`; negative values get a minus sign."""
    total = int(value.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [f"{n}{u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "m")) if n]
    if seconds and not days and not hours:
        parts.append(f"{seconds}s")
    return sign + (" ".join(parts[:2]) if parts else "0m")
