"""Cross-process invalidation: two counters in the database tell every worker when its
registry or its caches are out of date.

Several workers (gunicorn processes, the job runner) each keep a registry and caches
built from the database: compiled views, security data, settings. When one of them
changes what those caches hold, it bumps ``cache_version`` in the same transaction;
when the set of models changes (an addon installed, upgraded or removed, a custom field
added), it bumps ``registry_version``. Every request starts by reading both counters
(one indexed single-row SELECT) and, when they moved, the worker drops its caches or
rebuilds its registry before serving. A rolled-back change bumps nothing.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

if TYPE_CHECKING:
    from .environment import Environment
    from .registry import Registry

SIGNAL_TABLE = "comptoir_signal"
_metadata = sa.MetaData()
signal_table = sa.Table(
    SIGNAL_TABLE, _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("registry_version", sa.BigInteger, nullable=False),
    sa.Column("cache_version", sa.BigInteger, nullable=False))
#: the registry-level caches a cache signal clears (a module owning a cache adds its key)
PROCESS_CACHES: set[str] = {"security_cache", "views_cache", "config_parameters"}
_BUMPED = "signal_cache_bumped"


def ensure(conn: sa.Connection) -> None:
    """Create the counters' table and row when missing (idempotent)."""
    _metadata.create_all(conn, checkfirst=True)
    if conn.execute(sa.select(signal_table.c.id)).first() is None:
        conn.execute(signal_table.insert().values(id=1, registry_version=1, cache_version=1))


def versions(conn: sa.Connection) -> tuple[int, int]:
    """``(registry_version, cache_version)`` as committed (or as this transaction set)."""
    row = conn.execute(sa.select(signal_table.c.registry_version,
                                 signal_table.c.cache_version)).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def bump_registry(conn: sa.Connection) -> tuple[int, int]:
    """The models changed: every worker rebuilds its registry. Returns the new versions."""
    ensure(conn)
    conn.execute(signal_table.update().values(
        registry_version=signal_table.c.registry_version + 1))
    return versions(conn)


def caches_changed(env: "Environment") -> None:
    """What the process caches hold changed in this transaction: clear them here and,
    once committed, in every other worker (one UPDATE per transaction)."""
    clear_process_caches(env.registry)
    state = env.transaction.__dict__
    if state.get(_BUMPED):
        return
    state[_BUMPED] = True
    conn = env.conn
    if not sa.inspect(conn).has_table(SIGNAL_TABLE):  # a database being created
        return
    conn.execute(signal_table.update().values(cache_version=signal_table.c.cache_version + 1))


def clear_process_caches(registry: "Registry") -> None:
    for key in PROCESS_CACHES:
        registry.__dict__.pop(key, None)


def seen(registry: "Registry") -> tuple[int, int] | None:
    return registry.__dict__.get("signal_seen")


def mark_seen(registry: "Registry", current: tuple[int, int]) -> None:
    registry.__dict__["signal_seen"] = current


def stale(registry: "Registry", current: tuple[int, int]) -> Any:
    """``'registry'``, ``'caches'`` or None: what ``current`` versions say about a
    registry that last saw :func:`seen` (and records them)."""
    last = seen(registry)
    if last is None or last == current:
        mark_seen(registry, current)
        return None
    if last[0] != current[0]:
        return "registry"
    clear_process_caches(registry)
    mark_seen(registry, current)
    return "caches"
