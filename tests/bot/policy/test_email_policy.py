"""The policy's `email:` block and customers' e-mail key users: validated, every mistake named by its key
and line, secrets only as the names of environment variables."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from bot.mail.config import mail_config
from bot.policy import ConfigError, parse_config
from bot.settings import SettingsError
from tests.conftest import EXAMPLE_POLICY
from tests.mailservers import MAIL_ENV, mail_policy_data


def text_of(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def test_an_email_policy_loads_with_lower_cased_addresses_and_its_key_users() -> None:
    data = mail_policy_data(2525, imap_port=1143, smtp_auth=True)
    data["customers"]["acme"]["email"]["key_users"].append("Big.Boss@ACME.example")
    policy = parse_config(text_of(data))
    assert policy.email is not None and policy.email.address == "support@vendor.example"
    assert policy.customer_of_address("big.boss@acme.example") == "acme"
    assert policy.customer_of_address("ANNA@acme.example") == "acme"
    assert policy.customer_of_address("nobody@acme.example") is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["email"].update(address="not-an-address"),
            "email.address: 'not-an-address' is not an e-mail",
        ),
        (lambda d: d["email"]["smtp"].update(password_env="hunter2!"), "email.smtp.password_env"),
        (
            lambda d: d["email"]["smtp"].update(user=None, password_env="SMTP_PASSWORD"),
            "give both user and password_env",
        ),
        (lambda d: d["email"].update(inbound={}), "at least one way mail comes in"),
        (lambda d: d["email"]["smtp"].update(pasword_env="X"), "email.smtp.pasword_env"),
        (lambda d: d.pop("email"), "customers.acme.email: e-mail key users need the top-level email: block"),
        (
            lambda d: d["customers"]["hooli"]["email"]["key_users"].append("anna@acme.example"),
            "already a key user of acme",
        ),
        (
            lambda d: d["customers"]["acme"]["email"]["key_users"].append("support@vendor.example"),
            "our own address",
        ),
    ],
)
def test_mistakes_name_the_key(change: Callable[[dict[str, Any]], object], expected: str) -> None:
    data = mail_policy_data(2525, smtp_auth=True)
    change(data)
    with pytest.raises(ConfigError) as error:
        parse_config(text_of(data))
    assert expected in str(error.value) and "line" in str(error.value)


def test_secrets_come_from_the_variables_named_and_a_missing_one_is_named() -> None:
    policy = parse_config(text_of(mail_policy_data(2525, imap_port=1143, smtp_auth=True)))
    config = mail_config(policy, MAIL_ENV)
    assert config is not None and config.smtp_password == MAIL_ENV["SMTP_PASSWORD"]
    assert MAIL_ENV["SMTP_PASSWORD"] not in repr(config)
    for name in ("IMAP_PASSWORD", "SMTP_PASSWORD", "EMAIL_WEBHOOK_TOKEN"):
        with pytest.raises(SettingsError, match=f"{name} is not set"):
            mail_config(policy, {k: v for k, v in MAIL_ENV.items() if k != name})


def test_without_an_email_block_nothing_changes() -> None:
    policy = parse_config(EXAMPLE_POLICY.read_text())
    assert policy.email is None and mail_config(policy, {}) is None
