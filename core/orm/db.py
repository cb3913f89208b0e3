"""Database engines for SQLite and PostgreSQL, and the few SQL helpers that differ between them.

This module owns how Comptoir connects: ``make_engine`` turns a URL into a configured
SQLAlchemy engine (real transactions, foreign keys and an ``unaccent`` SQL function on
SQLite; the ``unaccent`` extension on PostgreSQL), ``fold`` is the pure-Python twin of
``lower(unaccent(x))``, the database helpers create, drop and probe whole databases, and
``ids_in`` builds an "id in (...)" filter that is a single bind parameter on both engines.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import sqlite3
import unicodedata
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import URL, Connection, Dialect, Engine, make_url
from sqlalchemy.pool import NullPool, StaticPool
from sqlalchemy.sql.elements import ColumnElement

from core.exceptions import ConfigurationError

__all__ = [
    "create_database",
    "database_exists",
    "dialect_name",
    "drop_database",
    "ensure_extensions",
    "fold",
    "ids_in",
    "like_match",
    "make_engine",
    "unaccent",
]

_logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
SUPPORTED_DIALECTS = ("sqlite", "postgresql")

# Letters (and a few punctuation marks) that NFKD does not reduce to ASCII, mapped the way
# PostgreSQL's unaccent.rules maps them, so that SQLite and PostgreSQL fold alike.
_PG_RULES = (
    "Æ=AE Ð=D Ø=O Þ=TH ß=ss æ=ae ð=d ø=o þ=th Đ=D đ=d Ħ=H ħ=h ı=i ĸ=q Ŀ=L ŀ=l Ł=L ł=l "
    "ŉ='n Ŋ=N ŋ=n Œ=OE œ=oe Ŧ=T ŧ=t ƀ=b Ɓ=B Ƃ=B ƃ=b Ƈ=C ƈ=c Ɖ=D Ɗ=D Ƌ=D ƌ=d Ɛ=E Ƒ=F "
    "ƒ=f Ɠ=G ƕ=hv Ɩ=I Ɨ=I Ƙ=K ƙ=k ƚ=l Ɲ=N ƞ=n Ƣ=OI ƣ=oi Ƥ=P ƥ=p ƫ=t Ƭ=T ƭ=t Ʈ=T Ʋ=V "
    "Ƴ=Y ƴ=y Ƶ=Z ƶ=z Ǥ=G ǥ=g ȡ=d Ȥ=Z ȥ=z ȴ=l ȵ=n ȶ=t ȷ=j ȸ=db ȹ=qp Ⱥ=A Ȼ=C ȼ=c Ƚ=L "
    "Ⱦ=T ȿ=s ɀ=z Ƀ=B Ʉ=U Ɇ=E ɇ=e Ɉ=J ɉ=j Ɍ=R ɍ=r Ɏ=Y ɏ=y ẚ=a ẜ=s ẝ=s ẞ=SS Ỻ=LL ỻ=ll "
    "Ỽ=V ỽ=v Ỿ=Y ỿ=y "
    "‘=' ’=' ‛=' ′=' “=\" ”=\" ‟=\" ″=\" ‚=, „=,, «=<< »=>> ‹=< ›=> ‐=- ‑=- ‒=- –=- "
    "—=- ―=- −=- \u00ad=- ¡=! ¿=? ×=* ÷=/ ⁄=/ ©=(C) ®=(R) ±=+/-"
)
_TRANSLATION = str.maketrans(dict(item.split("=", 1) for item in _PG_RULES.split(" ")))


def unaccent(value: str | None) -> str | None:
    """Strip accents the way PostgreSQL's ``unaccent`` does for European text.

    NFKD-decompose, drop combining marks, and spell out what has no decomposition
    (œ→oe, æ→ae, ß→ss, ø→o, ł→l, typographic quotes and dashes...). Latin letters come
    out as ASCII. Deterministic: it is also registered as SQLite's ``unaccent()``.
    """
    if value is None:
        return None
    if value.isascii():
        return value
    text = unicodedata.normalize("NFKD", value.translate(_TRANSLATION))
    text = "".join(char for char in text if not unicodedata.combining(char))
    # a second pass catches letters uncovered by the decomposition (Ǽ → Æ → AE)
    return text.translate(_TRANSLATION)


def utc_to_local(value: str | None, tz: str) -> str | None:
    """SQLite twin of PostgreSQL's ``timezone(tz, timezone('UTC', value))`` (read_group
    groups datetimes in the user's time zone on both engines)."""
    if value is None:
        return None
    from zoneinfo import ZoneInfo
    moment = dt.datetime.fromisoformat(value).replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M:%S")


def fold(value: str | None) -> str | None:
    """``lower(unaccent(value))`` in Python: what the kernel compares in accent-free search."""
    text = unaccent(value)
    return None if text is None else text.lower()


