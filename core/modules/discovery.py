"""Addon discovery: find every addon declared in the ``comptoir.addons`` entry-point group.

Bundled addons and partner packages are found the same way: a distribution declares
``<addon name> = <package module>`` in the group. Discovery locates the package folder
without running its code (only parent packages of a dotted name get imported) and loads its
manifest. Nothing is cached here; the caller decides how long a discovery result lives.
"""
from __future__ import annotations

import importlib.util
import logging
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from core.exceptions import ConfigurationError, ManifestError
from core.modules.manifest import MANIFEST_FILE, Manifest, load_manifest

__all__ = ["ENTRY_POINT_GROUP", "discover_addons", "find_addon_path"]

_logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "comptoir.addons"


def _dist_name(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    return dist.name if dist is not None else "<unknown distribution>"


def find_addon_path(module: str) -> Path:
    """Return the folder of the addon package ``module`` without executing it.

    Raises ``ConfigurationError`` when the module cannot be found or is not a package.
    """
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        raise ConfigurationError(f"addon package {module!r} cannot be located: {exc}") from exc
    if spec is None:
        raise ConfigurationError(f"addon package {module!r} is not importable")
    locations = list(spec.submodule_search_locations or ())
    if not locations:
        raise ConfigurationError(
            f"{module!r} is a module, not a package; an addon is a package folder "
            f"with an {MANIFEST_FILE}"
        )
    # a namespace package may span several folders: the one holding the manifest wins
    for location in locations:
        if (Path(location) / MANIFEST_FILE).is_file():
            return Path(location)
    return Path(locations[0])


def _unique_entry_points() -> dict[str, EntryPoint]:
    """Entry points of the group by addon name; two distributions claiming one name fail."""
    found: dict[str, EntryPoint] = {}
    clashes: list[str] = []
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        previous = found.setdefault(entry_point.name, entry_point)
        origin = (_dist_name(entry_point), entry_point.value)
        if (_dist_name(previous), previous.value) != origin:
            clashes.append(
                f"addon {entry_point.name!r} is declared twice: by distribution "
                f"{_dist_name(previous)!r} ({previous.value}) and by distribution "
                f"{_dist_name(entry_point)!r} ({entry_point.value})"
            )
    if clashes:
        raise ConfigurationError("\n".join(clashes))
    return found


def discover_addons() -> dict[str, Manifest]:
    """Return the manifest of every addon declared in the ``comptoir.addons`` group, by name.

    Every broken entry point or manifest is reported in one error: ``ManifestError`` when
    all problems are manifest problems, ``ConfigurationError`` otherwise.
    """
    manifests: dict[str, Manifest] = {}
    problems: list[ConfigurationError] = []
    for name, entry_point in sorted(_unique_entry_points().items()):
        where = f"entry point {name!r} of distribution {_dist_name(entry_point)!r}"
        if entry_point.attr:
            problems.append(
                ConfigurationError(
                    f"{where}: {entry_point.value!r} must name a package, not an attribute"
                )
            )
            continue
        try:
            path = find_addon_path(entry_point.module)
            manifests[name] = load_manifest(path, entry_point.module, expected_name=name)
        except ManifestError as exc:
            problems.append(exc)
        except ConfigurationError as exc:
            problems.append(ConfigurationError(f"{where}: {exc}"))
    if problems:
        message = "\n".join(str(problem) for problem in problems)
        if all(isinstance(problem, ManifestError) for problem in problems):
            raise ManifestError(message) from problems[0]
        raise ConfigurationError(message) from problems[0]
    _logger.debug("discovered %d addons: %s", len(manifests), ", ".join(manifests))
    return manifests
