"""Building blocks of the policy file: strict models, priorities, durations and people."""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict

from bot.durations import parse_duration


class ConfigError(Exception):
    """A policy file that cannot be used; the message names the key and line."""


class Strict(BaseModel):
    """Unknown keys are errors (a typo must not be silently ignored); loaded policies never change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def label(self) -> str:
        return PRIORITY_LABELS[self][0]

    @property
    def meaning(self) -> str:
        return PRIORITY_LABELS[self][1]


PRIORITY_LABELS: dict[Priority, tuple[str, str]] = {
    Priority.P1: ("P1 Emergency", "Production down or launch blocked"),
    Priority.P2: ("P2 Critical", "Production impaired or development schedule blocked"),
    Priority.P3: ("P3 Normal", "A problem with a workaround, or a question"),
    Priority.P4: ("P4 Enhancement request", "A wish for new or changed behaviour"),
}

TARGET_NAMES = ("first_response", "resolution")  # once per ticket, from when it was raised
RECURRING_TARGETS = ("next_response", "update_every")  # once per customer message / update period
SLACK_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
SLACK_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLACK_TEAM_ID = re.compile(r"^[TE][A-Z0-9]{2,}$")  # a workspace (T…) or an Enterprise Grid organisation (E…)
EMOJI_NAME = re.compile(r"^[a-z0-9_+'-]{1,100}$")

Duration = Annotated[
    timedelta, BeforeValidator(lambda v: v if isinstance(v, timedelta) else parse_duration(v))
]


def check_person(value: object) -> str:
    text = str(value).strip()
    if not (SLACK_USER_ID.match(text) or EMAIL.match(text)):
        raise ValueError(f"{text!r} is neither a Slack user id (U…) nor an e-mail address")
    return text


def check_slack_id(value: object) -> str:
    text = str(value).strip()
    if not SLACK_USER_ID.match(text):
        raise ValueError(
            f"{text!r} is not a Slack user id (U…): key users, engineers and account managers are"
            " recognized by the id Slack sends with each request (e-mail addresses work on escalation"
            " levels only)"
        )
    return text


# Escalation levels may name people by e-mail (looked up when paging); everyone else by Slack id.
Person = Annotated[str, BeforeValidator(check_person)]
SlackId = Annotated[str, BeforeValidator(check_slack_id)]


def check_channel_id(value: object) -> str:
    text = str(value).strip()
    if not SLACK_CHANNEL_ID.match(text):
        raise ValueError(f"{text!r} is not a channel id (C…); copy it from the channel's details")
    return text


def check_team_id(value: object) -> str:
    text = str(value).strip()
    if not SLACK_TEAM_ID.match(text):
        raise ValueError(
            f"{text!r} is not a Slack organisation id (T… for a workspace, E… for an Enterprise Grid)"
        )
    return text


ChannelId = Annotated[str, BeforeValidator(check_channel_id)]
TeamId = Annotated[str, BeforeValidator(check_team_id)]