_ANY, _ONE = object(), object()  # the ``%`` and ``_`` wildcards of a LIKE pattern


def like_match(value: str | None, pattern: str | None) -> bool | None:
    """``value LIKE pattern ESCAPE '\\'`` in Python: case- and accent-sensitive, character
    by character, ``None`` when either side is NULL. A trailing lone backslash never matches
    (PostgreSQL rejects such a pattern). Registered as SQLite's ``comptoir_like(pattern, value)``
    because SQLite's own LIKE ignores ASCII case. Greedy with one backtrack point, so at
    worst len(value) x len(pattern) steps: no pattern can stall it.
    """
    if value is None or pattern is None:
        return None
    value, pattern = str(value), str(pattern)
    tokens: list[Any] = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            char = next(chars, None)
            if char is None:
                return False
            tokens.append(char)
        else:
            tokens.append(_ANY if char == "%" else _ONE if char == "_" else char)
    pos = tok = 0
    star, mark = -1, 0
    while pos < len(value):
        if tok < len(tokens) and tokens[tok] is _ANY:
            star, mark, tok = tok, pos, tok + 1
        elif tok < len(tokens) and (tokens[tok] is _ONE or tokens[tok] == value[pos]):
            pos, tok = pos + 1, tok + 1
        elif star >= 0:  # let the last % swallow one more character and retry
            mark += 1
            pos, tok = mark, star + 1
        else:
            return False
    return all(token is _ANY for token in tokens[tok:])


# --------------------------------------------------------------------------- engines


def _normalise_url(url: str | URL) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise ConfigurationError(
            f"unsupported database URL {parsed.render_as_string(hide_password=True)!r}: "
            "use sqlite:///path/to/file.db or postgresql://user@host/dbname"
        )
    return parsed


def _is_sqlite_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:") or (url.query.get("mode") == "memory")


def make_engine(url: str | URL, **kw: Any) -> Engine:
    """Create an engine for ``url`` (``sqlite:///file``, ``sqlite://``, ``postgresql://...``).

    Extra keyword arguments go to ``sqlalchemy.create_engine``. SQLite connections get
    foreign keys, WAL (files), real transactions with transactional DDL and SAVEPOINTs, and
    the ``unaccent`` function; PostgreSQL gets the ``unaccent`` extension on first connect.
    """
    parsed = _normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _make_sqlite_engine(parsed, **kw)
    engine = sa.create_engine(parsed, **kw)
    _install_pg_extension_hook(engine)
    return engine


def _make_sqlite_engine(url: URL, **kw: Any) -> Engine:
    memory = _is_sqlite_memory(url)
    if memory:
        kw.setdefault("poolclass", StaticPool)
    connect_args = dict(kw.pop("connect_args", {}))
    connect_args.setdefault("check_same_thread", False)
    engine = sa.create_engine(url, connect_args=connect_args, **kw)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # hand transaction control to SQLAlchemy (see the "begin" listener below)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()
        dbapi_connection.create_function("unaccent", 1, unaccent, deterministic=True)
        dbapi_connection.create_function("comptoir_fold", 1, fold, deterministic=True)
        dbapi_connection.create_function(
            "comptoir_like", 2, lambda pattern, value: like_match(value, pattern),
            deterministic=True)
        dbapi_connection.create_function("comptoir_utc_to_local", 2, utc_to_local,
                                         deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT":
            return
        # pysqlite would only BEGIN before DML; an explicit BEGIN makes DDL transactional
        conn.exec_driver_sql("BEGIN")

    return engine


# --------------------------------------------------------------------------- PostgreSQL


_EXTENSIONS = ("unaccent",)


def _extension_hint(database: str | None, name: str) -> str:
    return (
        f"PostgreSQL extension {name!r} is missing in database {database!r} and this user "
        f"may not create it. Ask an administrator to run, as a superuser or the database "
        f"owner: psql -d {database} -c 'CREATE EXTENSION IF NOT EXISTS {name}' "
        "(on Debian/Ubuntu the extension ships in the postgresql-contrib package)."
    )


def _ensure_extensions_dbapi(dbapi_connection: Any, database: str | None) -> None:
    """Create the required extensions on a raw psycopg connection, then commit."""
    import psycopg

    cursor = dbapi_connection.cursor()
    try:
        for name in _EXTENSIONS:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = %s", (name,))
            if cursor.fetchone():
                continue
            try:
                cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {name}")
            except psycopg.errors.UniqueViolation:
                # another worker created it at the same moment
                dbapi_connection.rollback()
            except (
                psycopg.errors.InsufficientPrivilege,
                psycopg.errors.UndefinedFile,
                psycopg.errors.FeatureNotSupported,
            ) as exc:
                dbapi_connection.rollback()
                raise ConfigurationError(_extension_hint(database, name)) from exc
        dbapi_connection.commit()
    finally:
        cursor.close()


def _install_pg_extension_hook(engine: Engine) -> None:
    state = {"done": False}
    database = engine.url.database

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # lazily, so that an engine can be built before its database is created
        if not state["done"]:
            _ensure_extensions_dbapi(dbapi_connection, database)
            state["done"] = True


def ensure_extensions(engine: Engine | Connection) -> None:
    """Create the PostgreSQL extensions Comptoir needs (``unaccent``); no-op on SQLite.

    Raises ``ConfigurationError`` telling the admin what to run when the user lacks the
    privilege. ``make_engine`` already does this once per engine, on its first connection.
    """
    if dialect_name(engine) != "postgresql":
        return
    if isinstance(engine, Connection):
        _ensure_extensions_dbapi(engine.connection.dbapi_connection, engine.engine.url.database)
        return
    with engine.connect() as conn:
        _ensure_extensions_dbapi(conn.connection.dbapi_connection, engine.url.database)


# --------------------------------------------------------------------------- databases


def _sqlite_path(url: URL) -> str | None:
    return None if _is_sqlite_memory(url) else str(url.database)


def _maintenance_engine(url: URL) -> Engine:
    return sa.create_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool
    )


