"""A customer's own contacts for an escalation level (`customers.acme.escalation: {manager: [U0ACMECSM]}`)
replace that level's people for its tickets only, in pages and in who may act on them."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.policy import ConfigError, Policy, parse_config
from bot.reports.simulate import customer_contacts, dry_run, render_text, to_dict
from models import Page
from tests.bot.services.conftest import TUESDAY_10AM, Env, build_env
from tests.conftest import EXAMPLE_POLICY, ROOT

ACME = "  acme: {name: Acme Corp, plan: enterprise, key_users: [U0KEY1], " + (
    "contract: acme-bank, account_manager: U0AM1"
)


def contacts_text(escalation: str = "{manager: [U0ACMECSM]}") -> str:
    text = EXAMPLE_POLICY.read_text()
    assert ACME in text
    return text.replace(ACME, f"{ACME}, escalation: {escalation}", 1)


def contacts_policy() -> Policy:
    return parse_config(contacts_text())


@pytest.fixture
def cenv(database: None, clock: FakeClock) -> Env:
    return build_env(contacts_policy(), clock)


async def test_the_customers_manager_is_paged_instead_of_the_levels_for_its_tickets_only(cenv: Env) -> None:
    env = cenv
    env.clock.set(TUESDAY_10AM)
    acme = await env.raise_ticket(reporter_id="U0KEY1", priority="P1")  # Enterprise, 24x7
    globex = await env.raise_ticket(priority="P1")  # Standard: its manager is the policy's
    await env.advance(timedelta(hours=3))
    acme_pages = [(p.level, p.recipient) for p in await Page.filter(ticket_id=acme.id).order_by("id")]
    assert ("manager", "U0ACMECSM") in acme_pages and ("manager", "U0MGR") not in acme_pages
    assert ("lead", "U0LEAD") in acme_pages  # levels it does not name keep their people
    globex_pages = [(p.level, p.recipient) for p in await Page.filter(ticket_id=globex.id).order_by("id")]
    assert ("manager", "U0MGR") in globex_pages and ("manager", "U0ACMECSM") not in globex_pages

    # The contact can act on the page they got as an escalation person: Take ticket claims it.
    page = await Page.get(ticket_id=acme.id, recipient="U0ACMECSM")
    taken = await env.pages.take(page.id, "U0ACMECSM")
    assert taken.owner_id == "U0ACMECSM" and (await Page.get(id=page.id)).acknowledged_at is not None


def test_a_contact_for_an_unknown_level_or_nobody_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"customers\.acme\.escalation\.director: unknown level"):
        parse_config(contacts_text("{director: [U0ACMECSM]}"))
    with pytest.raises(ConfigError, match="name at least one person"):
        parse_config(contacts_text("{manager: []}"))
    with pytest.raises(ConfigError, match="neither a Slack user id"):
        parse_config(contacts_text("{manager: [somebody]}"))


def test_the_dry_run_and_check_config_show_them(tmp_path: Path) -> None:
    policy = contacts_policy()
    run = dry_run(policy, "acme", "P1", TUESDAY_10AM)
    steps = {step["page"]: step["who"] for step in to_dict(run)["steps"]}
    assert steps["manager"] == ["U0ACMECSM"] and steps["lead"] == ["U0LEAD"]
    assert any("page manager (U0ACMECSM: Acme Corp's own)" in line for line in render_text(run).splitlines())
    assert dry_run(policy, "globex", "P1", TUESDAY_10AM).steps[1].who == ("U0MGR",)
    assert customer_contacts(policy) == ["acme: manager level is U0ACMECSM for Acme Corp's tickets"]

    path = tmp_path / "support.yml"
    path.write_text(contacts_text())
    checked = subprocess.run(
        [sys.executable, "-m", "bot", "check-config", str(path)],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "  acme: manager level is U0ACMECSM for Acme Corp's tickets" in checked.stdout.splitlines()
