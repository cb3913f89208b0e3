"""External ids of imported rows, as Odoo names them: ``__import__.<prefix>_<key>``.

The prefix defaults to the file's name (``comptes.csv`` → ``comptes``) and the key is the
row's value in the key column (``CLI002592``), so running the same file again finds the
same records, and another file can point at them by key (a contact's ``compte`` column
naming its account).
"""
from __future__ import annotations

import re
from pathlib import Path

from .convert import label_key

IMPORT_MODULE = "__import__"
_UNSAFE = re.compile(r"[^\w\-]+", re.UNICODE)


def clean_key(value: str) -> str:
    """A key cell as part of an external id: trimmed, unsafe characters as ``_``."""
    return _UNSAFE.sub("_", value.strip()).strip("_")


def xmlid_name(prefix: str, key: str) -> str:
    """The ``name`` part of the external id of the row keyed ``key``."""
    key = clean_key(key)
    return f"{prefix}_{key}" if prefix else key


def default_prefix(filename: str) -> str:
    """``Comptes clients.csv`` → ``comptes_clients``: the prefix a file's rows get."""
    stem = Path(filename or "").stem
    prefix = _UNSAFE.sub("_", stem.strip().lower()).strip("_")
    return prefix or "import"


def check_prefix(prefix: str) -> str:
    """A prefix chosen by a user, made safe (never empty)."""
    return _UNSAFE.sub("_", (prefix or "").strip()).strip("_") or "import"


def looks_like_key(header: str) -> bool:
    """Whether a header names a row identifier (``id``, ``ancien_id``, ``id_contact``,
    ``External ID``, ``code client``...)."""
    key = label_key(header)
    if key in {"id", "externalid", "xmlid", "identifiant", "codeclient", "numeroclient",
               "customerid", "clientid", "customercode"}:
        return True
    return bool(re.search(r"(^|[\W_])id$|^id[\W_]", header.strip().lower()))
