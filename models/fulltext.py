"""The full-text index over published answers, in each database's own engine (created by migration 0016).

SQLite: an external-content FTS5 table `answers_fts` (porter stemming over unicode61), kept in step with
`answers` by triggers, ranked with bm25(). PostgreSQL: a generated `search` tsvector column on `answers`
with a GIN index, its text search configuration chosen by the answer's `language`, ranked with ts_rank.
"""

from __future__ import annotations

from typing import Any

# Plan languages with a PostgreSQL text search configuration of the same name (others use "simple").
LANGUAGES = (
    "english",
    "danish",
    "dutch",
    "finnish",
    "french",
    "german",
    "italian",
    "norwegian",
    "portuguese",
    "spanish",
    "swedish",
)


def config_of(language: str) -> str:
    return language if language in LANGUAGES else "simple"


_FORGET_OLD = (
    "INSERT INTO answers_fts(answers_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);"
)
SQLITE = [
    "CREATE VIRTUAL TABLE answers_fts USING fts5(title, text, content='answers', content_rowid='id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER answers_fts_insert AFTER INSERT ON answers BEGIN "
    "INSERT INTO answers_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    f"CREATE TRIGGER answers_fts_delete AFTER DELETE ON answers BEGIN {_FORGET_OLD} END",
    "CREATE TRIGGER answers_fts_update AFTER UPDATE OF title, text ON answers BEGIN "
    f"{_FORGET_OLD} "
    "INSERT INTO answers_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
]

_PG_CONFIG = (
    "CASE language "
    + " ".join(f"WHEN '{name}' THEN '{name}'::regconfig" for name in LANGUAGES)
    + " ELSE 'simple'::regconfig END"
)
POSTGRES = [
    "ALTER TABLE answers ADD COLUMN search tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector({_PG_CONFIG}, title), 'A') || setweight(to_tsvector({_PG_CONFIG}, text), 'B')"
    ") STORED",
    "CREATE INDEX answers_search ON answers USING GIN (search)",
]


async def create_index(apps: Any, schema_editor: Any) -> None:
    """RunPython body: the statements of the connection's dialect."""
    client = schema_editor.client
    for statement in SQLITE if client.capabilities.dialect == "sqlite" else POSTGRES:
        await client.execute_script(statement)
