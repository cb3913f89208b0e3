"""Editing from the list: rows edited in place where the list view says
``editable="top"`` or ``editable="bottom"``, and "Set a field" on many records at once.

``/web/action/<action>/inline/<id>`` (and ``.../inline/new``) is one row in edit mode:
GET shows it, POST saves it. The list's search travels in the query string, so that
without JavaScript the whole list page comes back with that row as inputs; ``list.js``
sends ``X-Comptoir-Fragment: 1`` and swaps the returned ``<tr>`` in place instead. The
inputs are the form's, per field type (:mod:`.values` parses them); a column is
read-only when its field is, when its ``readonly`` modifier holds for the row, or when
the user may not write. Saving sends the version the row was read at: a change made
meanwhile by someone else is refused and shown on the row, with their values, and saving
again keeps the user's. Validation errors are shown next to their cell.

``/web/action/<action>/bulk/set`` asks which field to set on the ticked rows (or on
every record matching the search) and to which value, then writes it as the user.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, ConflictError, UserError, ValidationError
from ...i18n.translate import _
from ..http import Request, route
from . import controllers, modifiers, values
from .controllers import ListQuery

FRAGMENT_HEADER = "X-Comptoir-Fragment"
#: field types edited in a list cell or set in bulk (others are shown read-only)
EDITABLE_TYPES = frozenset({"char", "text", "integer", "float", "monetary", "boolean",
                            "selection", "date", "datetime", "many2one"})
#: many2one choices listed at first; the search box finds the others
OPTIONS_LIMIT = 20
STATUS = ((ConflictError, 409), (ValidationError, 422), (AccessError, 403), (UserError, 400))


def _fragment(request: Request) -> bool:
    return request.headers.get(FRAGMENT_HEADER) == "1"


def _defaults_context(action: Any) -> dict[str, Any]:
    """The action's ``default_<field>`` values, for new rows."""
    return {k: v for k, v in action._eval_context().items() if k.startswith("default_")}


def choices(env: Any, descriptions: Mapping[str, dict[str, Any]],
            names: list[str]) -> dict[str, dict[str, Any]]:
    """The first choices of each many2one among ``names`` (one search per field), and
    whether the user may create a record there from its name."""
    result = {}
    for name in names:
        description = descriptions[name]
        if description["type"] != "many2one":
            continue
        comodel = env[description["relation"]]
        readable = comodel._check_access("read", raise_exception=False)
        result[name] = {
            "choices": comodel.name_search("", limit=OPTIONS_LIMIT) if readable else [],
            "can_create": readable and comodel._check_access("create", raise_exception=False)}
    return result


def parse_values(request: Request, names: list[str], descriptions: Mapping[str, dict],
                 prefix: str = "") -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """``(values, errors, raw)`` of the posted inputs ``prefix + name``: booleans carry a
    ``__present`` marker (an unticked box posts nothing)."""
    vals: dict[str, Any] = {}
    errors: dict[str, str] = {}
    raw_values: dict[str, Any] = {}
    for name in names:
        key = prefix + name
        description = descriptions[name]
        if description["type"] == "boolean":
            if f"{key}__present" not in request.form:
                continue
            raw = request.form.get(key, "")
        elif key not in request.form:
            continue
        else:
            raw = request.form.get(key)
        raw_values[name] = raw
        try:
            vals[name] = values.parse(name, raw, description, request.lang,
                                      request.env.context.get("tz") or "UTC")
        except ValidationError as exc:
            errors[name] = str(exc)
    return vals, errors, raw_values


def _named(env: Any, vals: Mapping[str, Any], descriptions: Mapping[str, dict]
           ) -> dict[str, Any]:
    """Parsed values shown again as ``read()`` gives them (a many2one with its name)."""
    shown = dict(vals)
    for name, value in vals.items():
        if descriptions[name]["type"] == "many2one" and value:
            shown[name] = (value, env[descriptions[name]["relation"]].browse(value)
                           .display_name)
    return shown


# -- one row in edit mode ---------------------------------------------------------------------
def _urls(request: Request, query: ListQuery, key: Any) -> dict[str, str]:
    base = f"/web/action/{query.action.id}"
    args = query.state.query()
    menu = request.args.get("menu", "")
    tail = f"{args}&menu={menu}" if args else f"menu={menu}"
    return {"action_url": f"{base}/inline/{key}?{tail}", "cancel_url": f"{base}?{tail}"}


