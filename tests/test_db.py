"""Engines, folding, database helpers and ids_in on SQLite and PostgreSQL."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from core.exceptions import ConfigurationError
from core.orm.db import (
    create_database,
    database_exists,
    dialect_name,
    drop_database,
    ensure_extensions,
    fold,
    ids_in,
    make_engine,
    unaccent,
)

PG_SERVER = os.environ.get("COMPTOIR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
WORDS = ["Société Générale", "ÉLÉONORE", "Œuvre", "Straße", "garçon", "Ærøskøbing", "Łódź",
         "Crème brûlée", "naïve façade", "Ångström", "plain ascii", ""]


def _pg_available() -> bool:
    try:
        engine = sa.create_engine(f"{PG_SERVER}/postgres", poolclass=sa.pool.NullPool,
                                  connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except sa.exc.OperationalError:
        return False


def pg_url() -> str:
    """A fresh throwaway database URL, or skip (fail under CI=true) without PostgreSQL."""
    if not _pg_available():
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not answering at " + PG_SERVER)
        pytest.skip("PostgreSQL is not answering")
    return f"{PG_SERVER}/comptoir_schema_test_{uuid.uuid4().hex[:10]}"


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path) -> Iterator[sa.Engine]:
    url = f"sqlite:///{tmp_path / 'test.db'}" if request.param == "sqlite" else pg_url()
    create_database(url)
    eng = make_engine(url)
    try:
        yield eng
    finally:
        eng.dispose()
        drop_database(url)


def test_fold_python() -> None:
    assert fold("Société Générale") == "societe generale"
    assert fold("ÉLÉONORE") == "eleonore"
    assert fold("Œuvre") == "oeuvre"
    assert fold("Straße") == "strasse"
    assert fold("garçon") == "garcon"
    assert unaccent("Æsop Œdipe") == "AEsop OEdipe"
    assert fold(None) is None and unaccent(None) is None
    assert all(unaccent(word).isascii() for word in WORDS)


def test_unaccent_in_sql_matches_fold(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        for word in [*WORDS, None]:
            folded, stripped = conn.execute(
                sa.select(sa.func.lower(sa.func.unaccent(sa.literal(word, sa.String))),
                          sa.func.unaccent(sa.literal(word, sa.String)))
            ).one()
            assert (folded, stripped) == (fold(word), unaccent(word)), word


def test_ids_in_one_parameter_for_50000_ids(engine: sa.Engine) -> None:
    metadata = sa.MetaData()
    table = sa.Table("item", metadata, sa.Column("id", sa.Integer, primary_key=True))
    dialect = dialect_name(engine)
    with engine.begin() as conn:
        metadata.create_all(conn)
        conn.execute(table.insert(), [{"id": i} for i in range(1, 2001)])
        ids = list(range(0, 100_000, 2))
        statements: list[str] = []
        sa.event.listen(conn, "before_cursor_execute",
                        lambda *args: statements.append(args[2]))
        count = conn.execute(
            sa.select(sa.func.count()).where(ids_in(table.c.id, ids, dialect))
        ).scalar_one()
        assert count == 1000
        assert conn.execute(
            sa.select(sa.func.count()).where(ids_in(table.c.id, [], dialect))
        ).scalar_one() == 0
        both = sa.select(sa.func.count()).where(
            ids_in(table.c.id, [1, 2, 3], dialect), ~ids_in(table.c.id, [2], dialect)
        )
        assert conn.execute(both).scalar_one() == 2
    compiled = sa.select(table.c.id).where(ids_in(table.c.id, ids, dialect)).compile(engine)
    assert len(compiled.params) == 1


def test_dialect_name(engine: sa.Engine) -> None:
    with engine.connect() as conn:
        assert dialect_name(conn) == dialect_name(engine) == engine.dialect.name
        assert dialect_name(conn.dialect) in ("sqlite", "postgresql")


def test_database_helpers(engine: sa.Engine) -> None:
    url = engine.url
    assert database_exists(url)
    with pytest.raises(ConfigurationError):
        create_database(url)
    engine.dispose()
    drop_database(url)
    assert not database_exists(url)
    drop_database(url)  # idempotent
    create_database(url)
    assert database_exists(url)


def test_url_rewriting() -> None:
    for url in ("postgresql://u@h/db", "postgres://u@h/db", "postgresql+psycopg2://u@h/db"):
        assert make_engine(url).url.drivername == "postgresql+psycopg"
    with pytest.raises(ConfigurationError):
        make_engine("mysql://u@h/db")


def test_sqlite_memory_is_shared_and_configured() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        conn.exec_driver_sql("INSERT INTO t VALUES (1)")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_file_pragmas_and_transactional_ddl(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
        conn.rollback()
        with conn.begin() as trans:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            trans.rollback()
        assert not sa.inspect(conn).has_table("t")
        conn.rollback()
        with conn.begin():
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
            savepoint = conn.begin_nested()
            conn.exec_driver_sql("INSERT INTO t VALUES (1)")
            savepoint.rollback()
            conn.exec_driver_sql("INSERT INTO t VALUES (2)")
        assert conn.exec_driver_sql("SELECT x FROM t").scalars().all() == [2]
    autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
    with autocommit.connect() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (3)")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO t VALUES (4)")
        conn.rollback()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT x FROM t ORDER BY x").scalars().all() == [2, 3]
    engine.dispose()


def test_pg_missing_privilege_for_extension() -> None:
    url = pg_url()
    role = f"comptoir_noext_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT",
                             poolclass=sa.pool.NullPool)
    create_database(url)
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        engine = make_engine(sa.make_url(url).set(username=role))
        with pytest.raises(ConfigurationError, match="CREATE EXTENSION IF NOT EXISTS unaccent"):
            with engine.connect():
                pass
        engine.dispose()
        owner = make_engine(url)
        ensure_extensions(owner)  # the superuser can, and a second call is a no-op
        ensure_extensions(owner)
        owner.dispose()
    finally:
        drop_database(url)
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
        admin.dispose()
