"""Full-text index tables, one per indexed model, on both engines.

* SQLite: an FTS5 virtual table ``<table>_fts`` (rowid = record id, one column per indexed
  field), ranked by ``bm25`` with the fields' weights;
* PostgreSQL: a table ``<table>_fts`` (id, tsvector with the fields as weights A-D, GIN
  index), ranked by ``ts_rank``.

Both hold the tokens of :mod:`core.search.text` (stems without accents), so matching is the
same on both engines. The table is created on first use in the current transaction (``IF NOT
EXISTS``: workers racing to create it are fine); :func:`ensure` says when it was just
created, so the caller fills it from the existing records.
"""
from __future__ import annotations

from typing import Sequence

import sqlalchemy as sa

_WEIGHT_LETTERS = "ABCD"


def table_name(model_table: str) -> str:
    return f"{model_table}_fts"


def _exists(conn: sa.Connection, name: str) -> bool:
    if conn.dialect.name == "sqlite":
        return conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name = :n"),
                            {"n": name}).first() is not None
    return conn.execute(sa.text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None


def ensure(conn: sa.Connection, name: str, columns: int) -> bool:
    """Create the index table ``name`` for ``columns`` fields unless it exists; True when
    it was created (and is therefore empty)."""
    if _exists(conn, name):
        return False
    if conn.dialect.name == "sqlite":
        cols = ", ".join(f"c{i}" for i in range(columns))
        conn.execute(sa.text(f'CREATE VIRTUAL TABLE IF NOT EXISTS "{name}" USING fts5({cols}, '
                             f"tokenize='unicode61 remove_diacritics 2')"))
    else:
        conn.execute(sa.text(f'CREATE TABLE IF NOT EXISTS "{name}" '
                             f"(id integer PRIMARY KEY, doc tsvector NOT NULL)"))
        conn.execute(sa.text(f'CREATE INDEX IF NOT EXISTS "{name}_doc" ON "{name}" '
                             f"USING gin(doc)"))
    return True


def drop(conn: sa.Connection, name: str) -> None:
    conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}"'))


def delete(conn: sa.Connection, name: str, ids: Sequence[int]) -> None:
    if not ids:
        return
    key = "rowid" if conn.dialect.name == "sqlite" else "id"
    conn.execute(sa.text(f'DELETE FROM "{name}" WHERE {key} IN :ids').bindparams(
        sa.bindparam("ids", expanding=True)), {"ids": list(ids)})


def _letters(weights: Sequence[float]) -> list[str]:
    """A weight letter per column: the heaviest fields A, then B, C, D."""
    ranks = sorted(set(weights), reverse=True)
    return [_WEIGHT_LETTERS[min(ranks.index(w), 3)] for w in weights]


def replace(conn: sa.Connection, name: str, weights: Sequence[float],
            rows: Sequence[tuple[int, Sequence[str]]]) -> None:
    """(Re)index ``rows``: ``(record id, [tokens per column])``; one DELETE, one batched
    INSERT."""
    delete(conn, name, [row[0] for row in rows])
    if not rows:
        return
    params = [{"id": rid, **{f"c{i}": doc for i, doc in enumerate(docs)}} for rid, docs in rows]
    columns = range(len(weights))
    if conn.dialect.name == "sqlite":
        names = ", ".join(f"c{i}" for i in columns)
        values = ", ".join(f":c{i}" for i in columns)
        conn.execute(sa.text(f'INSERT INTO "{name}" (rowid, {names}) VALUES (:id, {values})'),
                     params)
    else:
        doc = " || ".join(f"setweight(to_tsvector('simple', :c{i}), '{letter}')"
                          for i, letter in zip(columns, _letters(weights)))
        conn.execute(sa.text(f'INSERT INTO "{name}" (id, doc) VALUES (:id, {doc})'), params)


def ranked(dialect: str, name: str, weights: Sequence[float],
           terms: Sequence[str]) -> sa.Subquery:
    """``(id, score)`` of the records matching any of ``terms`` (prefixes), the higher the
    score the better."""
    if dialect == "sqlite":
        match = " OR ".join(f"{term}*" for term in terms)
        bm25 = ", ".join(str(float(w)) for w in weights)
        query = sa.text(f'SELECT rowid AS id, -bm25("{name}", {bm25}) AS score '
                        f'FROM "{name}" WHERE "{name}" MATCH :match')
    else:
        match = " | ".join(f"{term}:*" for term in terms)
        top = max(weights) or 1.0
        by_letter = {letter: w / top for letter, w in zip(_letters(weights), weights)}
        array = ", ".join(str(by_letter.get(letter, 0.1)) for letter in "DCBA")
        query = sa.text(f"SELECT id, ts_rank('{{{array}}}', doc, q) AS score "
                        f'FROM "{name}", to_tsquery(\'simple\', :match) AS q WHERE doc @@ q')
    return query.bindparams(match=match).columns(
        sa.column("id", sa.Integer), sa.column("score", sa.Float)).subquery()
