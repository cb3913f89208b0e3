"""Kernel tests: the installed test database also has the test addons of tests/test_addons."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from core.modules.manifest import load_manifest

TEST_ADDONS = Path(__file__).parent / "test_addons"
SHARED_TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"


def test_addon_manifests() -> dict[str, Any]:
    return {path.name: load_manifest(path, f"tests.test_addons.{path.name}", path.name)
            for path in sorted(TEST_ADDONS.iterdir())
            if (path / "addon.toml").is_file()}


@pytest.fixture(scope="session")
def comptoir_available() -> dict[str, Any]:
    """The kernel's addons and the test addons: business addons (``addons/``) keep their
    own tests and their own test database (``addons/conftest.py``)."""
    from core.modules.discovery import discover_addons
    kernel = {name: manifest for name, manifest in discover_addons().items()
              if manifest.module.startswith("core.")}
    return {**kernel, **test_addon_manifests()}


@pytest.fixture(scope="session")
def comptoir_addons(comptoir_available: dict[str, Any]) -> list[str]:
    """The kernel tests' own list (a session fixture is cached once per session: the
    plugin's would be shared with the addons' tests)."""
    return sorted(comptoir_available)


@pytest.fixture(scope="session")
def live_database(tmp_path_factory: pytest.TempPathFactory,
                  comptoir_available: dict[str, Any]) -> Any:
    """The kernel browser tests' server database: the kernel addons with their demo data
    (business addons test their pages in their own suites)."""
    from core.modules.loading import Database
    url = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
    database = Database(url, available=comptoir_available)
    database.install(sorted(name for name, manifest in comptoir_available.items()
                            if manifest.module.startswith("core.")), demo=True)
    return database


@pytest.fixture(scope="session")
def live_server(live_database: Any) -> Any:
    """The kernel browser tests' server (overridden with ``live_database``: a session
    fixture is cached once per session, so the plugin's would serve the addons' tests the
    kernel's database)."""
    from core.testing.browser import LiveServer
    server = LiveServer(live_database)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _warm_automation_plans(request: pytest.FixtureRequest) -> None:
    """A running server reads the workflow and automation configuration once, on its
    first write; tests that count the queries of their first write must not count that
    one-time load (a dictionary lookup once it is done)."""
    if "env" in request.fixturenames:
        from core.automation import plan_of
        env = request.getfixturevalue("env")
        if "res.partner" in env.registry.models:  # not the bare ORM test registries
            plan_of(env["res.partner"])
