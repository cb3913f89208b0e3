"""Uploaded import files, kept on disk between the pages of the import wizard.

A file is stored once, under a random token, in ``imports/<token>/`` of the database's
file store folder (shared by every worker, like attachments), with a small JSON of who
uploaded it, for which model, the wizard's last choices and the last result. Sessions
hold nothing: the token is in the wizard's URLs, and only its uploader may use it.
Uploads older than a day are removed when a new one arrives.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from ..exceptions import MissingError
from ..filestore import root_for
from ..i18n.translate import _

MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UploadStore:
    """``imports/<token>/{file,meta.json,result.json}`` under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def of(cls, env: Any) -> "UploadStore":
        """The store of the database ``env`` works on."""
        return cls(root_for(env.conn.engine.url) / "imports")

    def _folder(self, token: str) -> Path:
        if not _TOKEN.match(token or ""):
            raise MissingError(_("This import no longer exists: upload the file again."))
        return self.root / token

    def put(self, data: bytes, filename: str, uid: int, model: str) -> str:
        """Keep ``data`` and return its token."""
        self.clean()
        token = secrets.token_urlsafe(24)
        folder = self._folder(token)
        folder.mkdir(parents=True, exist_ok=False)
        (folder / "file").write_bytes(data)
        self._write(folder / "meta.json", {"uid": uid, "model": model,
                                           "filename": Path(filename).name,
                                           "created": time.time(), "state": {}})
        return token

    def meta(self, token: str, uid: int, model: str | None = None) -> dict[str, Any]:
        """The upload's description; :class:`MissingError` unless ``uid`` uploaded it
        (for ``model``)."""
        path = self._folder(token) / "meta.json"
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise MissingError(_("This import no longer exists: upload the file again.")
                               ) from None
        if meta.get("uid") != uid or (model is not None and meta.get("model") != model):
            raise MissingError(_("This import no longer exists: upload the file again."))
        return meta

    def data(self, token: str) -> bytes:
        return (self._folder(token) / "file").read_bytes()

    def save_state(self, token: str, meta: dict[str, Any], state: dict[str, Any]) -> None:
        """Keep the wizard's choices (mapping, key, prefix, policies)."""
        self._write(self._folder(token) / "meta.json", {**meta, "state": state})

    def save_result(self, token: str, result: dict[str, Any]) -> None:
        self._write(self._folder(token) / "result.json", result)

    def result(self, token: str) -> dict[str, Any] | None:
        path = self._folder(token) / "result.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def clean(self, max_age: float = MAX_AGE) -> int:
        """Remove the uploads older than ``max_age`` seconds; return how many."""
        if not self.root.is_dir():
            return 0
        removed = 0
        limit = time.time() - max_age
        for folder in self.root.iterdir():
            try:
                if folder.is_dir() and folder.stat().st_mtime < limit:
                    shutil.rmtree(folder, ignore_errors=True)
                    removed += 1
            except OSError:
                continue
        return removed

    @staticmethod
    def _write(path: Path, value: dict[str, Any]) -> None:
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(value, default=str), encoding="utf-8")
        temporary.replace(path)