def _row_data(query: ListQuery, record: Any) -> dict[str, Any]:
    """The row's current values (every field the list names, for its modifiers)."""
    names = list(query.view.fields)
    if record:
        return record.read([*names, "version"])[0]
    data = record.default_get(names)
    return _named(record.env, {k: v for k, v in data.items() if k in query.view.fields},
                  query.view.fields)


def _cells(query: ListQuery, data: Mapping[str, Any], allowed: bool
           ) -> dict[str, dict[str, bool]]:
    uid = query.model.env.uid
    result = {}
    for column in query.columns:
        description = query.view.fields[column["name"]]
        state = modifiers.state(column["node"], data, uid)
        readonly = (not allowed or bool(description.get("readonly")) or state["readonly"]
                    or description["type"] not in EDITABLE_TYPES)
        result[column["name"]] = {
            "readonly": readonly,
            "required": not readonly and bool(description.get("required") or
                                              state["required"])}
    return result


def editing(request: Request, query: ListQuery, record: Any,
            posted: Mapping[str, Any] | None = None, errors: Mapping[str, str] | None = None,
            message: str = "", theirs: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """What the templates need to show ``record`` (or a new row) in edit mode."""
    can = controllers.list_rights(query)
    data = _row_data(query, record)
    cells = _cells(query, data, can["write"] if record else can["create"])
    if posted:
        data.update({k: v for k, v in posted.items() if k != "version"})
    editable = [name for name, cell in cells.items() if not cell["readonly"]]
    return {"key": record.id if record else "new", "data": data,
            "version": data.get("version") if record else None, "cells": cells,
            "errors": dict(errors or {}), "message": message, "theirs": theirs or [],
            "options": choices(request.env, query.view.fields, editable),
            **_urls(request, query, record.id if record else "new")}


def _row_response(request: Request, query: ListQuery, status: int = 200,
                  **values_: Any) -> Response:
    return request.render("client/list_row.html", status=status,
                          **{**_page(request, query), **values_})


def _page(request: Request, query: ListQuery) -> dict[str, Any]:
    """A row's context (no menus: a fragment is not a page)."""
    return {"action": query.action, "menu_id": request.args.get("menu", type=int) or "",
            "columns": query.columns,
            "fields": query.view.fields, "display": values.display,
            "input_value": values.input_value, "can": controllers.list_rights(query),
            "tz": request.env.context.get("tz") or "UTC",
            "list_args": query.state.query(), "row_classes": {}, "row_currency": {}}


def _open(request: Request, action_id: int, rec_id: int | None) -> tuple[ListQuery, Any]:
    action = controllers._action(request, action_id)
    query = controllers.list_query(request, action)
    can = controllers.list_rights(query)
    if not can["editable"]:
        raise AccessError(_("This list is not edited in place.", lang=request.lang))
    if not (can["write"] if rec_id else can["create"]):
        raise AccessError(_("You may not change these records.", lang=request.lang))
    model = query.model.with_context(active_test=False, **_defaults_context(action))
    record = model.browse(rec_id) if rec_id else model.browse()
    if rec_id and not record.exists():
        raise NotFound()
    return query, record


@route(["/web/action/<int:action_id>/inline/<int:rec_id>",
        "/web/action/<int:action_id>/inline/new"], auth="user")
def edit_row(request: Request, action_id: int, rec_id: int | None = None) -> Response:
    query, record = _open(request, action_id, rec_id)
    state = editing(request, query, record)
    if _fragment(request):
        return _row_response(request, query, editing=state)
    return controllers.render_list(request, query.action, editing=state)


@route(["/web/action/<int:action_id>/inline/<int:rec_id>",
        "/web/action/<int:action_id>/inline/new"], methods=("POST",), auth="user")
def save_row(request: Request, action_id: int, rec_id: int | None = None) -> Response:
    query, record = _open(request, action_id, rec_id)
    env = request.env
    allowed = controllers.list_rights(query)["write" if record else "create"]
    cells = _cells(query, _row_data(query, record), allowed)
    names = [name for name, cell in cells.items() if not cell["readonly"]]
    vals, errors, raw = parse_values(request, names, query.view.fields)
    message, theirs, status = "", [], 422
    if not errors:
        try:
            with env.savepoint():
                if record:
                    record.write({**vals, "version": request.form.get("version", type=int)})
                else:
                    record = record.create(vals)
            return _saved(request, query, record)
        except UserError as exc:
            status = next(code for kind, code in STATUS if isinstance(exc, kind))
            field = getattr(exc, "field", None)
            if field in names:
                errors[field] = str(exc)
            else:
                message = str(exc)
            if isinstance(exc, ConflictError):
                theirs = _theirs(request, record, vals, query.view.fields)
    shown = {**raw, **_named(env, vals, query.view.fields)}
    state = editing(request, query, record, shown, errors, message, theirs)
    if _fragment(request):
        return _row_response(request, query, status=status, editing=state)
    return controllers.render_list(request, query.action, editing=state, status=status)


def _saved(request: Request, query: ListQuery, record: Any) -> Response:
    if not _fragment(request):
        return redirect(_urls(request, query, record.id)["cancel_url"], code=303)
    rows = record.read(query.names)
    response = _row_response(
        request, query, rows=rows, editing=None,
        row_classes=controllers.row_decorations(query.view.arch, record),
        row_currency=values.row_currencies(record, query.view.fields, query.names))
    sums = controllers.list_sums(query)
    response.headers["X-List-Sums"] = json.dumps({
        name: values.display(value, query.view.fields[name], request.lang)
        for name, value in sums.items()})
    return response


def _theirs(request: Request, record: Any, vals: Mapping[str, Any],
            descriptions: Mapping[str, dict]) -> list[dict[str, str]]:
    """The values someone else saved meanwhile where they differ from the user's."""
    record.env.cache.invalidate()
    current = record.read(list(vals))[0] if vals else {}
    yours = _named(record.env, vals, descriptions)
    lang, tz = request.lang, request.env.context.get("tz") or "UTC"
    result = []
    for name in vals:
        theirs = values.display(current.get(name), descriptions[name], lang, tz)
        if theirs != values.display(yours[name], descriptions[name], lang, tz):
            result.append({"field": str(descriptions[name].get("string") or name),
                           "value": theirs})
    return result


# -- set a field on many records --------------------------------------------------------------
def settable(query: ListQuery) -> dict[str, dict[str, Any]]:
    """The fields "Set a field" offers: writable by the user, of a simple type."""
    described = query.model.fields_get()
    return dict(sorted(((name, d) for name, d in described.items()
                        if d["type"] in EDITABLE_TYPES and not d.get("readonly")
                        and name not in ("id", "version")),
                       key=lambda item: str(item[1]["string"]).lower()))


@route("/web/action/<int:action_id>/bulk/set", methods=("POST",), auth="user")
def bulk_set(request: Request, action_id: int) -> Response:
    action = controllers._action(request, action_id)
    every = request.form.get("all") == "1"
    query, records = controllers.selected(request, action, every)
    if not controllers.list_rights(query)["write"]:
        raise AccessError(_("You may not change these records.", lang=request.lang))
    fields = settable(query)
    name = request.form.get("field") or ""
    errors: dict[str, str] = {}
    error = ""
    if request.form.get("apply") == "1":
        if name not in fields:
            error = _("Choose the field to set.", lang=request.lang)
        elif not records:
            error = _("No record is selected.", lang=request.lang)
        else:
            vals, errors, _raw = parse_values(request, [name], fields, prefix="value__")
            if f"value__{name}" not in request.form and name not in vals and not errors:
                vals[name] = False
            if not errors:
                try:
                    with request.env.savepoint():
                        records.write(vals)
                    return redirect(controllers.safe_back(request.form.get("back"),
                                                          action_id), code=303)
                except ValidationError as exc:
                    errors[exc.field if exc.field == name else "__all__"] = str(exc)
                except UserError as exc:
                    errors["__all__"] = str(exc)
    status = 422 if errors or error else 200
    page = {**controllers._context(request, action),
            "title": _("Set a field", lang=request.lang)}
    return request.render(
        "client/list_set.html", status=status, **page,
        fields=fields, field=name, ids=records.ids, every=every, count=len(records),
        errors=errors, error=error or errors.get("__all__", ""),
        options=choices(request.env, fields, list(fields)), input_value=values.input_value,
        tz=request.env.context.get("tz") or "UTC",
        back=controllers.safe_back(request.form.get("back"), action_id))
