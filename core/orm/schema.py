"""Make the live database follow the ORM metadata, inside the caller's transaction.

This module owns schema changes: ``sync_schema`` creates missing tables and adds what is
missing on existing ones (columns, foreign keys, unique and check constraints, indexes),
widens types and relaxes or tightens nullability when that is safe, and never touches a
table, column or constraint that the metadata does not name. ``add_column`` is the fast
path reused by custom fields; ``drop_columns`` and ``drop_tables`` remove what an
uninstalled addon owned.

SQLite cannot ALTER constraints, and the usual copy-and-swap rebuild (alembic's batch
mode) runs ``DROP TABLE`` on the old table, which with foreign keys enforced -- they
cannot be switched off inside a transaction -- fires ON DELETE CASCADE / SET NULL on
every table referencing it. So on SQLite, constraint, type and nullability changes that
do not alter the on-disk format are made by rewriting the table's ``CREATE TABLE`` text
(SQLite's documented ``writable_schema`` procedure) after checking that existing rows
satisfy them; unique constraints become unique indexes; batch mode is only used to drop a
column in a UNIQUE or PRIMARY KEY constraint, and only when no foreign key references
the table.
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy.engine import Connection

from core.exceptions import ConfigurationError
from core.orm import sqlite_ddl
from core.orm.db import dialect_name

__all__ = ["add_column", "drop_columns", "drop_tables", "live_foreign_keys", "sync_schema"]

_logger = logging.getLogger(__name__)



def _operations(conn: Connection) -> Operations:
    return Operations(MigrationContext.configure(conn))


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _ddl(conn: Connection) -> Any:
    return conn.dialect.ddl_compiler(conn.dialect, None)


def _skip(lines: list[str], message: str) -> None:
    _logger.warning(message)
    lines.append(f"skipped: {message}")


# --------------------------------------------------------------------------- public API


def _sorted_tables(metadata: sa.MetaData) -> list[sa.Table]:
    """Tables in dependency order. Users, contacts and companies refer to each other: such
    cycles are expected, and ``create_all`` adds the foreign keys of a cycle after its
    tables, so SQLAlchemy's warning about them says nothing useful here."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Cannot correctly sort tables",
                                category=sa.exc.SAWarning)
        return list(metadata.sorted_tables)


def sync_schema(
    conn: Connection, metadata: sa.MetaData, tables: Iterable[str] | None = None
) -> list[str]:
    """Make the database match ``metadata`` for ``tables`` (default: all); return what was done.

    Only adds and widens: tables, columns and constraints absent from the metadata are
    left alone. Changes that existing rows forbid are skipped and reported as ``skipped:``
    lines. Runs in ``conn``'s transaction; a second call with nothing to do returns ``[]``.
    """
    ordered = _sorted_tables(metadata)
    if tables is None:
        wanted = ordered
    else:
        names = set(tables)
        unknown = names.difference(metadata.tables)
        if unknown:
            raise ConfigurationError(f"tables not in the metadata: {', '.join(sorted(unknown))}")
        wanted = [table for table in ordered if table.name in names]
    existing = set(sa.inspect(conn).get_table_names())
    missing = [table for table in wanted if table.name not in existing]
    lines: list[str] = []
    if missing:
        metadata.create_all(conn, tables=missing, checkfirst=False)
        lines.extend(f"created table {table.name}" for table in missing)
    for table in wanted:
        if table.name in existing:
            lines.extend(_sync_table(conn, table))
    return lines


def add_column(conn: Connection, table: sa.Table, column: sa.Column[Any]) -> None:
    """Add one column with a plain ``ALTER TABLE ADD COLUMN`` (never a table rewrite).

    A foreign key is declared inline (``REFERENCES ... ON DELETE ...``); single-column
    indexes on it are created. A NOT NULL column without server default is added nullable
    and tightened only if the table has no rows.
    """
    sql = f"ALTER TABLE {_quote(conn, table.name)} ADD COLUMN {_column_spec(conn, column)}"
    foreign_keys = list(column.foreign_keys)
    if len(foreign_keys) == 1 and len(foreign_keys[0].constraint.columns) == 1:
        sql += " " + _inline_references(conn, foreign_keys[0].constraint)
    conn.exec_driver_sql(sql)
    if not column.nullable and column.server_default is None:
        lines: list[str] = []
        _set_not_null(conn, table, column, lines)
    for index in table.indexes:
        if list(index.expressions) == [column]:
            index.create(conn)


