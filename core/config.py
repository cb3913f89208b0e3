"""Where the database is: ``--db``, else ``COMPTOIR_DB``, else ``comptoir.toml``, else
``sqlite:///comptoir.db`` in the current folder.

``comptoir.toml``::

    db = "postgresql+psycopg://comptoir@localhost/comptoir"
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from .exceptions import ConfigurationError

DEFAULT_DB = "sqlite:///comptoir.db"
CONFIG_FILE = "comptoir.toml"
KNOWN_KEYS = {"db"}


def load_file(path: Path) -> dict:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{path}: invalid TOML: {exc}") from None
    unknown = set(data) - KNOWN_KEYS
    if unknown:
        raise ConfigurationError(f"{path}: unknown setting(s) {sorted(unknown)}; "
                                 f"known: {sorted(KNOWN_KEYS)}")
    return data


def database_url(cli_value: str | None = None, cwd: Path | None = None) -> str:
    if cli_value:
        return cli_value
    if os.environ.get("COMPTOIR_DB"):
        return os.environ["COMPTOIR_DB"]
    config = (cwd or Path.cwd()) / CONFIG_FILE
    if config.is_file():
        value = load_file(config).get("db")
        if value:
            return str(value)
    return DEFAULT_DB
