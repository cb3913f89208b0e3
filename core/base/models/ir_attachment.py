"""``ir.attachment``: a file on any record, its content in the file store.

An attachment points at its record by ``res_model`` + ``res_id`` and keeps only the
checksum of its content; the bytes live in the content-addressed file store
(:mod:`core.filestore`), so the same file attached ten times is stored once.

Access follows the record: a user reads the attachments of the records he may read, and
adds, renames or deletes those of the records he may modify (model access and record
rules of the target, compiled into the attachment's own SQL, so searches, counts and
pages stay exact). An attachment on no record is its uploader's (and the admins').

Settings (``ir.config_parameter``): ``attachment.max_size_mb`` (default 25) and
``attachment.allowed_types``, a comma-separated allow-list of MIME types where ``*``
ends a prefix (``image/*``). The type is taken from the content where it can be
recognised (images, PDF), never trusted from the browser.
"""
from __future__ import annotations

import base64
import mimetypes
from typing import Any, Iterable

import sqlalchemy as sa

from core import Model, _, api, fields
from core.exceptions import AccessError, ValidationError
from core.filestore import store_of

DEFAULT_MAX_SIZE_MB = 25
DEFAULT_ALLOWED_TYPES = (
    "image/*,application/pdf,text/plain,text/csv,text/calendar,text/vcard,text/x-vcard,"
    "message/rfc822,application/zip,application/msword,application/vnd.ms-excel,"
    "application/vnd.ms-powerpoint,application/vnd.openxmlformats-officedocument.*,"
    "application/vnd.oasis.opendocument.*,application/rtf,application/json,"
    "application/octet-stream")
#: contents recognised by their first bytes (the browser's word is not trusted)
SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
              (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"),
              (b"RIFF", "image/webp"))
#: types shown inline (previews); everything else is downloaded
PREVIEW_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


def sniff_type(name: str, data: bytes) -> str:
    """The MIME type of ``data``: from its signature when known, else from the file
    name's extension (never ``image/*`` or PDF unless the content says so, so that a
    renamed HTML page is not previewed as an image)."""
    for signature, mimetype in SIGNATURES:
        if data.startswith(signature):
            if mimetype == "image/webp" and data[8:12] != b"WEBP":
                continue
            return mimetype
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if guessed.startswith("image/") or guessed == "application/pdf" or "html" in guessed \
            or "javascript" in guessed or guessed == "image/svg+xml":
        return "application/octet-stream"
    return guessed


def type_allowed(mimetype: str, allowed: str) -> bool:
    for pattern in (p.strip() for p in allowed.split(",")):
        if pattern and (mimetype == pattern or (
                pattern.endswith("*") and mimetype.startswith(pattern[:-1]))):
            return True
    return False


def attached_models(model: Any) -> list[str]:
    """The models named in ``model``'s ``res_model`` column (one query)."""
    table = model._sa_table
    return [row[0] for row in model.env.execute(
        sa.select(table.c.res_model).where(table.c.res_model.is_not(None)).distinct())]


def attached_clause(model: Any, operation: str) -> sa.ColumnElement[bool]:
    """Rows of ``model`` (a model pointing at records by ``res_model`` + ``res_id``:
    attachments, messages, followers, activities) whose record the current user may
    ``operation``, as SQL: per target model, its model access and its record rules."""
    table = model._sa_table
    env = model.env
    parts: list[sa.ColumnElement[bool]] = []
    for name in attached_models(model):
        if name not in env.registry.models or env.registry.models[name]._abstract:
            continue
        target = env[name].with_context(active_test=False)
        if not target._check_access(operation, raise_exception=False):
            continue
        rules = target._rule_clause(operation)
        if rules is None:
            parts.append(table.c.res_model == name)
        else:
            ids = sa.select(target._sa_table.c.id).where(rules)
            parts.append(sa.and_(table.c.res_model == name, table.c.res_id.in_(ids)))
    return sa.or_(*parts) if parts else sa.false()