def drop_columns(conn: Connection, table_name: str, column_names: list[str]) -> None:
    """Drop columns (and the indexes and constraints that use them); missing ones are ignored."""
    insp = sa.inspect(conn)
    if not insp.has_table(table_name):
        return
    present = {col["name"] for col in insp.get_columns(table_name)}
    doomed = [name for name in column_names if name in present]
    if not doomed:
        return
    op = _operations(conn)
    if dialect_name(conn) == "postgresql":
        for name in doomed:
            op.drop_column(table_name, name)
        return
    for index_name in sqlite_ddl.indexes_using(conn, table_name, doomed):
        op.drop_index(index_name, table_name=table_name)
    if sqlite_ddl.needs_rebuild(sqlite_ddl.table_items(conn, table_name)[1], doomed):
        sqlite_ddl.batch_drop_columns(conn, table_name, doomed)
        return
    sqlite_ddl.rewrite_table(
        conn, table_name, lambda items: sqlite_ddl.strip_columns(items, doomed)
    )
    for name in doomed:
        conn.exec_driver_sql(
            f"ALTER TABLE {_quote(conn, table_name)} DROP COLUMN {_quote(conn, name)}"
        )


def drop_tables(conn: Connection, table_names: list[str]) -> None:
    """Drop tables, referencing ones first; foreign keys of surviving tables to them go too."""
    insp = sa.inspect(conn)
    live = set(insp.get_table_names())
    doomed = [name for name in dict.fromkeys(table_names) if name in live]
    if not doomed:
        return
    references = {
        name: {fk["referred_table"] for fk in insp.get_foreign_keys(name)} for name in live
    }
    ordered = _children_first(doomed, references)
    sqlite = dialect_name(conn) == "sqlite"
    if sqlite:
        # PostgreSQL's DROP ... CASCADE drops these constraints; on SQLite the implicit
        # DELETE of DROP TABLE would instead run their ON DELETE actions on other tables.
        for survivor in sorted(live.difference(doomed)):
            if references[survivor] & set(doomed):
                sqlite_ddl.rewrite_table(
                    conn,
                    survivor,
                    lambda items: sqlite_ddl.drop_references_to(items, set(doomed)),
                )
    for name in ordered:
        cascade = "" if sqlite else " CASCADE"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {_quote(conn, name)}{cascade}")


# --------------------------------------------------------------------------- one table


def _sync_table(conn: Connection, table: sa.Table) -> list[str]:
    lines: list[str] = []
    name = table.name
    live = {col["name"]: col for col in sa.inspect(conn).get_columns(name)}
    for column in table.columns:
        if column.name not in live:
            if column.primary_key:
                _skip(lines, f"cannot add primary key column {name}.{column.name}")
                continue
            add_column(conn, table, column)
            lines.append(f"added column {name}.{column.name}")
    insp = sa.inspect(conn)
    live = {col["name"]: col for col in insp.get_columns(name)}
    primary = set(insp.get_pk_constraint(name)["constrained_columns"])
    impl = MigrationContext.configure(conn).impl
    for column in table.columns:
        if column.name in primary or column.name not in live:
            continue
        current = live[column.name]
        if impl.compare_type(sa.Column(column.name, current["type"]), column):
            _change_type(conn, table, column, current["type"], lines)
        if current["nullable"] and not column.nullable:
            _set_not_null(conn, table, column, lines)
        elif not current["nullable"] and column.nullable:
            _alter_column(conn, table, column, nullable=True)
            lines.append(f"dropped NOT NULL on {name}.{column.name}")
    _sync_foreign_keys(conn, table, lines)
    _sync_unique(conn, table, lines)
    _sync_checks(conn, table, lines)
    _sync_indexes(conn, table, lines)
    return lines


