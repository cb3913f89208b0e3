"""Test support for the kernel and for every addon (bundled or third-party).

Installed as a pytest plugin (entry point ``pytest11``): fixtures for database engines
(SQLite always, PostgreSQL when one answers), environments rolled back after each test,
and a query counter.
"""
from .engines import QueryCounter, count_queries, pg_admin_url, pg_available

__all__ = ["QueryCounter", "count_queries", "pg_admin_url", "pg_available"]
