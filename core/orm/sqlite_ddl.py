"""SQLite ``CREATE TABLE`` text surgery, for the schema changes SQLite cannot ALTER.

This module owns reading a table's definition from ``sqlite_master`` as a list of column
and constraint items, editing those items (drop a foreign key, change a declared type,
add or remove NOT NULL, append a CHECK or FOREIGN KEY) and writing the result back with
SQLite's documented ``writable_schema`` procedure
(https://sqlite.org/lang_altertable.html#otheralter), inside the caller's transaction.
It is only for edits that leave stored rows valid and their on-disk format unchanged;
``core.orm.schema`` decides when that holds and checks the rows first.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.engine import Connection

from core.exceptions import ConfigurationError

__all__ = [
    "alter_column", "batch_drop_columns", "drop_fk", "drop_references_to", "foreign_keys",
    "indexes_using", "needs_rebuild", "rewrite_table", "strip_columns", "table_items",
]

_COLUMN_KEYWORDS = {
    "CONSTRAINT", "PRIMARY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE",
    "REFERENCES", "GENERATED", "AS",
}
_TABLE_CONSTRAINT_KEYWORDS = {"CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"}


def _scan(text: str, separator: Callable[[str, int], bool]) -> list[str]:
    """Split ``text`` where ``separator`` says so, outside quotes and parentheses."""
    parts, depth, quote, start = [], 0, "", 0
    closing = {'"': '"', "'": "'", "`": "`", "[": "]"}
    for pos, char in enumerate(text):
        if quote:
            if char == quote:
                quote = ""
        elif char in closing:
            quote = closing[char]
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and separator(char, pos):
            parts.append(text[start:pos])
            start = pos + 1
    parts.append(text[start:])
    return [part.strip() for part in parts if part.strip()]


def _tokens(item: str) -> list[str]:
    return _scan(item, lambda char, _pos: char.isspace())


def _unquote(word: str) -> str:
    if len(word) >= 2 and word[0] in "\"`[" and word[-1] in "\"`]":
        return word[1:-1].replace('""', '"')
    return word


def _item_kind(item: str) -> str:
    upper = [word.upper() for word in _tokens(item)]
    first = upper[2] if upper[0] == "CONSTRAINT" and len(upper) > 2 else upper[0]
    return first if first in _TABLE_CONSTRAINT_KEYWORDS else "column"


def _column_name(item: str) -> str | None:
    return _unquote(_tokens(item)[0]) if _item_kind(item) == "column" else None


def _identifiers(group: str) -> list[str]:
    return [_unquote(part) for part in _scan(group.strip()[1:-1], lambda c, _p: c == ",")]


def _fk_columns(item: str) -> list[str]:
    """The constrained columns of a table-level FOREIGN KEY item, else []."""
    if _item_kind(item) != "FOREIGN":
        return []
    match = re.search(r"FOREIGN\s+KEY\s*(\([^)]*\))", item, re.IGNORECASE)
    return [] if match is None else _identifiers(match.group(1))


def _mentions(item: str, names: list[str]) -> bool:
    return any(
        re.search(rf'(?<![\w"]){re.escape(name)}(?![\w"])', item) for name in names
    )


def _referred_table(words: list[str]) -> str | None:
    upper = [word.upper() for word in words]
    if "REFERENCES" not in upper:
        return None
    target = words[upper.index("REFERENCES") + 1]
    return _unquote(target.split("(")[0] if "(" in target and target[0] not in "\"`[" else target)


def _without_references(words: list[str]) -> list[str]:
    """Drop an inline ``[CONSTRAINT n] REFERENCES t (c) [ON ...] [DEFERRABLE ...]`` clause."""
    upper = [word.upper() for word in words]
    if "REFERENCES" not in upper:
        return words
    start = end = upper.index("REFERENCES")
    if start >= 2 and upper[start - 2] == "CONSTRAINT":
        start -= 2
    end += 2
    if end < len(words) and words[end].startswith("("):
        end += 1
    actions = {"ON", "DELETE", "UPDATE", "SET", "NULL", "DEFAULT", "CASCADE", "RESTRICT", "NO",
               "ACTION", "MATCH", "DEFERRABLE", "INITIALLY", "DEFERRED", "IMMEDIATE"}
    while end < len(words) and (
        upper[end] in actions or (upper[end] == "NOT" and end + 1 < len(words)
                                  and upper[end + 1] == "DEFERRABLE") or upper[end - 1] == "MATCH"
    ):
        end += 1
    return words[:start] + words[end:]


def drop_fk(items: list[str], columns: list[str]) -> list[str]:
    """Items without the foreign key on ``columns`` (table-level or inline)."""
    result = []
    for item in items:
        if _fk_columns(item) == columns:
            continue
        if len(columns) == 1 and _column_name(item) == columns[0]:
            item = " ".join(_without_references(_tokens(item)))
        result.append(item)
    return result


def drop_references_to(items: list[str], tables: set[str]) -> list[str]:
    result = []
    for item in items:
        if _referred_table(_tokens(item)) in tables:
            if _item_kind(item) == "FOREIGN":
                continue
            if _item_kind(item) == "column":
                item = " ".join(_without_references(_tokens(item)))
        result.append(item)
    return result


def _split_column(item: str) -> tuple[str, list[str], list[str]]:
    parts = _tokens(item)
    position = 1
    while position < len(parts) and parts[position].upper() not in _COLUMN_KEYWORDS:
        position += 1
    return parts[0], parts[1:position], parts[position:]


def _without_not_null(words: list[str]) -> list[str]:
    result: list[str] = []
    for word in words:
        if word.upper() == "NULL" and result and result[-1].upper() == "NOT":
            result.pop()
            continue
        result.append(word)
    return result


def table_items(conn: Connection, table_name: str) -> tuple[str, list[str], str]:
    """A table's CREATE TABLE text as (head up to "(", column/constraint items, tail from ")")."""
    sql = conn.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :name"),
        {"name": table_name},
    ).scalar_one()
    depth, quote, opening, closing = 0, "", -1, -1
    pairs = {'"': '"', "'": "'", "`": "`", "[": "]"}
    for pos, char in enumerate(sql):
        if quote:
            quote = "" if char == quote else quote
        elif char in pairs:
            quote = pairs[char]
        elif char == "(":
            opening = pos if opening < 0 else opening
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                closing = pos
                break
    body = sql[opening + 1:closing]
    return sql[: opening + 1], _scan(body, lambda char, _pos: char == ","), sql[closing:]


