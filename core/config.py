"""Where the database is: ``--db``, else ``COMPTOIR_DB``, else ``comptoir.toml``, else
``sqlite:///comptoir.db`` in the current folder.

``comptoir.toml``::

    db = "postgresql+psycopg://comptoir@localhost/comptoir"
    data_dir = "/var/lib/comptoir"   # attachments' file store (default: beside the database)
"""
from __future__ import annotations

import os
import tomllib
from pathlib import Path

from .exceptions import ConfigurationError

DEFAULT_DB = "sqlite:///comptoir.db"
CONFIG_FILE = "comptoir.toml"
KNOWN_KEYS = {"db", "data_dir"}


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


def data_dir(cwd: Path | None = None) -> Path | None:
    """Where files live (the attachments' store): ``COMPTOIR_DATA_DIR``, else
    ``data_dir`` in ``comptoir.toml``, else None (the store then sits beside the database,
    see :func:`core.filestore.root_for`)."""
    if os.environ.get("COMPTOIR_DATA_DIR"):
        return Path(os.environ["COMPTOIR_DATA_DIR"])
    config = (cwd or Path.cwd()) / CONFIG_FILE
    if config.is_file():
        value = load_file(config).get("data_dir")
        if value:
            return Path(str(value))
    return None
