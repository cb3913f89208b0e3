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
    from core.modules.discovery import discover_addons
    return {**discover_addons(), **test_addon_manifests()}
