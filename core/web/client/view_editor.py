"""The view editor: administrators arrange a form's groups and fields, or a list's
columns, by drag and drop (or with the move buttons), hide or add them, and save; the
result is one extension view owned by the database (see :mod:`core.views.editor`).

``/web/action/<action>/edit_view/<form|list>`` shows the editor (POST saves),
``.../reset`` deletes the customisation.
"""
from __future__ import annotations

import json
from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, ValidationError
from ...i18n.translate import _
from ...views import editor
from ..http import Request, route
from .controllers import _action, _context

EDITABLE_TYPES = ("form", "list")


def _check(request: Request, view_type: str) -> None:
    if view_type not in EDITABLE_TYPES:
        raise NotFound()
    if not request.env["res.users"].has_group("base.group_system"):
        raise AccessError(_("Only administrators may edit views.", lang=request.lang))


def _back(action: Any, view_type: str, menu: str) -> str:
    return f"/web/action/{action.id}{'/new' if view_type == 'form' else ''}?menu={menu}"


@route("/web/action/<int:action_id>/edit_view/<view_type>", methods=("GET", "POST"),
       auth="user")
def edit_view(request: Request, action_id: int, view_type: str) -> Response | str:
    _check(request, view_type)
    action = _action(request, action_id)
    env = request.env
    model = env[action.res_model]
    menu = request.args.get("menu", "")
    error = ""
    containers = None
    if request.method == "POST":
        try:
            data = json.loads(request.form.get("layout") or "")
        except ValueError:
            data = None
        try:
            layout = editor.parse_layout(data, set(model._fields))
            with env.savepoint():
                editor.save_layout(env, action.res_model, view_type, layout)
            return redirect(f"/web/action/{action_id}/edit_view/{view_type}?menu={menu}"
                            "&saved=1", code=303)
        except ValidationError as exc:
            error = str(exc)
            containers = layout if "layout" in locals() else None
    _root, base = editor.base_arch(env, action.res_model, view_type)
    current = env["ir.ui.view"].get_view(action.res_model, view_type).arch
    if containers is None:
        containers = editor.containers_of(current, view_type)
    described = model.fields_get(attributes=["string", "type"])
    placed = {f["name"] for c in containers for f in c.fields}
    available = sorted(({"name": name, "string": d.get("string") or name}
                        for name, d in described.items()
                        if name not in placed and name not in ("id", "version")
                        and d.get("type") not in ("binary",)),
                       key=lambda f: f["string"].lower())
    customised = bool(editor.customisation(env, action.res_model, view_type))
    return request.render("client/view_editor.html", status=422 if error else 200,
                          **_context(request, action), view_type=view_type,
                          containers=containers, available=available, described=described,
                          customised=customised, error=error, saved=bool(
                              request.args.get("saved")),
                          back=_back(action, view_type, menu))


@route("/web/action/<int:action_id>/edit_view/<view_type>/reset", methods=("POST",),
       auth="user")
def reset_view(request: Request, action_id: int, view_type: str) -> Response:
    _check(request, view_type)
    action = _action(request, action_id)
    editor.reset_layout(request.env, action.res_model, view_type)
    menu = request.args.get("menu", "")
    return redirect(f"/web/action/{action_id}/edit_view/{view_type}?menu={menu}", code=303)