def _change_type(
    conn: Connection, table: sa.Table, column: sa.Column[Any], old: Any, lines: list[str]
) -> None:
    dialect = conn.dialect
    old_sql, new_sql = old.compile(dialect=dialect), column.type.compile(dialect=dialect)
    label = f"{table.name}.{column.name} from {old_sql} to {new_sql}"
    if not _is_widening(old, column.type) or (
        dialect.name == "sqlite" and _affinity(old_sql) != _affinity(new_sql)
    ):
        _skip(lines, f"unsafe type change of {label}")
        return
    _alter_column(conn, table, column, type_=column.type, existing_type=old)
    lines.append(f"changed type of {label}")


def _integer_rank(type_: Any) -> int:
    if isinstance(type_, sa.BigInteger):
        return 3
    return 1 if isinstance(type_, sa.SmallInteger) else 2


def _is_widening(old: Any, new: Any) -> bool:
    """Whether every value of type ``old`` fits in ``new`` unchanged."""
    if isinstance(old, sa.String) and isinstance(new, sa.String):
        new_length = None if isinstance(new, sa.Text) else new.length
        old_length = None if isinstance(old, sa.Text) else old.length
        return new_length is None or (old_length is not None and new_length >= old_length)
    if isinstance(old, sa.Integer) and isinstance(new, sa.Integer):
        return _integer_rank(old) <= _integer_rank(new)
    if isinstance(old, sa.Numeric) and isinstance(new, sa.Numeric):
        if isinstance(new, sa.Float) or isinstance(old, sa.Float):
            return isinstance(new, sa.Float) and isinstance(old, sa.Float)
        if new.precision is None:
            return True
        if old.precision is None:
            return False
        old_scale, new_scale = old.scale or 0, new.scale or 0
        return new_scale >= old_scale and new.precision - new_scale >= old.precision - old_scale
    return False


def _affinity(declared: str) -> str:
    """SQLite's type affinity rules (https://sqlite.org/datatype3.html, 3.1)."""
    upper = declared.upper()
    if "INT" in upper:
        return "INTEGER"
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return "TEXT"
    if "BLOB" in upper or not upper:
        return "BLOB"
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return "REAL"
    return "NUMERIC"


def _set_not_null(
    conn: Connection, table: sa.Table, column: sa.Column[Any], lines: list[str]
) -> None:
    probe = sa.select(sa.literal(1)).select_from(sa.table(table.name)).where(
        sa.column(column.name).is_(None)
    )
    if conn.execute(probe.limit(1)).first() is not None:
        _skip(lines, f"NOT NULL on {table.name}.{column.name}: some rows have no value")
        return
    _alter_column(conn, table, column, nullable=False)
    lines.append(f"set NOT NULL on {table.name}.{column.name}")


def _alter_column(
    conn: Connection, table: sa.Table, column: sa.Column[Any], **changes: Any
) -> None:
    if dialect_name(conn) == "postgresql":
        _operations(conn).alter_column(table.name, column.name, **changes)
        return

    type_sql = changes["type_"].compile(dialect=conn.dialect) if "type_" in changes else None
    sqlite_ddl.rewrite_table(
        conn,
        table.name,
        lambda items: sqlite_ddl.alter_column(
            items, column.name, type_sql, changes.get("nullable")
        ),
    )


def _fk_key(columns: Iterable[str], referred: str, referred_columns: Iterable[str]) -> tuple:
    return (tuple(columns), referred, tuple(referred_columns))


def _rule(value: str | None) -> str:
    return (value or "NO ACTION").upper()


