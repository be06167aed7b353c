"""Contracts in the policy file: each type loads, money is exact, and every mistake names its key and line."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from bot.policy import ConfigError, parse_config
from bot.policy.contracts import (
    INCLUDED,
    BankContract,
    IncludedContract,
    PerIncidentContract,
    PerMinuteContract,
)

POLICY = """\
support_channel: C0SUPPORT
calendars:
  always: {timezone: UTC, hours: 24x7}
plans:
  enterprise:
    calendar: always
    first_response: {P1: 30m, P2: 30m, P3: 30m, P4: 30m}
escalation:
  levels: {lead: [U0LEAD]}
  ladder: {default: [{page: lead, after: first_response}]}
engineers: [U0ENG1]
customers:
  acme: {name: Acme Corp, plan: enterprise, key_users: [U0KEY1], contract: acme-bank, account_manager: U0AM1}
  globex: {name: Globex, plan: enterprise, key_users: [U0KEY2], contract: globex-incident}
  initech: {name: Initech, plan: enterprise, key_users: [U0KEY3], contract: initech-minute}
  umbrella: {name: Umbrella, plan: enterprise, key_users: [U0KEY4], contract: umbrella-included}
  hooli: {name: Hooli, plan: enterprise, key_users: [U0KEY5]}
contracts:
  acme-bank:
    type: bank
    currency: EUR
    increment: 15m
    purchases:
      - {hours: 20, from: 2026-11-01, expires: 2027-10-31, price: "2400.00"}
      - {hours: 7.5, from: 2027-01-01, expires: 2027-12-31}
    on_empty: overage
    overage_rate: "150.00"
    alert_at: [95, 80, 100]
  globex-incident:
    type: per_incident
    currency: USD
    block: 2h
    price: "250.00"
  initech-minute:
    type: per_minute
    currency: JPY
    rate: "40"
  umbrella-included:
    type: included
    addon_rate: "120.00"
