"""The form view: ``/web/action/<action>/<id>`` shows a record (POST saves it),
``/web/action/<action>/new`` a new one, ``.../<id>/call`` runs a button's method (and
follows the action it may return, such as a wizard: :mod:`.wizard`).

Saving parses the posted values per field type (:mod:`.values`), the inline lines of
one2many fields as x2many commands (:mod:`.form_widgets`), and writes everything in one call,
with the version the form was based on, inside one savepoint: all or nothing, errors
next to their field. A stale version is shown side by side with the other user's
change so that the user can merge. Smart buttons count related records (one query per
button). Many2one choices are not rendered with the page: the widget fetches them
(``/web/name_search``) when the user opens it.
"""
from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, ConflictError, UserError, ValidationError
from ...i18n.translate import _
from ...security import journal
from ..http import Request, route
from . import form_widgets as inline, modifiers, values
from .controllers import _action, _context, _rights
from .form_widgets import FormLayout, layout_of


def _form_data(request: Request, action: Any, record: Any, form: Any,
               errors: dict[str, str], posted: dict[str, Any] | None = None) -> dict[str, Any]:
    """The template's context. ``posted``: what the user sent (after an error or a
    conflict): ``vals`` on top of the record's CURRENT version (saving again is then a
    deliberate choice), ``raw`` texts of invalid fields, ``rows`` of inline lines."""
    env = request.env
    layout = layout_of(env, form)
    tz = env.context.get("tz") or "UTC"
    names = [n for n in form.fields if n not in layout.images and n not in layout.lines] \
        + layout.extra_names
    if record:
        data = record.read([*names, "version"])[0]
        if layout.images:
            pictures = record.read(list(layout.images))[0]
            data.update({name: bool(pictures[name]) for name in layout.images})
    else:
        data = dict(record.default_get(names))
        for name, value in data.items():  # a default is a bare id: show its name
            description = form.fields.get(name) or {}
            if description.get("type") == "many2one" and isinstance(value, int) and value:
                data[name] = inline.many2one_value(env, description["relation"], value)
            elif description.get("type") == "many2many" and isinstance(value, (list, tuple)):
                data[name] = _default_ids(value)  # commands from a recordset default
    posted = posted or {}
    for name, value in posted.get("vals", {}).items():
        kind = form.fields[name]["type"] if name in form.fields else ""
        if kind == "many2many":
            data[name] = value[-1][2] if value and value[-1][0] == 6 else data.get(name, [])
        elif kind == "many2one" and value:
            data[name] = inline.many2one_value(env, form.fields[name]["relation"], value)
        elif kind not in ("one2many", "binary"):
            data[name] = value
    rights = _rights(env[action.res_model])
    can_edit = rights["write" if record else "create"]
    creatable: dict[str, bool] = {}

    def can_create_in(model: str) -> bool:
        if model not in creatable:
            creatable[model] = env[model]._check_access("create", raise_exception=False)
        return creatable[model]

    return {**_context(request, action), "record": record, "data": data, "arch": form.arch,
            # a record with a chatter shows its changes there, merged with its messages
            "history": _history(request, record) if record and "message_ids" not in
            record._fields else [], "tz": tz,
            "can_create_in": can_create_in, "layout": layout, "can_edit": can_edit,
            "mods": lambda node: modifiers.state(node, data, env.uid),
            "mods_of": lambda node, line: modifiers.state(node, line, env.uid),
            "not_in_cells": inline.NOT_IN_CELLS, "smart_key": inline.smart_key,
            "fields_model": form.model,
            "fields": form.fields, "errors": errors, "raw": posted.get("raw", {}),
            "unsaved_pictures": posted.get("pictures", []),
            "tags": inline.tag_names(env, form, data),
            "lines": inline.lines_of(env, layout, form, record, data, posted.get("rows", {})),
            "currencies": inline.currencies_of(env, layout, record, data),
            "smart": inline.smart_buttons(request, layout, record),
            "display": values.display, "input_value": values.input_value,
            "html": values.html, "currency_affix": values.currency_affix,
            "can": rights, "title": (
                record.display_name if record else _("New", lang=request.lang))}


