"""Published answers: publishing a resolution note, leads' edits and withdrawals, the full-text search
key users see, and the requests an answer deflected.

Answers are the only content shared between customers: a search returns title and text, never the ticket,
its description or its customer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from tortoise import connections

from bot.services.errors import ServiceError
from models import Answer, Deflection
from models.fulltext import config_of

WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 32  # a long description still makes one short query


@dataclass(frozen=True)
class Found:
    id: int
    title: str
    text: str


def words_of(text: str) -> list[str]:
    """The query's words, lower-cased and de-duplicated: nothing of the FTS syntax reaches the engine."""
    seen: dict[str, None] = {}
    for word in WORD.findall(text.lower()):
        if len(word) > 1:
            seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS]


async def search(words: str, language: str = "english", limit: int = 3) -> list[Found]:
    """The best published, not withdrawn answers in `language` for any of `words`, best first (one indexed
    query)."""
    terms = words_of(words)
    if not terms:
        return []
    client = connections.get("default")
    if client.capabilities.dialect == "sqlite":
        match = " OR ".join('"' + term + '"' for term in terms)
        rows = await client.execute_query_dict(
            "SELECT a.id, a.title, a.text FROM answers_fts JOIN answers a ON a.id = answers_fts.rowid "
            "WHERE answers_fts MATCH ? AND a.withdrawn = 0 AND a.language = ? "
            "ORDER BY bm25(answers_fts, 2.0, 1.0) LIMIT ?",
            [match, language, limit],
        )
    else:
        # plainto_tsquery stems and drops stop words; any word may match, the rank orders them.
        rows = await client.execute_query_dict(
            "SELECT id, title, text FROM answers, "
            "CAST(replace(CAST(plainto_tsquery(CAST($1 AS regconfig), $2) AS text), '&', '|') AS tsquery) q "
            "WHERE search @@ q AND NOT withdrawn AND language = $3 "
            "ORDER BY ts_rank(search, q) DESC, id LIMIT $4",
            [config_of(language), " ".join(terms), language, limit],
        )
    return [Found(int(row["id"]), row["title"], row["text"]) for row in rows]


async def publish(
    *, title: str, text: str, language: str, by: str, ticket_id: int | None, now: datetime
) -> Answer:
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise ServiceError("A published answer needs a title and the resolution note.")
    return await Answer.create(
        title=title[:200],
        text=text,
        language=language,
        published_by=by,
        published_at=now,
        ticket_id=ticket_id,
    )


async def listing(include_withdrawn: bool = False) -> list[Answer]:
    query = Answer.all() if include_withdrawn else Answer.filter(withdrawn=False)
    return await query.order_by("-published_at", "-id")


async def edit(answer_id: int, *, title: str, text: str, by: str, now: datetime) -> Answer:
    answer = await Answer.get_or_none(id=answer_id)
    if answer is None:
        raise ServiceError(f"There is no answer {answer_id}.")
    if not title.strip() or not text.strip():
        raise ServiceError("An answer needs a title and a text.")
    answer.title, answer.text = title.strip()[:200], text.strip()
    answer.edited_by, answer.edited_at = by, now
    await answer.save(update_fields=["title", "text", "edited_by", "edited_at"])
    return answer


async def withdraw(answer_id: int, *, by: str, now: datetime) -> Answer:
    answer = await Answer.get_or_none(id=answer_id)
    if answer is None:
        raise ServiceError(f"There is no answer {answer_id}.")
    answer.withdrawn, answer.edited_by, answer.edited_at = True, by, now
    await answer.save(update_fields=["withdrawn", "edited_by", "edited_at"])
    return answer


async def deflected(*, customer: str, person: str, answer_id: int, now: datetime) -> Deflection:
    """A key user said this answer solved their request: counted, no ticket raised."""
    if not await Answer.exists(id=answer_id, withdrawn=False):
        raise ServiceError("That answer is no longer published.")
    return await Deflection.create(customer=customer, person=person, answer_id=answer_id, at=now)


async def deflections_in(since: datetime, until: datetime, customer: str | None = None) -> int:
    """Requests solved by published answers in [since, until), of one customer or of all."""
    query = Deflection.filter(at__gte=since, at__lt=until)
    return await (query.filter(customer=customer) if customer else query).count()
