"""Tests of the bundled addons: one database per engine with every discovered addon
installed (business addons depend on each other), apart from the kernel tests' database."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from core.testing import installed_database, scratch_database

SHARED_TESTDATA = Path(__file__).resolve().parents[1].parent / "shared" / "testdata"


@pytest.fixture(scope="session")
def comptoir_db(engine_name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Overrides the plugin's fixture so that the addons' database is never the kernel
    tests' one. It depends on no other session fixture of addon lists on purpose: a
    session fixture is cached once per session, so the kernel tests' lists (which hold
    their test addons) would come back here."""
    url, drop = scratch_database(engine_name, tmp_path_factory.mktemp("addons"), "addons")
    database = installed_database(url)
    try:
        yield database
    finally:
        database.engine.dispose()
        drop()


@pytest.fixture(scope="session")
def shared_testdata() -> Path:
    """``../shared/testdata``: real exports, e-mails, calendars and cards."""
    return SHARED_TESTDATA
