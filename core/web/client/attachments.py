"""Attachments in the web client: the documents panel under every form, upload (a file
input or drag and drop), download, inline preview of images and PDFs, deletion.

Everything runs as the logged-in user: ``ir.attachment`` lets him see the files of the
records he may read and add or delete those of the records he may modify. Downloads are
sent as attachments with ``nosniff``; only images and PDFs recognised from their content
are shown inline, and then in a sandbox (no script runs from an uploaded file).
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import ValidationError
from ...i18n.formatting import format_datetime, format_number
from ...i18n.translate import _
from ..http import Request, route
from ..templates import GLOBALS


def human_size(size: int, lang: str) -> str:
    value, unit = float(size or 0), "B"
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    digits = 0 if unit == "B" else 1
    return f"{format_number(round(value, digits), lang, digits=digits)} {unit}"


def attachment_panel(record: Any) -> dict[str, Any]:
    """What the documents panel of ``record``'s form shows. The files of a record are
    readable by whoever reads the record: the record is checked (the form has just read
    it, so that costs nothing) and its files fetched in one query, without compiling the
    attachments' rules for every model that has files."""
    env = record.env
    record._ensure_readable()
    files = env["ir.attachment"].sudo().search_fetch(
        [("res_model", "=", record._name), ("res_id", "=", record.id)],
        ["name", "mimetype", "file_size", "create_uid", "create_date"]).with_env(env)
    files.env.transaction.readable[(env.uid, "ir.attachment")].update(files.ids)
    lang, tz = env.lang or "en_US", env.context.get("tz") or "UTC"
    uploaders = files.mapped("create_uid")._display_names(files.mapped("create_uid").ids) \
        if files else {}
    items = [{"id": f.id, "name": f.name, "mimetype": f.mimetype or "",
              "size": human_size(f.file_size, lang), "image": (f.mimetype or "").startswith(
                  "image/") and f.is_previewable(),
              "preview": f.is_previewable(), "url": f"/web/attachment/{f.id}",
              "by": uploaders.get(f.create_uid.id, ""),
              "date": format_datetime(f.create_date, lang, tz)} for f in files]
    can_add = record._check_access("write", raise_exception=False) and _writable(record)
    return {"files": items, "can_add": can_add, "model": record._name, "res_id": record.id}


def _writable(record: Any) -> bool:
    rules = record._rule_clause("write")
    if rules is None:
        return True
    table = record._sa_table
    return bool(record.env.execute(sa.select(table.c.id).where(
        table.c.id == record.id, rules)).first())


GLOBALS["attachment_panel"] = attachment_panel


def _back(request: Request) -> str:
    target = request.values.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else "/web"


def _attachment(request: Request, att_id: int) -> Any:
    attachment = request.env["ir.attachment"].browse(att_id)
    if not attachment.exists():
        raise NotFound()
    attachment.read(["name", "mimetype", "checksum"])  # record rules checked here
    return attachment


@route("/web/attachment/<int:att_id>", auth="user")
def download(request: Request, att_id: int) -> Response:
    attachment = _attachment(request, att_id)
    inline = request.args.get("inline") == "1" and attachment.is_previewable()
    etag = attachment.checksum or ""
    if etag and request.if_none_match.contains(etag):
        return Response(status=304)
    data = attachment._content()
    response = Response(data, mimetype=attachment.mimetype if inline else
                        "application/octet-stream")
    disposition = "inline" if inline else "attachment"
    filename = attachment.name or "file"
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    if attachment.mimetype != "application/pdf" or not inline:
        # nothing from an uploaded file may run as this site (a PDF needs the browser's
        # viewer, which a sandbox would block; it never runs in the site's origin)
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; " \
            "img-src 'self' data:; style-src 'unsafe-inline'"
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.set_etag(etag)
    return response


@route("/web/attachment/upload", methods=("POST",), auth="user")
def upload(request: Request) -> Response:
    res_model = request.form.get("res_model") or ""
    res_id = request.form.get("res_id", type=int)
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        raise ValidationError(_("Choose one or more files first.", lang=request.lang))
    if res_model not in request.env or not res_id:
        raise NotFound()
    record = request.env[res_model].browse(res_id)
    created = [request.env["ir.attachment"].attach(record, storage.filename,
                                                   storage.read()).id for storage in files]
    if request.wants_json():
        return _json({"ids": created})
    return redirect(_back(request), code=303)


@route("/web/attachment/<int:att_id>/delete", methods=("POST",), auth="user")
def delete(request: Request, att_id: int) -> Response:
    attachment = _attachment(request, att_id)
    attachment.unlink()
    if request.wants_json():
        return _json({"deleted": att_id})
    return redirect(_back(request), code=303)


@route("/web/attachment/panel", auth="user")
def panel(request: Request) -> Response:
    """The documents panel alone (refreshed by the page after a drop)."""
    res_model = request.args.get("model") or ""
    res_id = request.args.get("id", type=int)
    if res_model not in request.env or not res_id:
        raise NotFound()
    record = request.env[res_model].browse(res_id)
    if not record.exists():
        raise NotFound()
    record.read(["display_name"])
    return request.render("client/attachments.html", record=record,
                          next=request.args.get("next") or "/web")


def _json(value: object, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, mimetype="application/json")