def _sync_foreign_keys(conn: Connection, table: sa.Table, lines: list[str]) -> None:
    live = {
        _fk_key(fk["constrained_columns"], fk["referred_table"], fk["referred_columns"]): fk
        for fk in live_foreign_keys(conn, table.name)
    }
    for constraint in table.foreign_key_constraints:
        referred = constraint.referred_table
        remote = [element.column.name for element in constraint.elements]
        key = _fk_key(constraint.column_keys, referred.name, remote)
        found = live.get(key)
        label = f"{table.name}({', '.join(key[0])}) -> {referred.name}"
        if found is not None and _rule(found["options"].get("ondelete")) == _rule(
            constraint.ondelete
        ):
            continue
        if not _fk_rows_ok(conn, table, constraint):
            _skip(lines, f"foreign key {label}: some rows reference missing records")
            continue
        if dialect_name(conn) == "postgresql":
            op = _operations(conn)
            if found is not None:
                op.drop_constraint(found["name"], table.name, type_="foreignkey")
            op.create_foreign_key(
                constraint.name, table.name, referred.name, list(key[0]), list(key[2]),
                ondelete=constraint.ondelete, onupdate=constraint.onupdate,
            )
        else:
            clause = _ddl(conn).visit_foreign_key_constraint(constraint)
            columns = list(key[0])

            def edit(items: list[str], clause: str = clause, columns: list = columns) -> list[str]:
                return [*sqlite_ddl.drop_fk(items, columns), clause]

            sqlite_ddl.rewrite_table(conn, table.name, edit)
        verb = "changed ON DELETE of" if found is not None else "added"
        lines.append(f"{verb} foreign key {label} ON DELETE {_rule(constraint.ondelete)}")


def live_foreign_keys(conn: Connection, table_name: str) -> list[dict[str, Any]]:
    """``Inspector.get_foreign_keys``, with ON DELETE/UPDATE of inline SQLite REFERENCES too.

    SQLAlchemy reads SQLite's FK options from the CREATE TABLE text and misses those of
    columns added by ``ALTER TABLE ADD COLUMN ... REFERENCES``; the pragma has them all.
    """
    reflected = sa.inspect(conn).get_foreign_keys(table_name)
    if dialect_name(conn) != "sqlite":
        return reflected
    found = sqlite_ddl.foreign_keys(conn, table_name)
    names = {tuple(fk["constrained_columns"]): fk["name"] for fk in reflected}
    for fk in found:
        fk["name"] = names.get(tuple(fk["constrained_columns"]))
    return found


def _fk_rows_ok(conn: Connection, table: sa.Table, constraint: sa.ForeignKeyConstraint) -> bool:
    child = sa.table(table.name, *[sa.column(c) for c in constraint.column_keys]).alias("child")
    parent_table = constraint.referred_table
    remote = [sa.column(element.column.name) for element in constraint.elements]
    parent = sa.table(parent_table.name, *remote).alias("parent")
    pairs = list(zip(constraint.column_keys, [e.column.name for e in constraint.elements]))
    on = sa.and_(*[child.c[a] == parent.c[b] for a, b in pairs])
    probe = (
        sa.select(sa.literal(1))
        .select_from(child.outerjoin(parent, on))
        .where(*[child.c[a].is_not(None) for a, _ in pairs], parent.c[pairs[0][1]].is_(None))
        .limit(1)
    )
    return conn.execute(probe).first() is None


def _sync_unique(conn: Connection, table: sa.Table, lines: list[str]) -> None:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        uniques = sa.inspect(conn).get_unique_constraints(table.name)
    live = {tuple(uc["column_names"]) for uc in uniques}
    live |= {tuple(ix["column_names"]) for ix in _live_indexes(conn, table.name).values()
             if ix["unique"]}
    for constraint in table.constraints:
        if not isinstance(constraint, sa.UniqueConstraint) or not constraint.columns:
            continue
        columns = [c.name for c in constraint.columns]
        if tuple(columns) in live:
            continue
        name = constraint.name if isinstance(constraint.name, str) else None
        name = name or f"{table.name}_{'_'.join(columns)}_key"
        cols = sa.table(table.name, *[sa.column(c) for c in columns])
        duplicates = (
            sa.select(*cols.c).where(*[c.is_not(None) for c in cols.c])
            .group_by(*cols.c).having(sa.func.count() > 1).limit(1)
        )
        if conn.execute(duplicates).first() is not None:
            _skip(lines, f"unique constraint {name}: duplicate values in {table.name}")
            continue
        op = _operations(conn)
        if dialect_name(conn) == "postgresql":
            op.create_unique_constraint(name, table.name, columns)
        else:  # same guarantee, and SQLite can create an index without a rebuild
            op.create_index(name, table.name, columns, unique=True)
        lines.append(f"added unique constraint {name} on {table.name}({', '.join(columns)})")


