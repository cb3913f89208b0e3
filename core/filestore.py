"""The file store: attachment contents on disk, addressed by their SHA-256.

The same content is stored once whatever the number of attachments pointing at it. Files
are written atomically (temporary file, then rename) before the row that references them
commits, so a rolled-back transaction can leave an unreferenced file behind, never a row
without its file; :meth:`FileStore.collect_garbage` removes the unreferenced ones.

Where: ``<data_dir>/filestore/<database>`` when a data folder is configured
(:func:`core.config.data_dir`); else beside a SQLite file (``comptoir.filestore/`` for
``comptoir.db``), or in the user's data folder for PostgreSQL
(``~/.local/share/comptoir/filestore/<database>``). Several workers share it as they
share the database.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Iterable

import sqlalchemy as sa

from .config import data_dir

_MEMORY_STORES: dict[str, Path] = {}


def root_for(url: sa.URL | str) -> Path:
    """The store's folder for the database at ``url``."""
    url = sa.make_url(url) if isinstance(url, str) else url
    configured = data_dir()
    is_sqlite = url.get_backend_name() == "sqlite"
    database = url.database or ""
    if is_sqlite and database in ("", ":memory:"):
        key = str(url)
        if key not in _MEMORY_STORES:  # an in-memory database: a store for this process
            _MEMORY_STORES[key] = Path(tempfile.mkdtemp(prefix="comptoir-filestore-"))
        return _MEMORY_STORES[key]
    name = Path(database).stem if is_sqlite else database
    if configured is not None:
        return configured / "filestore" / name
    if is_sqlite:
        path = Path(database).resolve()
        return path.with_name(f"{path.stem}.filestore")
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "comptoir" / "filestore" / name


class FileStore:
    """Content-addressed files under ``root`` (``ab/abcdef…`` by SHA-256)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @staticmethod
    def checksum(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    def path(self, checksum: str) -> Path:
        if len(checksum) != 64 or not all(c in "0123456789abcdef" for c in checksum):
            raise ValueError(f"not a SHA-256 checksum: {checksum!r}")
        return self.root / checksum[:2] / checksum

    def put(self, data: bytes) -> str:
        """Store ``data`` (once) and return its checksum."""
        checksum = self.checksum(data)
        target = self.path(checksum)
        if target.is_file():
            return checksum
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return checksum

    def get(self, checksum: str) -> bytes:
        return self.path(checksum).read_bytes()

    def exists(self, checksum: str) -> bool:
        return self.path(checksum).is_file()

    def collect_garbage(self, referenced: Iterable[str]) -> int:
        """Delete the stored files no row references any more; return how many."""
        keep = set(referenced)
        removed = 0
        if not self.root.is_dir():
            return 0
        for folder in self.root.iterdir():
            if not folder.is_dir() or len(folder.name) != 2:
                continue
            for file in folder.iterdir():
                if file.name.startswith(".upload-") or file.name in keep:
                    continue
                file.unlink(missing_ok=True)
                removed += 1
        return removed


def store_of(connection: sa.Connection) -> FileStore:
    """The store of the database ``connection`` talks to."""
    return FileStore(root_for(connection.engine.url))
