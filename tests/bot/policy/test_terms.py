"""The rest of the vendors' terms in the policy file: prices from dates, deposits and premium add-ons."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from bot.policy import ConfigError, parse_config
from bot.policy.contracts import PerIncidentContract, PerMinuteContract, PriceList, price_on
from tests.conftest import EXAMPLE_POLICY

EXAMPLE = EXAMPLE_POLICY.read_text()


def _edited(old: str, new: str) -> str:
    assert old in EXAMPLE, old
    return EXAMPLE.replace(old, new, 1)


def test_the_example_has_each_term() -> None:
    policy = parse_config(EXAMPLE)
    globex = policy.contract_for("globex")
    assert isinstance(globex, PerIncidentContract) and isinstance(globex.price, PriceList)
    assert price_on(globex.price, date(2026, 12, 31)) == Decimal("250.00")
    assert price_on(globex.price, date(2027, 1, 1)) == Decimal("275.00")
    assert price_on(globex.price, date(2025, 6, 1)) == Decimal("250.00")  # the first also applies before
    initech = policy.contract_for("initech")
    assert isinstance(initech, PerMinuteContract) and initech.deposit is not None
    assert initech.deposit.minimum == Decimal("37.50") and initech.deposit.alert_at == [50, 20]
    assert [(p.day, p.amount) for p in initech.deposit.payments] == [(date(2026, 10, 30), Decimal("500.00"))]
    assert policy.addon_for("acme", "our-servers") == (
        "system-maintenance",
        policy.addons["system-maintenance"],
    )
    assert policy.addon_for("acme", "customization") is None  # acme did not buy service ownership
    assert policy.addon_for("globex", "our-servers") is None  # nor did globex buy system maintenance
    assert policy.addon_for("umbrella", "customization") == (
        "service-ownership",
        policy.addons["service-ownership"],
    )
    assert policy.addons["service-ownership"].rate == Decimal("95.00")


def test_the_issues_price_list_loads_as_written() -> None:
    text = _edited(
        '      - {from: "2027-01-01", amount: "275.00"}\n',
        '      - {from: "2027-01-01", amount: "275.00"}\n      - {from: "2027-07-01", amount: "300.00"}\n',
    )
    price = parse_config(text).contract_for("globex").price  # type: ignore[union-attr]
    assert isinstance(price, PriceList) and [a for _, a in price.points] == [
        Decimal("250.00"),
        Decimal("275.00"),
        Decimal("300.00"),
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (  # unsorted
            '{from: "2026-01-01", amount: "250.00"}\n      - {from: "2027-01-01", amount: "275.00"}',
            '{from: "2027-01-01", amount: "275.00"}\n      - {from: "2026-01-01", amount: "250.00"}',
            "contracts.globex-incident.price: the prices' `from` dates must be in order, each once: "
            "2026-01-01 comes after 2027-01-01",
        ),
        (  # the same date twice
            '{from: "2027-01-01", amount: "275.00"}',
            '{from: "2026-01-01", amount: "275.00"}',
            "contracts.globex-incident.price: the prices' `from` dates must be in order, each once",
        ),
        (
            '{from: "2027-01-01", amount: "275.00"}',
            '{from: "2027-01-01", amount: "275.001"}',
            "contracts.globex-incident.price: 275.001 has more decimals than USD has (2)",
        ),
        (
            '{from: "2027-01-01", amount: "275.00"}',
            "{from: 2027-01-01, amount: 275.00}",
            "contracts.globex-incident.price: each price in the list is "
            '{from: "2026-01-01", amount: "120.00"}: price 2, amount: write money as a quoted string',
        ),
        (
            '{from: "2027-01-01", amount: "275.00"}',
            '{from: "2027-01-01", amount: "275.00", until: "2028-01-01"}',
            "contracts.globex-incident.price: each price in the list",
        ),
        (
            'minimum: "37.50"',
            'minimum: "37.505"',
            "contracts.initech-minute.deposit: minimum 37.505 has more decimals than USD has (2)",
        ),
        (
            'amount: "500.00"}]',
            'amount: "0.00"}]',
            "contracts.initech-minute.deposit.payments.0.amount: a payment is more than nothing",
        ),
        (
            "alert_at: [50, 20]",
            "alert_at: [50, 120]",
            "contracts.initech-minute.deposit.alert_at: alert_at lists percentages of the last payment",
        ),
        (  # a bank holds hours, not a deposit
            "    on_empty: overage ",
            '    deposit: {minimum: "1.00"}\n    on_empty: overage ',
            "contracts.acme-bank.deposit: Extra inputs are not permitted",
        ),
        (
            "covers: [our-servers, configuration]",
            "covers: [our-servers, hosting]",
            "addons.system-maintenance.covers.1: 'hosting' is not a category: the scope does not list it",
        ),
        (
            "addons: [system-maintenance]",
            "addons: [hosting]",
            "customers.acme.addons.0: unknown add-on 'hosting'",
        ),
        (
            "covers: [customization]",
            "covers: [customization, our-servers]",
            "customers.acme.addons.1: 'service-ownership' and 'system-maintenance' both cover 'our-servers'",
        ),
        (
            'rate: "95.00"',
            'rate: "95.005"',
            "addons.service-ownership.rate: 95.005 has more decimals than USD has (2), "
            "the currency of umbrella's",
        ),
    ],
)
def test_check_config_refuses_bad_terms(old: str, new: str, expected: str) -> None:
    text = _edited(old, new)
    if "both cover" in expected:  # acme buys both
        text = text.replace("addons: [system-maintenance]", "addons: [system-maintenance, service-ownership]")
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert expected in str(caught.value)


def test_add_ons_need_a_scope() -> None:
    start, end = EXAMPLE.index("scope:\n"), EXAMPLE.index("escalation:\n")
    with pytest.raises(ConfigError) as caught:
        parse_config(EXAMPLE[:start] + EXAMPLE[end:])
    assert (
        "addons.system-maintenance.covers.0: 'our-servers' is not a category: the policy sets no scope"
        in str(caught.value)
    )


def test_todays_files_keep_loading_without_the_new_keys() -> None:
    policy = parse_config(
        EXAMPLE[: EXAMPLE.index("# Premium add-on services")]
        .replace("         addons: [system-maintenance]}", "         }")
        .replace("             addons: [service-ownership]}", "             }")
    )
    assert policy.addons == {} and all(not c.addons for c in policy.customers.values())