def rewrite_table(
    conn: Connection, table_name: str, edit: Callable[[list[str]], list[str]]
) -> None:
    """Rewrite a table's CREATE TABLE text in place with ``edit`` applied to its items.

    Only for changes that leave the stored rows valid and their format unchanged; the new
    text is parsed by a scratch database first, and the schema version bumped so that
    every connection reloads it.
    """
    head, items, tail = table_items(conn, table_name)
    new_items = edit(list(items))
    if new_items == items:
        return
    sql = head + "\n\t" + ",\n\t".join(new_items) + "\n" + tail
    scratch = sqlite3.connect(":memory:")
    try:
        scratch.execute(sql)
    except sqlite3.Error as exc:
        raise ConfigurationError(f"cannot rewrite table {table_name}: {exc}: {sql}") from exc
    finally:
        scratch.close()
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        conn.execute(
            sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :name"),
            {"sql": sql, "name": table_name},
        )
        conn.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema=OFF")


def needs_rebuild(items: list[str], columns: list[str]) -> bool:
    """Whether dropping ``columns`` needs a table rebuild (a PRIMARY KEY or UNIQUE uses them)."""
    return any(
        _item_kind(item) in ("PRIMARY", "UNIQUE") and _mentions(item, columns) for item in items
    )


def strip_columns(items: list[str], columns: list[str]) -> list[str]:
    """Prepare ``ALTER TABLE DROP COLUMN``: remove the FOREIGN KEY and CHECK items using
    ``columns`` and reduce their own definitions to name and type (removing constraints
    leaves the on-disk format untouched)."""
    kept = []
    for item in items:
        kind = _item_kind(item)
        if set(_fk_columns(item)) & set(columns) or (kind == "CHECK" and _mentions(item, columns)):
            continue
        if _column_name(item) in columns:
            name, type_words, _rest = _split_column(item)
            item = " ".join([name, *type_words])
        kept.append(item)
    return kept


def alter_column(
    items: list[str], name: str, type_sql: str | None, nullable: bool | None
) -> list[str]:
    """Items with column ``name`` given a new declared type and/or nullability."""
    result = []
    for item in items:
        if _column_name(item) == name:
            quoted, type_words, rest = _split_column(item)
            if type_sql is not None:
                type_words = [type_sql]
            if nullable is not None:
                rest = _without_not_null(rest)
                if not nullable:
                    rest = ["NOT", "NULL", *rest]
            item = " ".join([quoted, *type_words, *rest])
        result.append(item)
    return result


def foreign_keys(conn: Connection, table_name: str) -> list[dict[str, Any]]:
    """A table's foreign keys from ``PRAGMA foreign_key_list``, shaped like the inspector's."""
    quoted = conn.dialect.identifier_preparer.quote(table_name)
    by_id: dict[int, dict[str, Any]] = {}
    for row in conn.exec_driver_sql(f"PRAGMA foreign_key_list({quoted})").mappings():
        fk = by_id.setdefault(row["id"], {
            "name": None, "constrained_columns": [], "referred_table": row["table"],
            "referred_columns": [], "options": {},
        })
        fk["constrained_columns"].append(row["from"])
        fk["referred_columns"].append(row["to"])
        for option, key in (("ondelete", "on_delete"), ("onupdate", "on_update")):
            if row[key] and row[key].upper() != "NO ACTION":
                fk["options"][option] = row[key]
    return list(by_id.values())


def indexes_using(conn: Connection, table_name: str, columns: list[str]) -> list[str]:
    """Names of the indexes of a table whose columns, expressions or WHERE use ``columns``."""
    rows = conn.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                "AND sql IS NOT NULL"),
        {"t": table_name},
    )
    return [name for name, sql in rows if _mentions(sql[sql.index("("):], columns)]


def batch_drop_columns(conn: Connection, table_name: str, columns: list[str]) -> None:
    """Drop columns by rebuilding the table (alembic batch mode), refused when a foreign key
    references the table: the rebuild's DROP TABLE would run its ON DELETE actions."""
    insp = sa.inspect(conn)
    referencing = [
        other for other in insp.get_table_names()
        if any(fk["referred_table"] == table_name for fk in insp.get_foreign_keys(other))
    ]
    if referencing:
        raise ConfigurationError(
            f"cannot drop {', '.join(columns)} from {table_name} on SQLite: a UNIQUE or PRIMARY "
            f"KEY constraint uses it, so the table must be rebuilt, and {', '.join(referencing)} "
            "reference it (the rebuild would run their ON DELETE actions)"
        )
    operations = Operations(MigrationContext.configure(conn))
    with operations.batch_alter_table(table_name, recreate="always") as batch:
        for name in columns:
            batch.drop_column(name)
