"""Which database engines the tests run on, and counting the queries they send.

SQLite always; PostgreSQL when one answers at ``COMPTOIR_TEST_PG`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``). With ``CI=true`` a missing
PostgreSQL is an error, so a green CI always means both engines passed.
"""
from __future__ import annotations

import os
import re
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import event

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def pg_admin_url() -> str:
    return os.environ.get("COMPTOIR_TEST_PG", DEFAULT_PG)


@lru_cache(maxsize=1)
def pg_available() -> bool:
    try:
        engine = sa.create_engine(pg_admin_url(), connect_args={"connect_timeout": 3},
                                  poolclass=sa.pool.NullPool)
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        engine.dispose()
        return True
    except Exception:  # any failure means "no PostgreSQL here"
        return False


def engine_names() -> list[str]:
    wanted = os.environ.get("COMPTOIR_TEST_ENGINES")
    if wanted:
        return [name.strip() for name in wanted.split(",") if name.strip()]
    return ["sqlite", "postgresql"] if pg_available() or _ci() else ["sqlite"]


def _ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pg_test_url(dbname: str) -> str:
    return re.sub(r"/[^/]*$", f"/{dbname}", pg_admin_url())


class QueryCounter:
    """Counts the SQL statements an engine sends while active (``.count``, ``.statements``)."""

    def __init__(self, target: Any) -> None:
        self.target = target.engine if hasattr(target, "engine") else target
        self.statements: list[str] = []

    def _on_execute(self, conn: Any, cursor: Any, statement: str, parameters: Any,
                    context: Any, executemany: bool) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)

    def __enter__(self) -> "QueryCounter":
        event.listen(self.target, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc: Any) -> None:
        event.remove(self.target, "before_cursor_execute", self._on_execute)


@contextmanager
def count_queries(env_or_conn: Any) -> Iterator[QueryCounter]:
    conn = env_or_conn.conn if hasattr(env_or_conn, "conn") else env_or_conn
    with QueryCounter(conn.engine) as counter:
        yield counter
