"""The pytest plugin: engine fixtures and environments rolled back after each test.

Fixtures:

* ``engine_name`` / ``db_engine`` — parametrised over SQLite and PostgreSQL (when one
  answers; mandatory with ``CI=true``), one fresh database per engine per test session;
* ``make_orm_env`` — build a registry from model classes and get an environment on it,
  inside a transaction rolled back when the test ends;
* ``env`` — the kernel (``base``) plus the addons under test installed once per session,
  rolled back after each test (see :mod:`core.testing.installed`).
"""
from __future__ import annotations

import os
import tempfile
import uuid
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator

import pytest
import sqlalchemy as sa

from .browser import (browser, live_database, live_server, page,  # noqa: F401
                      pytest_runtest_makereport)
from .engines import _ci, engine_names, pg_available, pg_test_url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: run on SQLite only")
    config.addinivalue_line("markers", "postgresql_only: run on PostgreSQL only")
    if not os.environ.get("COMPTOIR_DATA_DIR"):
        # attachments of test databases go to a temporary folder, never the user's own
        os.environ["COMPTOIR_DATA_DIR"] = tempfile.mkdtemp(prefix="comptoir-test-data-")
    if _ci() and not pg_available():
        raise pytest.UsageError(
            "CI=true but no PostgreSQL answers at COMPTOIR_TEST_PG (default "
            "postgresql+psycopg://postgres@127.0.0.1:5432/postgres): a green CI must mean "
            "both engines passed.")


def pytest_report_header(config: pytest.Config) -> str:
    return "comptoir engines: " + ", ".join(engine_names())


@pytest.fixture(scope="session", params=engine_names())
def engine_name(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(autouse=True)
def _engine_markers(request: pytest.FixtureRequest) -> None:
    if "engine_name" not in request.fixturenames:
        return
    name = request.getfixturevalue("engine_name")
    if name == "postgresql" and request.node.get_closest_marker("sqlite_only"):
        pytest.skip("SQLite only")
    if name == "sqlite" and request.node.get_closest_marker("postgresql_only"):
        pytest.skip("PostgreSQL only")


@pytest.fixture(scope="session")
def db_url(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh empty database for this test session."""
    from ..orm.db import create_database, drop_database
    if engine_name == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    url = pg_test_url(f"comptoir_test_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    create_database(url)
    try:
        yield url
    finally:
        drop_database(url)


@pytest.fixture(scope="session")
def db_engine(db_url: str) -> Iterator[sa.Engine]:
    from ..orm.db import make_engine
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@contextmanager
def orm_env(engine: sa.Engine, classes: Iterable[type], uid: int = 1,
            context: dict | None = None) -> Iterator[Any]:
    """An environment over a registry of ``classes`` (plus a minimal ``res.users`` when
    they do not declare one), whose tables live only for the duration of the block."""
    from ..orm import Environment, Registry
    from .orm_models import MinimalUsers
    classes = list(classes)
    registry = Registry()
    if not any(getattr(c, "_name", None) == "res.users" for c in classes):
        classes.insert(0, MinimalUsers)
    registry.add("test", classes)
    registry.setup()
    with engine.connect() as conn:
        transaction = conn.begin()
        try:
            registry.metadata.create_all(conn)
            env = Environment(registry, conn, uid=1, context=context or {})
            env["res.users"].create({"name": "Administrator"})
            yield env(uid=uid) if uid != 1 else env
        finally:
            transaction.rollback()


@pytest.fixture
def make_orm_env(db_engine: sa.Engine) -> Iterator[Callable[..., Any]]:
    """``env = make_orm_env(ModelA, ModelB)``: tables created for this test only."""
    stack: list[Any] = []

    def factory(*classes: type, **kwargs: Any) -> Any:
        manager = orm_env(db_engine, classes, **kwargs)
        stack.append(manager)
        return manager.__enter__()

    yield factory
    while stack:
        stack.pop().__exit__(None, None, None)


# -- installed databases ----------------------------------------------------------------
@pytest.fixture(scope="session")
def comptoir_available() -> dict[str, Any]:
    """Addons the test database can install (override to add test addons)."""
    from ..modules.discovery import discover_addons
    return discover_addons()


@pytest.fixture(scope="session")
def comptoir_addons(comptoir_available: dict[str, Any]) -> list[str]:
    """Addons installed in the session's test database (default: every available one)."""
    return sorted(comptoir_available)


@pytest.fixture(scope="session")
def comptoir_db(db_url: str, db_engine: sa.Engine, comptoir_available: dict[str, Any],
                comptoir_addons: list[str]) -> Any:
    """A database with the addons under test installed (without demo data), once per
    engine per session."""
    from ..modules.loading import Database
    database = Database(db_url, available=comptoir_available, engine=db_engine)
    database.install(comptoir_addons)
    return database


@pytest.fixture
def env(comptoir_db: Any) -> Iterator[Any]:
    """A superuser environment on the installed test database, rolled back after the test."""
    from ..orm import Environment
    with comptoir_db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            yield Environment(comptoir_db.registry, conn)
        finally:
            transaction.rollback()


def scratch_database(engine_name: str, folder: Any, label: str) -> tuple[str, Any]:
    """A new empty database for tests that commit: ``(url, drop)``, where ``drop()``
    removes it (a SQLite file in ``folder``, or a PostgreSQL database)."""
    from ..orm.db import create_database, drop_database
    if engine_name == "sqlite":
        return f"sqlite:///{folder / f'{label}.db'}", lambda: None
    url = pg_test_url(f"comptoir_{label}_{os.getpid()}_{uuid.uuid4().hex[:8]}")
    create_database(url)
    return url, lambda: drop_database(url)


@pytest.fixture
def fresh_db_url(engine_name: str, tmp_path: Any) -> Iterator[str]:
    """An empty database of its own, for tests that commit (install, upgrade...)."""
    url, drop = scratch_database(engine_name, tmp_path, "fresh")
    try:
        yield url
    finally:
        drop()
