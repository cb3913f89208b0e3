"""Per-addon migration scripts, run around the schema change of an upgrade.

``<addon>/migrations/<version>/pre_*.py`` and ``post_*.py`` each define
``migrate(target, from_version)``: ``pre`` scripts get the SQLAlchemy connection (the
registry of the new version is not built yet: plain SQL only), ``post`` scripts an
environment on the new registry. A version's scripts run when the installed version is
older than it and the addon's new version is at least it, in version then file order.
"""
from __future__ import annotations

import importlib.util
import logging
import re
from pathlib import Path
from typing import Any

from ..exceptions import ConfigurationError
from .manifest import Manifest

_logger = logging.getLogger(__name__)


def parse_version(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text or "")
    return tuple(int(p) for p in parts) or (0,)


def pending_scripts(manifest: Manifest, from_version: str, phase: str) -> list[Path]:
    root = manifest.path / "migrations"
    if not root.is_dir():
        return []
    current, target = parse_version(from_version), parse_version(manifest.version)
    versions = sorted((parse_version(d.name), d) for d in root.iterdir()
                      if d.is_dir() and re.match(r"^\d+(\.\d+)*$", d.name))
    scripts: list[Path] = []
    for version, folder in versions:
        if current < version <= target:
            scripts.extend(sorted(folder.glob(f"{phase}_*.py")))
    return scripts


def run_migrations(target: Any, manifest: Manifest, from_version: str, phase: str) -> list[str]:
    """Run the ``phase`` ('pre' or 'post') scripts due for this upgrade; returns their paths."""
    done = []
    for script in pending_scripts(manifest, from_version, phase):
        spec = importlib.util.spec_from_file_location(
            f"_comptoir_migration_{manifest.name}_{script.parent.name}_{script.stem}", script)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        migrate = getattr(module, "migrate", None)
        if not callable(migrate):
            raise ConfigurationError(f"{script}: a migration script must define "
                                     "migrate(target, from_version)")
        _logger.info("%s: running migration %s", manifest.name, script)
        migrate(target, from_version)
        done.append(str(script))
    return done
