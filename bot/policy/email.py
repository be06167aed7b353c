"""The `email:` block (the support address, the ways mail comes in, the SMTP server it leaves by) and a
customer's `email:` (the addresses that may raise tickets by mail). Secrets are never in the file: each
`*_env` key names the environment variable that holds it."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field, model_validator

from bot.policy.base import EMAIL, Strict

ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _address(value: object) -> str:
    text = str(value).strip().lower()
    if not EMAIL.match(text):
        raise ValueError(f"{text!r} is not an e-mail address")
    return text


def _env_name(value: object) -> str:
    text = str(value).strip()
    if not ENV_NAME.match(text):
        raise ValueError(
            f"{text!r} is not an environment variable name (A-Z, 0-9, _); name the variable that holds the "
            "secret, never the secret itself"
        )
    return text


Address = Annotated[str, BeforeValidator(_address)]
EnvName = Annotated[str, BeforeValidator(_env_name)]


class Webhook(Strict):
    token_env: EnvName


class Imap(Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=993, gt=0, lt=65536)
    tls: bool = True
    user: str = Field(min_length=1)
    password_env: EnvName
    folder: str = Field(default="INBOX", min_length=1)
    done_folder: str | None = Field(default=None, min_length=1)  # none: flag \Seen and leave it there


class Inbound(Strict):
    webhook: Webhook | None = None
    imap: Imap | None = None

    @model_validator(mode="after")
    def _some_way_in(self) -> Inbound:
        if self.webhook is None and self.imap is None:
            raise ValueError("name at least one way mail comes in: webhook or imap")
        return self


class Smtp(Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=587, gt=0, lt=65536)
    starttls: bool = True  # 587; set tls instead for 465
    tls: bool = False
    user: str | None = None
    password_env: EnvName | None = None

    @model_validator(mode="after")
    def _login(self) -> Smtp:
        if (self.user is None) != (self.password_env is None):
            raise ValueError("give both user and password_env, or neither (a server that needs no login)")
        if self.tls and self.starttls:
            raise ValueError("tls (465) and starttls (587) exclude each other; set one")
        return self


class EmailSettings(Strict):
    address: Address  # what customers write to; our mail comes from it
    display_name: str = Field(default="Support", min_length=1, max_length=80)
    inbound: Inbound
    smtp: Smtp


class CustomerEmail(Strict):
    key_users: list[Address] = Field(min_length=1)
