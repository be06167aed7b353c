"""What Slack's message box does to what a person types before the app sees it.

Slack's client turns a typed `@name` of someone in the workspace into a mention, and `@here`, `@channel`,
`@everyone` into broadcasts, and encodes `&`, `<`, `>`. A message (events) carries a person as `<@U…>`;
a slash command set to escape its text (`should_escape: true` in manifest.yml, as `/support` is) carries
them as `<@U…|name>`, so `/support log SUP-42 45m with @eng2` reaches the bot with eng2's user id.
A name nobody has stays as typed, as in Slack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.standin.payloads import encode

SHOULD_ESCAPE = True  # manifest.yml: /support's should_escape
BROADCASTS = ("here", "channel", "everyone")
# A handle as Slack allows it (letters, digits, `.`, `_`, `-`), not inside a word or an e-mail address.
TYPED_NAME = re.compile(r"(?<![\w.@])@([A-Za-z0-9][A-Za-z0-9._-]*)")


def handles(users: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """Each active person's handle (lower case) -> their user id, as the stand-in's workspace names them."""
    return {
        str(seed["name"]).lower(): uid
        for uid, seed in users.items()
        if seed.get("name") and not seed.get("deleted")
    }


def as_message(text: str, users: Mapping[str, Mapping[str, Any]]) -> str:
    """A message's text as Slack delivers it: encoded, typed names as `<@U…>`."""
    return _mentions(encode(text), handles(users), with_name=False)


def as_command(text: str, users: Mapping[str, Mapping[str, Any]], *, escape: bool = SHOULD_ESCAPE) -> str:
    """A slash command's text as Slack sends it: as typed, or (escaping on) encoded with `<@U…|name>`."""
    if not escape:
        return text
    return _mentions(encode(text), handles(users), with_name=True)


def _mentions(text: str, known: dict[str, str], *, with_name: bool) -> str:
    def mention(match: re.Match[str]) -> str:
        typed = match.group(1)
        name = typed
        while name:  # "@eng2." at the end of a sentence is eng2
            uid = known.get(name.lower())
            if uid is not None:
                shown = f"<@{uid}|{name.lower()}>" if with_name else f"<@{uid}>"
                return shown + typed[len(name) :]
            if name.lower() in BROADCASTS:
                return f"<!{name.lower()}>" + typed[len(name) :]
            if name[-1] not in "._-":
                break
            name = name[:-1]
        return match.group(0)

    return TYPED_NAME.sub(mention, text)