def _sync_checks(conn: Connection, table: sa.Table, lines: list[str]) -> None:
    live = {ck["name"] for ck in sa.inspect(conn).get_check_constraints(table.name)}
    for constraint in table.constraints:
        if not isinstance(constraint, sa.CheckConstraint) or getattr(
            constraint, "_type_bound", False
        ):
            continue
        name = constraint.name if isinstance(constraint.name, str) else None
        if not name or name in live:
            continue
        body = _ddl(conn).sql_compiler.process(
            constraint.sqltext, include_table=False, literal_binds=True
        )
        bad = sa.select(sa.literal(1)).select_from(sa.table(table.name)).where(
            sa.text(f"NOT ({body})")
        )
        if conn.execute(bad.limit(1)).first() is not None:
            _skip(lines, f"check constraint {name}: some rows of {table.name} break it")
            continue
        if dialect_name(conn) == "postgresql":
            _operations(conn).create_check_constraint(name, table.name, constraint.sqltext)
        else:
            clause = _ddl(conn).visit_check_constraint(constraint)
            sqlite_ddl.rewrite_table(conn, table.name, lambda items, c=clause: [*items, c])
        lines.append(f"added check constraint {name} on {table.name}")


def _live_indexes(conn: Connection, table_name: str) -> dict[str, dict[str, Any]]:
    """Indexes by name; SQLite expression indexes, which SQLAlchemy skips, as [None] columns."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        live = {ix["name"]: ix for ix in sa.inspect(conn).get_indexes(table_name)}
    if dialect_name(conn) == "sqlite":
        names = conn.execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                    "AND sql IS NOT NULL"), {"t": table_name}).scalars()
        for name in names:
            live.setdefault(name, {"name": name, "column_names": [None], "unique": None})
    return live


def _sync_indexes(conn: Connection, table: sa.Table, lines: list[str]) -> None:
    live = _live_indexes(conn, table.name)
    for index in table.indexes:
        found = live.get(index.name)
        columns = [c.name if isinstance(c, sa.Column) else None for c in index.expressions]
        if found is not None:
            if None in columns or (
                list(found["column_names"]) == columns
                and bool(found["unique"]) == bool(index.unique)
            ):
                continue
            _operations(conn).drop_index(index.name, table_name=table.name)
        index.create(conn)
        lines.append(f"{'recreated' if found else 'created'} index {index.name} on {table.name}")


# --------------------------------------------------------------------------- helpers


def _column_spec(conn: Connection, column: sa.Column[Any]) -> str:
    dialect = conn.dialect
    spec = _quote(conn, column.name) + " " + dialect.type_compiler_instance.process(
        column.type, type_expression=column
    )
    default = _ddl(conn).get_column_default_string(column)
    if default is not None:
        spec += " DEFAULT " + default
        if not column.nullable:
            spec += " NOT NULL"
    return spec


def _inline_references(conn: Connection, constraint: sa.ForeignKeyConstraint) -> str:
    ddl = _ddl(conn)
    element = constraint.elements[0]
    text = ddl.define_constraint_preamble(constraint)
    remote = element.column
    text += f"REFERENCES {_quote(conn, remote.table.name)} ({_quote(conn, remote.name)})"
    return text + ddl.define_constraint_cascades(constraint) + ddl.define_constraint_deferrability(
        constraint
    )


def _children_first(names: list[str], references: dict[str, set[str]]) -> list[str]:
    pending, ordered = list(names), []
    while pending:
        ready = [
            name for name in pending
            if not any(name in references.get(other, set()) for other in pending if other != name)
        ]
        batch = ready or pending[:1]  # a cycle: CASCADE (PostgreSQL) sorts it out
        ordered.extend(batch)
        pending = [name for name in pending if name not in batch]
    return ordered
