"""Small endpoints behind the client's widgets and search panel: many2one search and
quick create (JSON), pictures of image fields, saved searches (private, or shared by
administrators).

Everything runs as the logged-in user: access rights, record rules and field groups
decide what a widget may list, show or create.
"""
from __future__ import annotations

import hashlib
import json
from urllib.parse import urlencode

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, UserError, ValidationError
from ...i18n.translate import _
from ..http import Request, route
from .values import image_type


def _json(value: object, status: int = 200) -> Response:
    return Response(json.dumps(value), status=status, mimetype="application/json")


def _model(request: Request, name: str | None):  # noqa: ANN202
    if not name or name not in request.env:
        raise NotFound()
    return request.env[name]


@route("/web/name_search", auth="user")
def name_search(request: Request) -> Response:
    model = _model(request, request.args.get("model"))
    limit = min(max(request.args.get("limit", type=int) or 20, 1), 80)
    return _json(model.name_search(request.args.get("q", ""), limit=limit))


@route("/web/name_create", methods=("POST",), auth="user")
def name_create(request: Request) -> Response:
    """Create a record from its name alone (many2one "Create ..."), as the user."""
    model = _model(request, request.form.get("model"))
    name = (request.form.get("name") or "").strip()
    if not name:
        raise ValidationError(_("Type a name first.", lang=request.lang))
    with request.env.savepoint():
        record = model.create({model._rec_name_field(): name})
    return _json([record.id, record.display_name])


@route("/web/image/<string:model>/<int:rec_id>/<string:field>", auth="user")
def image(request: Request, model: str, rec_id: int, field: str) -> Response:
    """The picture in a binary field, read as the user (model access, record rules,
    field groups). A URL with ``?v=<record version>`` changes with the record, so the
    browser may keep it; without, it asks again (ETag) every time. Only real images
    are served, as what they are: never a stored page passed off as a picture."""
    records = _model(request, model)
    described = records._fields.get(field)
    if described is None or described.type != "binary" or \
            not records._field_visible(described):
        raise NotFound()
    data = records.browse(rec_id).read([field])[0][field]
    kind = image_type(data)
    if kind is None:
        raise NotFound()
    response = Response(data, mimetype=kind)
    response.set_etag(hashlib.sha256(data).hexdigest()[:32])
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable" \
        if request.args.get("v") else "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response.make_conditional(request)


@route("/web/action/<int:action_id>/filters", methods=("POST",), auth="user")
def save_filter(request: Request, action_id: int) -> Response:
    name = (request.form.get("name") or "").strip()
    query = request.form.get("query") or ""
    menu = request.form.get("menu") or ""
    if not name:
        raise ValidationError(_("Give the search a name.", lang=request.lang))
    shared = request.form.get("shared") == "1"
    try:
        with request.env.savepoint():
            request.env["ir.filters"].create({
                "name": name, "action_id": action_id, "query": query,
                "user_id": False if shared else request.env.uid})
    except AccessError:
        raise AccessError(_("Only administrators may share searches with everyone.",
                            lang=request.lang)) from None
    return redirect(f"/web/action/{action_id}?{query}&{urlencode({'menu': menu})}", code=303)


@route("/web/action/<int:action_id>/filters/<int:filter_id>/delete", methods=("POST",),
       auth="user")
def delete_filter(request: Request, action_id: int, filter_id: int) -> Response:
    saved = request.env["ir.filters"].browse(filter_id)
    try:
        with request.env.savepoint():
            saved.unlink()
    except UserError as exc:
        raise AccessError(str(exc)) from None
    return redirect(f"/web/action/{action_id}?menu={request.form.get('menu', '')}", code=303)