"""


def _broken(old: str, new: str) -> str:
    assert old in POLICY
    return POLICY.replace(old, new, 1)


def test_every_contract_type_loads() -> None:
    policy = parse_config(POLICY)
    bank = policy.contract_for("acme")
    assert isinstance(bank, BankContract)
    assert (bank.currency, bank.increment, bank.on_empty) == ("EUR", 15, "overage")
    assert bank.overage_rate == Decimal("150.00") and bank.alert_at == [80, 95, 100]
    assert [p.minutes for p in bank.purchases] == [1200, 450]
    assert bank.purchases[0].start == date(2026, 11, 1) and bank.purchases[0].price == Decimal("2400.00")
    assert bank.purchases[1].price is None and bank.purchases[1].valid_on(date(2027, 12, 31))
    incident = policy.contract_for("globex")
    assert isinstance(incident, PerIncidentContract) and (incident.block, incident.price) == (
        120,
        Decimal("250.00"),
    )
    minute = policy.contract_for("initech")
    assert isinstance(minute, PerMinuteContract) and minute.rate == Decimal(40) and minute.increment == 1
    included = policy.contract_for("umbrella")
    assert isinstance(included, IncludedContract) and included.addon_rate == Decimal("120.00")
    assert included.currency == "USD"  # the default, used only to price paid requests
    assert policy.customers["acme"].account_manager == "U0AM1"


def test_a_customer_without_a_contract_is_included() -> None:
    policy = parse_config(POLICY)
    assert policy.customers["hooli"].contract is None and policy.customers["hooli"].account_manager is None
    assert policy.contract_for("hooli") == INCLUDED
    assert INCLUDED.type == "included" and INCLUDED.addon_rate is None and INCLUDED.increment == 1


def test_a_policy_without_contracts_still_loads() -> None:
    text = re.sub(r", contract: [\w-]+", "", POLICY.partition("contracts:")[0])
    policy = parse_config(text)
    assert policy.contracts == {} and policy.contract_for("acme") == INCLUDED


def test_bank_defaults() -> None:
    policy = parse_config(_broken("    on_empty: overage\n", "").replace("    alert_at: [95, 80, 100]\n", ""))
    bank = policy.contract_for("acme")
    assert isinstance(bank, BankContract) and bank.on_empty == "overage" and bank.alert_at == [80, 100]
    block = parse_config(_broken("on_empty: overage", "on_empty: block")).contract_for("acme")
    assert isinstance(block, BankContract) and block.on_empty == "block"


def test_per_incident_block_defaults_to_two_hours() -> None:
    contract = parse_config(_broken("    block: 2h\n", "")).contract_for("globex")
    assert isinstance(contract, PerIncidentContract) and contract.block == 120


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "contract: acme-bank",
            "contract: gold",
            "line 13: customers.acme.contract: unknown contract 'gold'",
        ),
        ("account_manager: U0AM1", "account_manager: bob", "line 13: customers.acme.account_manager: 'bob'"),
        (
            'overage_rate: "150.00"',
            "overage_rate: 150.00",
            'line 27: contracts.acme-bank.overage_rate: write money as a quoted string, like "2.50"',
        ),
        ('rate: "40"', "rate: 40", "line 37: contracts.initech-minute.rate: write money as a quoted string"),
        (
            'price: "250.00"',
            'price: "2.5O"',
            "line 33: contracts.globex-incident.price: '2.5O' is not an amount",
        ),
        (
            'price: "250.00"',
            'price: "-1.00"',
            "line 33: contracts.globex-incident.price: '-1.00' is not an amount",
        ),
        (
            'price: "250.00"',
            'price: "NaN"',
            "line 33: contracts.globex-incident.price: 'NaN' is not an amount",
        ),
        (
            'price: "250.00"',
            'price: "250.005"',
            "line 33: contracts.globex-incident.price: 250.005 has more decimals than USD has (2)",
        ),
        (
            'rate: "40"',
            'rate: "40.5"',
            "line 37: contracts.initech-minute.rate: 40.5 has more decimals than JPY",
        ),
        (
            'price: "2400.00"',
            'price: "2400.001"',
            "line 24: contracts.acme-bank.purchases: purchase 1: price 2400.001 has more decimals than EUR",
        ),
        (
            "currency: EUR",
            "currency: EURO",
            "line 21: contracts.acme-bank.currency: 'EURO' is not an ISO 4217 currency code",
        ),
        (
            "currency: USD",
            "currency: usd",
            "line 31: contracts.globex-incident.currency: 'usd' is not an ISO 4217",
        ),
        (
            "type: per_minute",
            "type: hourly",
            "line 35: contracts.initech-minute: type must be one of included, bank",
        ),
        (
            "    type: per_minute\n",
            "",
            "line 35: contracts.initech-minute: type must be one of included, bank",
        ),
        (
            "increment: 15m",
            "increment: 90s",
            "line 22: contracts.acme-bank.increment: '90s' is not a whole number",
        ),
        ("increment: 15m", "increment: 15", "line 22: contracts.acme-bank.increment: '15' is not a duration"),
        (
            "block: 2h",
            "block: 2 hours",
            "line 32: contracts.globex-incident.block: '2 hours' is not a duration",
        ),
        (
            "on_empty: overage",
            "on_empty: bill",
            "line 26: contracts.acme-bank.on_empty: Input should be 'overage'",
        ),
        (
            '    overage_rate: "150.00"\n',
            "",
            "line 20: contracts.acme-bank.overage_rate: Field required",
        ),
        (
            "expires: 2027-10-31",
            "expires: 2026-10-31",
            "line 24: contracts.acme-bank.purchases.0: expires 2026-10-31 is before from 2026-11-01",
        ),
        (
            "{hours: 20,",
            "{hours: 0,",
            "line 24: contracts.acme-bank.purchases.0.hours: 0 is not a positive number",
        ),
        (
            "{hours: 7.5,",
            "{hours: 7.51,",
            "line 25: contracts.acme-bank.purchases.1.hours: 7.51 is not a positive number of hours in whole",
        ),
        (
            "from: 2026-11-01",
            "form: 2026-11-01",
            "line 24: contracts.acme-bank.purchases.0.from: Field required",
        ),
        ("from: 2026-11-01", "from: 2026-13-01", "line 24: not a date (month must be in 1..12)"),
        (
            '    purchases:\n      - {hours: 20, from: 2026-11-01, expires: 2027-10-31, price: "2400.00"}\n'
            "      - {hours: 7.5, from: 2027-01-01, expires: 2027-12-31}\n",
            "    purchases: []\n",
            "line 23: contracts.acme-bank.purchases: List should have at least 1 item",
        ),
        (
            "alert_at: [95, 80, 100]",
            "alert_at: [80, 120]",
            "line 28: contracts.acme-bank.alert_at: alert_at lists percentages of the bank used, from 1",
        ),
        (
            "alert_at: [95, 80, 100]",
            "alert_at: [80, 80]",
            "line 28: contracts.acme-bank.alert_at: alert_at names",
        ),
        (
            'addon_rate: "120.00"',
            "addon_rate: 120.0",
            "line 40: contracts.umbrella-included.addon_rate: write",
        ),
        ('rate: "40"\n', 'rate: "40"\n    hourly: true\n', "line 38: contracts.initech-minute.hourly: Extra"),
    ],
)
def test_mistakes_name_the_key_and_line(old: str, new: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(_broken(old, new), "policy.yml")
    assert f"policy.yml: {expected}" in str(error.value)


def test_an_unquoted_float_says_why_it_is_refused() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(_broken('overage_rate: "150.00"', "overage_rate: 150.10"), "policy.yml")
    assert "YAML reads the unquoted 150.1 as a number, and floats lose cents" in str(error.value)