class IrAttachment(Model):
    _name = "ir.attachment"
    _description = "Attachment"
    _order = "id desc"

    name = fields.Char("File Name", required=True)
    description = fields.Text("Description")
    res_model = fields.Char("Document Model", index=True, readonly=True)
    res_id = fields.Integer("Document ID", index=True, readonly=True)
    mimetype = fields.Char("Type", readonly=True)
    file_size = fields.Integer("Size", readonly=True)
    checksum = fields.Char("Checksum", size=64, index=True, readonly=True, copy=True)

    # -- content --------------------------------------------------------------------------
    def _content(self) -> bytes:
        """The bytes of this attachment (read access checked)."""
        self.ensure_one()
        checksum = self.checksum
        return store_of(self.env.conn).get(checksum) if checksum else b""

    def _prepare_content(self, vals: dict[str, Any]) -> dict[str, Any]:
        """``datas`` (bytes or base64) becomes checksum, size and type, the bytes going
        to the file store after the checks (size limit, allowed types)."""
        if "datas" not in vals:
            return vals
        vals = dict(vals)
        data = vals.pop("datas")
        if isinstance(data, str):
            try:
                data = base64.b64decode(data, validate=True)
            except ValueError:
                raise ValidationError(_("The file's content is not valid base64."),
                                      field="datas") from None
        data = bytes(data or b"")
        config = self.env["ir.config_parameter"].sudo()
        max_mb = float(config.get_param("attachment.max_size_mb", DEFAULT_MAX_SIZE_MB))
        if len(data) > max_mb * 1024 * 1024:
            raise ValidationError(_("“%(name)s” is too large (%(size)s MB); the limit is "
                                    "%(limit)s MB.", name=vals.get("name") or "",
                                    size=round(len(data) / 1048576, 1), limit=max_mb),
                                  field="datas")
        mimetype = sniff_type(vals.get("name") or "", data)
        allowed = config.get_param("attachment.allowed_types", DEFAULT_ALLOWED_TYPES)
        if not type_allowed(mimetype, allowed):
            raise ValidationError(_("Files of type %(type)s are not accepted here.",
                                    type=mimetype), field="datas")
        vals.update(checksum=store_of(self.env.conn).put(data), file_size=len(data),
                    mimetype=mimetype)
        return vals

    # -- access: the attached record decides ------------------------------------------------
    def _rule_clause(self, operation: str) -> sa.ColumnElement[bool] | None:
        own = super()._rule_clause(operation)
        if self.env.su:
            return own
        target = self._target_clause("read" if operation == "read" else "write")
        return target if own is None else sa.and_(own, target)

    def _target_clause(self, operation: str) -> sa.ColumnElement[bool]:
        """Attachments whose record the user may ``operation``, as SQL: per model that
        has attachments, its model access and its record rules."""
        table = self._sa_table
        own = sa.and_(table.c.res_model.is_(None), table.c.create_uid == self.env.uid)
        return sa.or_(own, attached_clause(self, operation))

    def _attached_models(self) -> list[str]:
        return attached_models(self)

    def _check_target(self, res_model: Any, res_id: Any) -> None:
        """Adding a file to a record needs the right to modify that record."""
        if self.env.su or not res_model:
            return
        if res_model not in self.env.registry.models:
            raise ValidationError(_("Unknown document model %(model)s.", model=res_model),
                                  field="res_model")
        target = self.env[res_model].with_context(active_test=False).browse(res_id or ())
        if not target.exists():
            raise ValidationError(_("The document to attach the file to does not exist."),
                                  field="res_id")
        if not target._check_access("write", raise_exception=False):
            raise AccessError(target._access_error_message("write"))
        target._check_rules("write")

    # -- CRUD -------------------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        prepared = []
        for vals in ([vals_list] if isinstance(vals_list, dict) else vals_list):
            self._check_target(vals.get("res_model"), vals.get("res_id"))
            prepared.append(self._prepare_content(vals))
        return super().create(prepared)

    def write(self, vals: dict[str, Any]) -> bool:
        if "res_model" in vals or "res_id" in vals:
            for record in self:
                self._check_target(vals.get("res_model", record.res_model),
                                   vals.get("res_id", record.res_id))
        return super().write(self._prepare_content(vals))

    # -- helpers for the UI and other addons --------------------------------------------------
    @api.model
    def attach(self, record: Any, name: str, data: bytes,
               description: str | None = None) -> Any:
        """Attach ``data`` as ``name`` to ``record`` (one record)."""
        record.ensure_one()
        return self.create({"name": name, "datas": data, "res_model": record._name,
                            "res_id": record.id, "description": description})

    @api.model
    def of_records(self, records: Any) -> Any:
        """The attachments of ``records`` (those the user may read), newest first."""
        return self.search([("res_model", "=", records._name),
                            ("res_id", "in", records.ids)])

    @api.model
    def counts(self, records: Any) -> dict[int, int]:
        """``{record id: number of attachments}`` in one query."""
        rows = self._read_group_raw([("res_model", "=", records._name),
                                     ("res_id", "in", records.ids)], ["res_id"], ["__count"])
        return {res_id: count for res_id, count in rows}

    def is_previewable(self) -> bool:
        return (self.mimetype or "") in PREVIEW_TYPES

    @api.model
    def collect_garbage(self) -> int:
        """Remove stored files no attachment references (after deletions, rollbacks)."""
        table = self._sa_table
        referenced: Iterable[str] = (row[0] for row in self.env.execute(
            sa.select(table.c.checksum).where(table.c.checksum.is_not(None)).distinct()))
        return store_of(self.env.conn).collect_garbage(referenced)
