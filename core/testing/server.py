"""A live server for the tests of the external APIs: real clients (``odoorpc``,
``odoo-client-lib``, ``xmlrpc.client``) talk to it over HTTP on 127.0.0.1.

``api_database`` is a committed scratch database of its own (the server's requests
commit), per engine, with ``base`` (demo logins: admin / admin), ``test_kernel`` and two
more users: ``alice`` (an internal user: her record rules apply) and ``bob`` (a manager of
test orders). ``api_server`` serves it on a random port in a thread. Import both into a
test module (they are module-scoped: one database per module and engine).
"""
from __future__ import annotations

import logging
from typing import Any, Iterator

import pytest

from .browser import LiveServer

ADDONS = ["base", "test_kernel"]
PASSWORDS = {"admin": "admin", "alice": "alice-password", "bob": "bob-password"}


def make_api_database(url: str, available: Any, extra: list[str] | tuple[str, ...] = ()
                      ) -> Any:
    """The database of ``api_database`` (``extra`` addons installed too)."""
    from ..modules.loading import Database
    database = Database(url, available=available)
    database.install([*ADDONS, *extra], demo=True)
    with database.environment() as env:
        internal = env.ref("base.group_user").id
        manager = env.ref("test_kernel.group_manager").id
        env["res.users"].create([
            {"name": "Alice", "login": "alice", "password": PASSWORDS["alice"],
             "groups_id": [(6, 0, [internal])]},
            {"name": "Bob", "login": "bob", "password": PASSWORDS["bob"],
             "groups_id": [(6, 0, [manager])]},
        ])
    return database


@pytest.fixture(scope="module")
def api_database(engine_name: str, tmp_path_factory: pytest.TempPathFactory,
                 comptoir_available: dict[str, Any]) -> Iterator[Any]:
    from .plugin import scratch_database
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("api"), "api")
    database = make_api_database(url, comptoir_available)
    yield database
    database.engine.dispose()
    drop()


@pytest.fixture(scope="module")
def api_server(api_database: Any) -> Iterator[LiveServer]:
    requests_log = logging.getLogger("werkzeug")
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)  # not one line per request
    server = LiveServer(api_database)
    yield server
    server.stop()
    requests_log.setLevel(level)
