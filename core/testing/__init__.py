"""Test support for the kernel and for every addon (bundled or third-party).

Installed as a pytest plugin (entry point ``pytest11``): fixtures for database engines
(SQLite always, PostgreSQL when one answers), environments rolled back after each test,
and a query counter.
"""
from typing import Any

from .engines import QueryCounter, count_queries, pg_admin_url, pg_available

__all__ = ["QueryCounter", "count_queries", "installed_database", "pg_admin_url",
           "pg_available", "scratch_database"]


def scratch_database(engine_name: str, folder: Any, label: str) -> tuple[str, Any]:
    """A new empty database for tests that commit: ``(url, drop)`` (see the plugin)."""
    from .plugin import scratch_database as make
    return make(engine_name, folder, label)


def installed_database(url: str, addons: list[str] | None = None,
                       available: Any = None) -> Any:
    """A ``Database`` at ``url`` with ``addons`` (default: every available addon)
    installed without demo data, for addon test suites that need their own database."""
    from ..modules.loading import Database
    database = Database(url, available=available)
    database.install(sorted(database.available) if addons is None else addons)
    return database
