"""Addon manifests: the ``addon.toml`` schema, its validation and the ``Manifest`` value.

A manifest is data. ``load_manifest`` reads one file, checks every key and value, collects
every problem it finds and raises a single ``ManifestError`` listing them, one per line, each
with a stable id (``manifest.E001``...) and the file it comes from.
"""
from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from core.exceptions import ManifestError

__all__ = ["MANIFEST_FILE", "Manifest", "load_manifest"]

MANIFEST_FILE = "addon.toml"
BASE_ADDON = "base"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Manifest:
    """What an addon declares about itself in its ``addon.toml``."""

    name: str
    version: str
    path: Path
    module: str
    summary: str = ""
    depends: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    demo: tuple[str, ...] = ()
    license: str = "LGPL-3"
    category: str = "Uncategorized"
    auto_install: bool = False

    @property
    def manifest_file(self) -> Path:
        return self.path / MANIFEST_FILE


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool)


# key -> (type check, expected type in words, default); ``None`` default means required.
_SCHEMA: dict[str, tuple[Callable[[Any], bool], str, Any]] = {
    "name": (_is_str, "a string", None),
    "version": (_is_str, "a string", None),
    "summary": (_is_str, "a string", ""),
    "depends": (_is_str_list, "a list of strings", []),
    "data": (_is_str_list, "a list of strings", []),
    "demo": (_is_str_list, "a list of strings", []),
    "license": (_is_str, "a string", "LGPL-3"),
    "category": (_is_str, "a string", "Uncategorized"),
    "auto_install": (_is_bool, "a boolean (true or false)", False),
}


def _type_name(value: Any) -> str:
    return {
        bool: "boolean",
        int: "integer",
        float: "float",
        str: "string",
        list: "array",
        dict: "table",
    }.get(type(value), type(value).__name__)


class _Problems:
    """Collects the problems of one manifest file, each prefixed by its id and the file."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.lines: list[str] = []

    def add(self, code: str, message: str) -> None:
        self.lines.append(f"manifest.{code} {self.file}: {message}")

    def raise_if_any(self) -> None:
        if not self.lines:
            return
        error = ManifestError("\n".join(self.lines))
        error.problems = list(self.lines)  # type: ignore[attr-defined]
        raise error


def _check_keys(raw: dict[str, Any], problems: _Problems) -> None:
    for key in raw:
        if key in _SCHEMA:
            continue
        close = difflib.get_close_matches(key, list(_SCHEMA), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; valid keys: {', '.join(_SCHEMA)}"
        problems.add("E002", f"unknown key {key!r}{hint}")
    for key, (check, expected, default) in _SCHEMA.items():
        if key not in raw:
            if default is None:
                problems.add("E003", f"required key {key!r} is missing")
            continue
        value = raw[key]
        if not check(value):
            problems.add(
                "E004", f"key {key!r} must be {expected}, not {_type_name(value)} {value!r}"
            )


def _check_name(raw: dict[str, Any], expected_name: str | None, problems: _Problems) -> None:
    name = raw.get("name")
    if not isinstance(name, str):
        return
    if not _NAME_RE.match(name):
        problems.add(
            "E005",
            f"name {name!r} must start with a lowercase letter and contain only lowercase "
            "letters, digits and underscores",
        )
    if expected_name is not None and name != expected_name:
        problems.add(
            "E006",
            f"name {name!r} does not match the addon name {expected_name!r} "
            "(its entry point or folder)",
        )
    version = raw.get("version")
    if isinstance(version, str) and not version.strip():
        problems.add("E007", "version must not be empty")


def _check_depends(raw: dict[str, Any], problems: _Problems) -> None:
    depends = raw.get("depends")
    if not _is_str_list(depends):
        return
    seen: set[str] = set()
    for dep in depends:
        if dep in seen:
            problems.add("E008", f"depends lists {dep!r} twice")
        seen.add(dep)
        if dep == raw.get("name"):
            problems.add("E009", f"addon {dep!r} cannot depend on itself")


def _check_files(raw: dict[str, Any], addon_path: Path, problems: _Problems) -> None:
    for key in ("data", "demo"):
        files = raw.get(key)
        if not _is_str_list(files):
            continue
        for rel in files:
            pure = PurePosixPath(rel)
            if not rel or pure.is_absolute() or ".." in pure.parts:
                problems.add(
                    "E010",
                    f"{key} file {rel!r} must be a path relative to the addon folder, "
                    "without '..'",
                )
            elif not (addon_path / pure).is_file():
                problems.add("E011", f"{key} file {rel!r} does not exist in {addon_path}")


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ManifestError(f"manifest.E001 {file}: no {MANIFEST_FILE} in {file.parent}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"manifest.E001 {file}: cannot be read: {exc}") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"manifest.E001 {file}: invalid TOML: {exc}") from exc


def load_manifest(path: Path, module: str, expected_name: str | None = None) -> Manifest:
    """Read and validate ``<path>/addon.toml`` of the addon package ``module``.

    ``expected_name`` is the name the addon is known by (its entry point name); the manifest's
    ``name`` must equal it. Every problem is collected before one ``ManifestError`` is raised.
    Every addon except ``base`` implicitly depends on ``base``.
    """
    path = Path(path)
    file = path / MANIFEST_FILE
    raw = _read_toml(file)
    problems = _Problems(file)
    _check_keys(raw, problems)
    _check_name(raw, expected_name, problems)
    _check_depends(raw, problems)
    _check_files(raw, path, problems)
    problems.raise_if_any()

    values = {key: raw.get(key, default) for key, (_, _, default) in _SCHEMA.items()}
    depends = tuple(values["depends"])
    if values["name"] != BASE_ADDON and BASE_ADDON not in depends:
        depends = (BASE_ADDON, *depends)
    return Manifest(
        name=values["name"],
        version=values["version"],
        path=path,
        module=module,
        summary=values["summary"],
        depends=depends,
        data=tuple(values["data"]),
        demo=tuple(values["demo"]),
        license=values["license"],
        category=values["category"],
        auto_install=values["auto_install"],
    )