def database_exists(url: str | URL) -> bool:
    """Whether the database named by ``url`` exists (an in-memory SQLite one always does)."""
    parsed = _normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        return path is None or os.path.exists(path)
    engine = _maintenance_engine(parsed)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            ).first()
        return found is not None
    finally:
        engine.dispose()


def create_database(url: str | URL) -> None:
    """Create an empty database; ``ConfigurationError`` if it already exists."""
    parsed = _normalise_url(url)
    if database_exists(parsed) and (
        parsed.get_backend_name() != "sqlite" or _sqlite_path(parsed) is not None
    ):
        raise ConfigurationError(f"database {parsed.database!r} already exists")
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            directory = os.path.dirname(os.path.abspath(path))
            os.makedirs(directory, exist_ok=True)
            sqlite3.connect(path).close()
        return
    engine = _maintenance_engine(parsed)
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(str(parsed.database))
            conn.exec_driver_sql(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0")
    finally:
        engine.dispose()


def drop_database(url: str | URL) -> None:
    """Drop the database if it exists (PostgreSQL: disconnecting its sessions first)."""
    parsed = _normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
        return
    engine = _maintenance_engine(parsed)
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(str(parsed.database))
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- SQL helpers


def dialect_name(conn_or_engine: Engine | Connection | Dialect | Any) -> str:
    """``'sqlite'`` or ``'postgresql'`` for an engine, connection, dialect or session."""
    if isinstance(conn_or_engine, Dialect):
        name = conn_or_engine.name
    elif hasattr(conn_or_engine, "dialect"):
        name = conn_or_engine.dialect.name
    elif hasattr(conn_or_engine, "get_bind"):  # an ORM Session
        name = conn_or_engine.get_bind().dialect.name
    else:
        raise TypeError(f"cannot tell the dialect of {conn_or_engine!r}")
    if name not in SUPPORTED_DIALECTS:
        raise ConfigurationError(f"unsupported database dialect {name!r}")
    return name


def ids_in(column: ColumnElement[Any], ids: Sequence[int], dialect: str) -> ColumnElement[bool]:
    """``column IN ids`` as ONE bind parameter, whatever the number of ids.

    One id: ``column = :id``. PostgreSQL: ``column = ANY(:ids)`` with an integer array; SQLite:
    ``column IN (SELECT value FROM json_each(:ids))`` with the ids JSON-encoded.
    """
    values = [int(i) for i in ids]
    if len(values) == 1:  # the most frequent case (one record's page) in its simplest form
        return column == sa.literal(values[0], type_=sa.Integer)
    if dialect == "postgresql":
        array = sa.literal(values, type_=postgresql.ARRAY(sa.Integer))
        return column == sa.any_(array)
    if dialect == "sqlite":
        each = sa.func.json_each(sa.literal(json.dumps(values), type_=sa.String)).table_valued(
            "value"
        )
        return column.in_(sa.select(each.c.value))
    raise ConfigurationError(f"unsupported database dialect {dialect!r}")


def optimize(conn: Connection) -> None:
    """Refresh the query planner's statistics.

    SQLite keeps none until ``ANALYZE`` runs; without them it can pick an index that
    fits a record rule but not the sort (measured: 6x slower list pages on 100k rows).
    Run after installs, upgrades and bulk imports, and periodically. PostgreSQL's
    autovacuum does this itself; an explicit ``ANALYZE`` after bulk work helps it along.
    """
    if dialect_name(conn) == "sqlite":
        has_stats = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
        conn.exec_driver_sql("PRAGMA optimize" if has_stats else "ANALYZE")
    else:
        conn.exec_driver_sql("ANALYZE")
