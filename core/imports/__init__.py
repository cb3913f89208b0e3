"""Importing records from CSV and XLSX files into any model.

Usable by any addon, the web client and the CLI alike::

    from core.imports import read_file, prepare, run_import

    table = read_file(data, "comptes.csv")          # encoding, delimiter, XLSX cells
    options = prepare(env["res.partner"], table)    # remembered or guessed mapping
    result = run_import(env["res.partner"], table, options)   # or options.dry_run = True
    result.counts   # {'created': 513, 'updated': 0, 'unchanged': 0, 'skipped': 0, ...}

* :mod:`.reader` reads the file; :mod:`.convert` turns cells into field values;
  :mod:`.mapping` lists the importable fields and guesses the mapping from headers;
  :mod:`.keys` names imported rows with external ids; :mod:`.engine` imports; the
  :class:`~.result.ImportResult` says what happened and writes the rejects file.
* Models teach the import their rules through hooks on ``base``
  (``_import_synonyms``, ``_import_name_fields``, ``_import_resolve``,
  ``_import_prepare``, ``_import_match``, ``_import_duplicate_keys``,
  ``_import_flag_duplicates``; see :mod:`core.base.models.base_import`).
* The web wizard keeps uploads in :class:`.uploads.UploadStore` (the file store, by
  token), never in the session.
* The mapping is remembered per model and header set in ``ir.import.mapping``.

Layering: this package uses the ORM and i18n only; it knows nothing of the web layer or
the CLI, which call it (``core.web.client.imports``, ``core.cli_import``).
"""
from __future__ import annotations

from typing import Any

from .convert import CellError, Converter, label_key
from .engine import POLICIES, ImportOptions, run_import
from .keys import IMPORT_MODULE, default_prefix, looks_like_key, xmlid_name
from .mapping import ImportField, check_mapping, guess_mapping, importable_fields
from .preview import PreviewCell, preview
from .reader import Table, read_file

#: fields whose column, when no column looks like an identifier, names the rows
KEY_FIELDS = ("ref", "code", "default_code", "barcode", "login")
from .result import ImportResult, PossibleDuplicate, RowOutcome


def prepare(model: Any, table: Table) -> ImportOptions:
    """Options for importing ``table``: the remembered mapping of these headers (guesses
    filling the columns it does not know), else a guessed one; the key column and prefix
    remembered, else a column that looks like an identifier (or one filling a reference
    or code field) and the file's name."""
    fields = importable_fields(model)
    guessed = guess_mapping(model, table.headers, fields)
    remembered = model.env["ir.import.mapping"].sudo().remembered(model._name, table.headers)
    if remembered:
        columns = {h: remembered["columns"].get(h, guessed[h]) for h in table.headers}
        columns = {h: name if not name or name in fields else "" for h, name in
                   columns.items()}
        return ImportOptions(columns, remembered["key_column"],
                             remembered["prefix"] or default_prefix(table.filename),
                             remembered["on_duplicate"])
    key = next((h for h in table.headers if not guessed[h] and looks_like_key(h)), None) or \
        next((h for h in table.headers if guessed[h] in KEY_FIELDS), None)
    return ImportOptions(guessed, key, default_prefix(table.filename))


def remember(model: Any, table: Table, options: ImportOptions) -> None:
    """Keep the options as the mapping of ``table``'s headers."""
    model.env["ir.import.mapping"].sudo().remember(
        model._name, table.headers, options.mapping, options.key_column, options.prefix,
        options.on_duplicate, table.filename)


__all__ = ["CellError", "Converter", "IMPORT_MODULE", "ImportField", "ImportOptions",
           "ImportResult", "POLICIES", "PossibleDuplicate", "PreviewCell", "RowOutcome",
           "Table", "check_mapping", "default_prefix", "guess_mapping", "importable_fields",
           "label_key", "looks_like_key", "prepare", "preview", "read_file", "remember",
           "run_import", "xmlid_name"]