def _default_ids(value: Any) -> list[int]:
    """The ids a many2many default holds: plain ids, or ``(6, 0, ids)`` / ``(4, id)``
    commands (what ``default_get`` makes of a recordset)."""
    ids: list[int] = []
    for item in value:
        if isinstance(item, int):
            ids.append(item)
        elif isinstance(item, (list, tuple)) and item and item[0] == 6:
            ids = [int(i) for i in item[2]]
        elif isinstance(item, (list, tuple)) and len(item) > 1 and item[0] == 4:
            ids.append(int(item[1]))
    return ids


@route(["/web/action/<int:action_id>/<int:rec_id>", "/web/action/<int:action_id>/new"],
       methods=("GET", "POST"), auth="user")
def form_view(request: Request, action_id: int, rec_id: int | None = None) -> Response | str:
    action = _action(request, action_id)
    env = request.env
    # the action's default_* values fill a new record, as in lists and kanban
    defaults = {} if rec_id else {k: v for k, v in action._eval_context().items()
                                  if k.startswith("default_")}
    model = env[action.res_model].with_context(active_test=False, **defaults)
    form = env["ir.ui.view"].get_view(action.res_model, "form")
    record = model.browse(rec_id) if rec_id else model.browse(())
    if request.method != "POST":    # a missing record: read() says so (404)
        return request.render("client/form.html", conflicts=[],
                              **_form_data(request, action, record, form, {}))
    if rec_id and not record.exists():
        raise NotFound()
    layout = layout_of(env, form)
    vals, errors, posted = _parse_form(request, form, layout, record)
    conflicts: list[dict[str, Any]] = []
    if not errors:
        try:
            with env.savepoint():
                if record:
                    vals["version"] = request.form.get("version", type=int)
                    record.write(vals)
                else:
                    record = model.create(vals)
            menu = request.args.get("menu", "")
            return redirect(f"/web/action/{action_id}/{record.id}?menu={menu}", code=303)
        except ConflictError as exc:
            errors["__all__"] = str(exc)
            conflicts = _conflicts(request, record, form, vals)
        except ValidationError as exc:
            errors[inline.error_key(exc.field, vals, form, layout)] = str(exc)
        except UserError as exc:
            errors["__all__"] = str(exc)
        if not rec_id:
            record = model.browse(())
    vals.pop("version", None)
    return request.render("client/form.html", status=422, conflicts=conflicts,
                          **_form_data(request, action, record, form, errors, posted))


