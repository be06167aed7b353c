"""Published answers searched with the database's own full-text engine, on SQLite (FTS5) and PostgreSQL
(tsvector + GIN): stemming, ranking, withdrawn answers hidden, nothing but title and text shared."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot import db
from bot.services import answers
from bot.services.errors import ServiceError
from models import Deflection, Ticket

NOW = datetime(2026, 11, 17, 16, 0, tzinfo=UTC)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[str]:
    await db.start_database(database_url)
    try:
        yield database_url
    finally:
        await db.stop_database()


async def publish(title: str, text: str, language: str = "english", ticket_id: int | None = None) -> int:
    answer = await answers.publish(
        title=title, text=text, language=language, by="U0ENG", ticket_id=ticket_id, now=NOW
    )
    return answer.id


async def test_stemming_finds_other_forms_of_a_word(database: str) -> None:
    exported = await publish("Export to CSV", "Use the export button in the report view.")
    await publish("Password reset", "Ask your admin to reset it.")

    found = await answers.search("exporting reports")

    assert [f.id for f in found] == [exported]


async def test_the_better_match_comes_first(database: str) -> None:
    weak = await publish("Printing", "Printing a page also shows the invoice total.")
    strong = await publish("Invoice totals are wrong", "Invoice totals round each invoice line first.")
    await publish("Unrelated", "Nothing to see here.")

    found = await answers.search("invoice totals wrong")

    assert [f.id for f in found] == [strong, weak]


async def test_at_most_the_limit_and_nothing_for_no_words(database: str) -> None:
    for n in range(5):
        await publish(f"Sync issue {n}", "Sync stops after an hour; restart the sync agent.")

    assert len(await answers.search("sync")) == 3
    assert len(await answers.search("sync", limit=5)) == 5
    assert await answers.search("  ?! ") == []
    # FTS syntax in what a user typed is taken as words, never as a query (no error, no match-all).
    assert await answers.search('"NEAR( sync* OR') != [] and await answers.search("* OR -") == []


async def test_withdrawn_answers_are_never_found(database: str) -> None:
    gone = await publish("Export to CSV", "Use the export button.")
    kept = await publish("Exports time out", "Large exports run overnight.")
    await answers.withdraw(gone, by="U0LEAD", now=NOW)

    assert [f.id for f in await answers.search("export")] == [kept]
    assert [a.id for a in await answers.listing()] == [kept]
    with pytest.raises(ServiceError):
        await answers.deflected(customer="globex", person="U0KEY", answer_id=gone, now=NOW)


async def test_an_edit_is_searched_by_its_new_words(database: str) -> None:
    answer = await publish("Login loop", "Clear the cookies.")
    await answers.edit(
        answer, title="Single sign-on loop", text="Renew the SAML certificate.", by="U0LEAD", now=NOW
    )

    assert await answers.search("cookies") == []
    assert [f.id for f in await answers.search("certificates")] == [answer]


async def test_answers_in_another_language_are_searched_with_its_own_config(database: str) -> None:
    german = await publish("Rechnung exportieren", "Exportieren Sie die Rechnungen im Bericht.", "german")
    await publish("Export invoices", "Export the invoices from the report.")

    assert [f.id for f in await answers.search("Rechnungen", "german")] == [german]


async def test_only_the_published_note_is_shared_never_the_ticket_or_its_customer(database: str) -> None:
    ticket = await Ticket.create(
        customer="acme",
        plan="standard",
        priority="P3",
        environment="production",
        reporter_id="U0ACMEKEY",
        created_at=NOW,
        updated_at=NOW,
        title="Acme's secret exports fail",
        description="Our confidential payroll export for Acme Corp breaks",
    )
    await publish("Exports fail", "Re-run the export after the nightly backup.", ticket_id=ticket.id)

    assert await answers.search("payroll confidential acme") == []
    (found,) = await answers.search("export fails")
    shown = f"{found.title} {found.text}"
    assert "Acme" not in shown and "payroll" not in shown and "acme" not in shown
    assert set(vars(found)) == {"id", "title", "text"}


async def test_a_deflection_is_counted_for_its_customer_only(database: str) -> None:
    answer = await publish("Export to CSV", "Use the export button.")
    await answers.deflected(customer="globex", person="U0KEY", answer_id=answer, now=NOW)

    month = (NOW.replace(day=1), NOW.replace(day=30))
    assert await answers.deflections_in(*month, "globex") == 1
    assert await answers.deflections_in(*month, "acme") == 0
    assert await answers.deflections_in(*month) == 1
    assert await answers.deflections_in(NOW.replace(day=18), NOW.replace(day=30)) == 0
    assert await Deflection.filter(answer_id=answer).count() == 1
