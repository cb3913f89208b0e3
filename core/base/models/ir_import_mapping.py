"""``ir.import.mapping``: the column mapping of an import, remembered for the next file
with the same columns.

A mapping is keyed by the target model and the file's set of headers (compared without
case, accents or punctuation, in any order): the next export from the same tool maps
itself, whoever imports it. It also keeps the key column, the external-id prefix and the
duplicate policy chosen last time. A file whose headers are not known exactly reuses the
mapping sharing most of its headers (the rejects file of an import, which adds ``line``
and ``reason``, maps like the original).
"""
from __future__ import annotations

import hashlib
from typing import Any

from core import Model, _, api, fields
from core.exceptions import ValidationError

#: a remembered mapping is reused for another header set sharing at least this share
OVERLAP = 0.6


def headers_key(headers: list[str]) -> str:
    """The identity of a header set: order, case, accents and punctuation ignored."""
    from core.imports import label_key
    keys = sorted({label_key(h) for h in headers if label_key(h)})
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


class IrImportMapping(Model):
    _name = "ir.import.mapping"
    _description = "Import Mapping"
    _order = "model, write_date desc, id desc"
    _rec_name = "file_name"
    _journal = False  # import settings, not business changes

    model = fields.Char("Model", required=True, index=True)
    headers_key = fields.Char("Header Set", required=True, index=True)
    headers = fields.Json("Headers", help="The file's column headers, in order.")
    columns = fields.Json("Columns", help="{header: field name}; an empty name means the "
                                          "column is not imported.")
    key_column = fields.Char("Key Column", help="The column whose values name the rows "
                                                "(their external ids).")
    prefix = fields.Char("External ID Prefix")
    on_duplicate = fields.Selection([("skip", "Skip"), ("update", "Update"),
                                     ("create", "Create anyway")], "Duplicates",
                                    default="skip", required=True)
    file_name = fields.Char("Last File")
    user_id = fields.Many2one("res.users", "Last Used By", ondelete="set null",
                              default=lambda self: self.env.uid)

    _sql_constraints = [("model_headers_unique", "unique(model, headers_key)",
                         "One mapping per model and set of columns.")]

    @api.model
    def remembered(self, model_name: str, headers: list[str]) -> dict[str, Any] | None:
        """The mapping for these headers (or for the set sharing most of them), as
        ``{columns, key_column, prefix, on_duplicate}`` restricted to these headers."""
        from core.imports import label_key
        found = self.search([("model", "=", model_name),
                             ("headers_key", "=", headers_key(headers))], limit=1)
        if not found:
            wanted = {label_key(h) for h in headers}
            best, best_share = None, OVERLAP
            for candidate in self.search([("model", "=", model_name)], limit=50):
                known = {label_key(h) for h in candidate.headers or ()}
                share = len(known & wanted) / max(len(known | wanted), 1)
                if share >= best_share:
                    best, best_share = candidate, share
            found = best
        if not found:
            return None
        by_key = {label_key(h): name for h, name in (found.columns or {}).items()}
        key_column = next((h for h in headers if found.key_column and
                           label_key(h) == label_key(found.key_column)), None)
        return {"columns": {h: by_key[label_key(h)] for h in headers
                            if label_key(h) in by_key},
                "key_column": key_column, "prefix": found.prefix or "",
                "on_duplicate": found.on_duplicate or "skip", "id": found.id}

    @api.model
    def remember(self, model_name: str, headers: list[str], columns: dict[str, str],
                 key_column: str | None = None, prefix: str = "",
                 on_duplicate: str = "skip", file_name: str = "") -> Any:
        """Keep this mapping for the next file with these headers (writing only what
        changed)."""
        if model_name not in self.env:
            raise ValidationError(_("Unknown model %(model)s.", model=model_name))
        values = {"headers": list(headers), "columns": dict(columns),
                  "key_column": key_column or False, "prefix": prefix or False,
                  "on_duplicate": on_duplicate, "file_name": file_name or False}
        found = self.search([("model", "=", model_name),
                             ("headers_key", "=", headers_key(headers))], limit=1)
        if not found:
            return self.create({**values, "model": model_name,
                                "headers_key": headers_key(headers)})
        current = {"headers": found.headers, "columns": found.columns,
                   "key_column": found.key_column or False, "prefix": found.prefix or False,
                   "on_duplicate": found.on_duplicate, "file_name": found.file_name or False}
        changed = {k: v for k, v in values.items() if current[k] != v}
        if changed:
            found.write({**changed, "user_id": self.env.uid})
        return found

    @api.model
    def prefixes_for(self, model_name: str) -> list[str]:
        """The external-id prefixes of the imports into ``model_name`` (cached for the
        transaction): a many2one cell may name such a row by its key alone."""
        cache: dict[str, list[str]] = self.env.transaction.__dict__.setdefault(
            "import_prefixes", {})
        if model_name not in cache:
            rows = self.search_read([("model", "=", model_name), ("prefix", "!=", False)],
                                    ["prefix"])
            cache[model_name] = sorted({r["prefix"] for r in rows})
        return cache[model_name]

    def write(self, vals: dict[str, Any]) -> bool:
        self.env.transaction.__dict__.pop("import_prefixes", None)
        return super().write(vals)

    def create(self, vals_list: Any) -> Any:
        self.env.transaction.__dict__.pop("import_prefixes", None)
        return super().create(vals_list)