def _conflicts(request: Request, record: Any, form: Any,
               vals: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields where the saved record now differs from what the user typed: shown
    side by side, the form then based on the latest version so that saving again
    deliberately keeps the user's values (and leaving keeps the other user's)."""
    record.env.cache.invalidate()
    names = [n for n in vals if n in form.fields and form.fields[n]["type"] not in (
        "one2many", "binary")]
    current = record.read(names)[0] if names else {}
    tz = request.env.context.get("tz") or "UTC"
    result = []
    for name in names:
        description = form.fields[name]
        theirs_raw, yours_raw = current.get(name), vals[name]
        if description["type"] == "many2one" and yours_raw:
            yours_raw = inline.many2one_value(request.env, description["relation"],
                                              yours_raw)
        if description["type"] == "many2many":
            ids = yours_raw[-1][2] if yours_raw and yours_raw[-1][0] == 6 else []
            if set(ids) == set(theirs_raw or []):
                continue
            names_of = inline.names_of(request.env, description["relation"],
                                       set(ids) | set(theirs_raw or []))
            theirs = ", ".join(names_of.get(i, "") for i in theirs_raw or [])
            yours = ", ".join(names_of.get(i, "") for i in ids)
        else:
            theirs = values.display(theirs_raw, description, request.lang, tz)
            yours = values.display(yours_raw, description, request.lang, tz)
        if theirs != yours:
            result.append({"field": description.get("string") or name, "theirs": theirs,
                           "yours": yours})
    return result


def _history(request: Request, record: Any) -> list[dict[str, Any]]:
    """The record's journal, values shown as the form shows them (names, labels).

    The form has just read the record as the user (access, record rules: checked, and
    it exists), so the journal is asked directly, without ``_journal_history``'s own
    checks for records that may be gone."""
    entries = journal.history(record)[:50]
    changed = {change["field"] for entry in entries for change in entry["changes"]}
    if not changed:
        return entries
    described = record.fields_get(list(changed), attributes=[
        "type", "string", "selection", "relation", "digits"])
    ids_by_model: dict[str, set[int]] = {}
    for entry in entries:
        for change in entry["changes"]:
            description = described.get(change["field"], {})
            if description.get("type") == "many2one":
                for value in (change["old"], change["new"]):
                    if isinstance(value, int):
                        ids_by_model.setdefault(description["relation"], set()).add(value)
    # the journal keeps ids: names of records the user may no longer read are still
    # what the history showed when they changed, hence sudo
    names = {model: request.env[model].sudo()._display_names(ids)
             for model, ids in ids_by_model.items()}
    lang, tz = request.lang, request.env.context.get("tz") or "UTC"
    for entry in entries:
        for change in entry["changes"]:
            description = described.get(change["field"], {})
            for key in ("old", "new"):
                value = change[key]
                if description.get("type") == "many2one" and isinstance(value, int):
                    value = (value, names.get(description["relation"], {}).get(value, value))
                elif description.get("type") in ("date", "datetime") and isinstance(value, str):
                    value = values.from_iso(value, description["type"])
                change[key] = values.display(value, description, lang, tz) \
                    if description else value
    return entries


def _parse_form(request: Request, form: Any, layout: FormLayout, record: Any
                ) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    """``(vals, errors, posted)``: the values to write, the messages per field (inline
    line cells as ``<field>.<row>.<column>``) and what to show again if saving fails."""
    vals: dict[str, Any] = {}
    errors: dict[str, str] = {}
    raw_texts: dict[str, str] = {}
    rows: dict[str, inline.Posted] = {}
    pictures: list[str] = []
    lang, tz = request.lang, request.env.context.get("tz") or "UTC"
    form_data = request.form
    for name, description in form.fields.items():
        kind = description["type"]
        if description.get("readonly"):
            continue
        if kind == "one2many":
            if f"{name}__present" in form_data and name in layout.lines:
                commands, rows[name] = inline.parse_lines(request, layout.lines[name],
                                                          record, errors)
                if commands:
                    vals[name] = commands
            continue
        if kind == "binary":
            if name in layout.images:
                _parse_picture(request, name, description, layout.images[name], vals,
                               errors)
                if isinstance(vals.get(name), bytes):
                    pictures.append(name)
            continue
        if kind == "many2many":
            if f"{name}__present" not in form_data:
                continue
            raw: Any = form_data.getlist(name)
        elif kind == "boolean":
            if f"{name}__present" not in form_data:
                continue
            raw = form_data.get(name, "")
        elif name not in form_data:
            continue
        else:
            raw = form_data.get(name)
        try:
            vals[name] = values.parse(name, raw, description, lang, tz)
        except ValidationError as exc:
            errors[name] = str(exc)
            raw_texts[name] = raw if isinstance(raw, str) else ""
    inline.apply_modifiers(request, form, layout, record, vals, errors)
    return vals, errors, {"vals": vals, "raw": raw_texts, "rows": rows,
                          "pictures": pictures}


def _parse_picture(request: Request, name: str, description: dict[str, Any],
                   max_bytes: int, vals: dict[str, Any], errors: dict[str, str]) -> None:
    """A new picture (checked by content), or its removal; nothing sent: unchanged."""
    upload = request.files.get(name)
    if upload is not None and upload.filename:
        try:
            vals[name] = values.parse_image(name, upload, description, request.lang,
                                            max_bytes)
        except ValidationError as exc:
            errors[name] = str(exc)
    elif request.form.get(f"{name}__remove"):
        vals[name] = False


@route("/web/action/<int:action_id>/<int:rec_id>/call", methods=("POST",), auth="user")
def call_button(request: Request, action_id: int, rec_id: int) -> Response:
    action = _action(request, action_id)
    method = request.form.get("method") or ""
    record = request.env[action.res_model].browse(rec_id)
    form = request.env["ir.ui.view"].get_view(action.res_model, "form")
    declared = {b.get("name") for b in form.arch.iter("button") if b.get("type") == "object"}
    if method.startswith("_") or method not in declared or not callable(
            getattr(record, method, None)):
        raise AccessError(_("This button is not available.", lang=request.lang))
    back = f"/web/action/{action_id}/{rec_id}?menu={request.args.get('menu', '')}"
    result = getattr(record, method)()
    # a method may answer with an action: a wizard to open, a record, a page
    from .wizard import follow_action
    return follow_action(request, result, back) or redirect(back, code=303)
