"""The web client's pages: apps (root menus), list views, forms, bulk actions, export.

URLs: ``/web/menu/<menu>`` opens a menu's action; ``/web/action/<action>`` is its list
(search state in the query string, see :mod:`.search`); ``/web/action/<action>/<id>`` a
form (POST saves), ``/web/action/<action>/new`` a new record, ``.../<id>/call`` runs a
button's method, ``/web/action/<action>/bulk`` archives, deletes or exports a selection.
Every page is rendered on the server from the user's compiled views.
"""
from __future__ import annotations

from typing import Any

from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, ConflictError, UserError, ValidationError
from ...i18n.translate import _
from ..http import Request, route
from . import export, modifiers, values
from .search import SearchState, SearchView

PAGE_SIZE = 80
#: choices listed in a many2one/many2many select; the search box finds the others
OPTIONS_LIMIT = 20


def _action(request: Request, action_id: int) -> Any:
    """The window action, checked against the user's groups; its groups are cached with
    the security data (cleared when actions or groups change): one query per page."""
    from ...security.access import cache_of
    cache = cache_of(request.env)
    key = ("action", action_id)
    action = request.env(su=True)["ir.actions.act_window"].browse(action_id)
    if key not in cache:
        action = action.exists()
        if not action:
            raise NotFound()
        cache[key] = (action.res_model, frozenset(action.groups_id.ids))
    res_model, groups = cache[key]
    if res_model not in request.env:
        raise NotFound()
    if groups and not groups & _user_groups(request):
        raise AccessError(_("You may not open this menu.", lang=request.lang))
    return action


def _user_groups(request: Request) -> set[int]:
    from ...security.access import user_group_ids
    return set(user_group_ids(request.env, request.env.uid))


def _menus(request: Request, current_root: int | None = None) -> dict[str, Any]:
    tree = request.env["ir.ui.menu"].visible_tree()
    root = next((m for m in tree if m["id"] == current_root), None)
    return {"apps": tree, "app": root}


def _first_action(menu: dict[str, Any]) -> int | None:
    if menu.get("action_id"):
        return menu["action_id"]
    for child in menu.get("children", ()):
        found = _first_action(child)
        if found:
            return found
    return None


@route("/web/menu/<int:menu_id>", auth="user")
def open_menu(request: Request, menu_id: int) -> Response:
    for app in request.env["ir.ui.menu"].visible_tree():
        for menu in [app, *_walk(app)]:
            if menu["id"] == menu_id:
                action = _first_action(menu)
                if action:
                    return redirect(f"/web/action/{action}?menu={app['id']}")
    raise NotFound()


def _walk(menu: dict[str, Any]) -> list[dict[str, Any]]:
    result = []
    for child in menu.get("children", ()):
        result.append(child)
        result.extend(_walk(child))
    return result


def _context(request: Request, action: Any) -> dict[str, Any]:
    menu = request.args.get("menu", type=int)
    return {**_menus(request, menu), "action": action, "menu_id": menu or "",
            "title": action.name}


@route("/web/action/<int:action_id>", auth="user")
def list_view(request: Request, action_id: int) -> Response | str:
    action = _action(request, action_id)
    env = request.env
    model = env[action.res_model]
    views = env["ir.ui.view"]
    list_arch = views.get_view(action.res_model, "list",
                               action._view_id_for("list"))
    search_arch = views.get_view(action.res_model, "search", action.search_view_id.id or None)
    state = SearchState.from_args(request.args)
    search = SearchView(search_arch.arch, search_arch.fields, env.uid, env.context.get("tz"),
                        model.fields_get(attributes=["type", "string"]))
    base_domain = action._eval_domain()
    domain = list(base_domain) + search.domain(state)
    columns = [node for node in list_arch.arch.iter("field")
               if node.get("invisible") not in ("1", "True") and
               node.get("column_invisible") not in ("1", "True") and
               node.get("name") in list_arch.fields]
    shown = state.columns
    columns = [c for c in columns if not c.get("optional")
               or (c.get("name") in shown if shown is not None else c.get("optional") == "show")]
    names = [c.get("name") for c in columns]
    if "active" in model._fields and "archived" in state.filters:
        model = model.with_context(active_test=False)
    order = state.order or list_arch.arch.get("default_order") or None
    limit = min(max(request.args.get("limit", type=int) or action.limit or PAGE_SIZE, 1), 500)
    try:
        total = model.search_count(domain)
        records = model.search(domain, order=order, limit=limit,
                               offset=(state.page - 1) * limit)
    except ValidationError as exc:
        return request.render("client/list.html", status=422, **_context(request, action),
                              error=str(exc), rows=[], columns=columns, fields=list_arch.fields,
                              total=0, state=state, search=search, groups=[], pages=1,
                              sums={}, display=values.display, can=_rights(model),
                              **_list_extras(request, action, list_arch, shown))
    rows = records.read(names) if records else []
    summed = [c.get("name") for c in columns if c.get("sum")]
    groups = []
    if state.group_by and state.group_by in model._fields:
        groups = model.read_group(domain, [f"{n}:sum" for n in summed],
                                  [state.group_by], lazy=True)
        for group in groups:
            value = group[state.group_by]
            key = value[0] if isinstance(value, (list, tuple)) else value
            condition = f"{state.group_by}|=|{'' if key in (False, None) else key}"
            group["__link"] = state.query(g="", p="", c=[*("|".join(c) for c in
                                                           state.custom), condition])
    sums = {}
    if summed and rows:            # every total in one query
        aggregate = model.read_group(domain, [f"{name}:sum" for name in summed], [])
        sums = {name: aggregate[0].get(name) if aggregate else 0 for name in summed}
    pages = max(1, -(-total // limit))
    return request.render("client/list.html", **_context(request, action), rows=rows,
                          columns=columns, fields=list_arch.fields, total=total, state=state,
                          search=search, groups=groups, pages=pages, sums=sums, error="",
                          display=values.display, can=_rights(model),
                          **_list_extras(request, action, list_arch, shown))


def _list_extras(request: Request, action: Any, list_arch: Any,
                 shown: list[str] | None) -> dict[str, Any]:
    """Optional columns, fields for custom conditions, saved searches."""
    optional = [(n.get("name"), n.get("string") or list_arch.fields[n.get("name")]["string"],
                 n.get("name") in shown if shown is not None else n.get("optional") == "show")
                for n in list_arch.arch.iter("field")
                if n.get("optional") in ("show", "hide") and n.get("name") in list_arch.fields]
    described = request.env[action.res_model].fields_get(attributes=["type", "string",
                                                                      "searchable"])
    condition_fields = sorted(((name, d["string"]) for name, d in described.items()
                               if d.get("searchable") and d["type"] not in (
                                   "one2many", "many2many", "binary", "json")),
                              key=lambda item: str(item[1]).lower())
    saved = request.env["ir.filters"].search([("action_id", "=", action.id)])
    return {"optional_columns": optional, "condition_fields": condition_fields,
            "saved_searches": saved, "is_admin": request.env.user.has_group(
                "base.group_system")}


def _rights(model: Any) -> dict[str, bool]:
    return {op: model._check_access(op, raise_exception=False)
            for op in ("create", "write", "unlink")}


@route("/web/action/<int:action_id>/bulk", methods=("POST",), auth="user")
def bulk(request: Request, action_id: int) -> Response:
    action = _action(request, action_id)
    model = request.env[action.res_model].with_context(active_test=False)
    ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()]
    operation = request.form.get("operation")
    records = model.browse(ids)
    back = request.form.get("back") or f"/web/action/{action_id}"
    if operation in ("export_xlsx", "export_csv"):
        view = request.env["ir.ui.view"].get_view(action.res_model, "list")
        return export.response(records, view, "xlsx" if operation == "export_xlsx" else "csv",
                               request.lang)
    if not records:
        return redirect(back, code=303)
    if operation == "archive":
        records.write({"active": False})
    elif operation == "unarchive":
        records.write({"active": True})
    elif operation == "delete":
        records.unlink()
    else:
        raise ValidationError(_("Unknown operation.", lang=request.lang))
    return redirect(back, code=303)


def _form_data(request: Request, action: Any, record: Any, form: Any,
               errors: dict[str, str], posted: dict[str, Any] | None = None) -> dict[str, Any]:
    env = request.env
    names = list(form.fields)
    data = record.read([*names, "version"])[0] if record else {
        name: value for name, value in record.default_get(names).items()}
    if posted:
        # the user's values, on top of the record's CURRENT version (after a conflict,
        # saving again is a deliberate choice)
        data.update({k: v for k, v in posted.items() if k != "version"})
    options = {}
    for name, description in form.fields.items():
        if description["type"] in ("many2one", "many2many") and not description.get("readonly"):
            comodel = env[description["relation"]]
            if comodel._check_access("read", raise_exception=False):
                options[name] = comodel.name_search("", limit=OPTIONS_LIMIT)
    history = _history(request, record) if record else []
    return {**_context(request, action), "record": record, "data": data, "arch": form.arch,
            "history": history, "tz": env.context.get("tz") or "UTC",
            "can_create_in": lambda model: env[model]._check_access("create",
                                                                    raise_exception=False),
            "mods": lambda node: modifiers.state(node, data, env.uid),
            "fields": form.fields, "errors": errors, "options": options,
            "display": values.display, "input_value": values.input_value,
            "can": _rights(env[action.res_model]), "title": (
                record.display_name if record else _("New", lang=request.lang))}


@route(["/web/action/<int:action_id>/<int:rec_id>", "/web/action/<int:action_id>/new"],
       methods=("GET", "POST"), auth="user")
def form_view(request: Request, action_id: int, rec_id: int | None = None) -> Response | str:
    action = _action(request, action_id)
    env = request.env
    model = env[action.res_model].with_context(active_test=False)
    form = env["ir.ui.view"].get_view(action.res_model, "form")
    record = model.browse(rec_id) if rec_id else model.browse(())
    if rec_id and not record.exists():
        raise NotFound()
    errors: dict[str, str] = {}
    conflicts: list[dict[str, Any]] = []
    if request.method == "POST":
        vals, errors = _parse_form(request, form)
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
                errors[exc.field or "__all__"] = str(exc)
            except UserError as exc:
                errors["__all__"] = str(exc)
        return request.render("client/form.html", status=422, conflicts=conflicts,
                              **_form_data(request, action, record, form, errors, vals))
    return request.render("client/form.html", conflicts=[],
                          **_form_data(request, action, record, form, errors))


def _conflicts(request: Request, record: Any, form: Any,
               vals: dict[str, Any]) -> list[dict[str, Any]]:
    """The fields where the saved record now differs from what the user typed: shown
    side by side, the form then based on the latest version so that saving again
    deliberately keeps the user's values (and leaving keeps the other user's)."""
    record.env.cache.invalidate()
    names = [n for n in vals if n in form.fields]
    current = record.read(names)[0] if names else {}
    result = []
    for name in names:
        description = form.fields[name]
        theirs = values.display(current.get(name), description, request.lang)
        yours_raw = vals[name]
        if description["type"] == "many2one" and yours_raw:
            yours_raw = (yours_raw, request.env[description["relation"]].browse(
                yours_raw).display_name)
        yours = values.display(yours_raw, description, request.lang)
        if theirs != yours:
            result.append({"field": description.get("string") or name, "theirs": theirs,
                           "yours": yours})
    return result


def _history(request: Request, record: Any) -> list[dict[str, Any]]:
    """The record's journal, values shown as the form shows them (names, labels)."""
    entries = record._journal_history()[:50]
    described = record.fields_get(attributes=["type", "string", "selection", "relation",
                                              "digits"])
    ids_by_model: dict[str, set[int]] = {}
    for entry in entries:
        for change in entry["changes"]:
            description = described.get(change["field"], {})
            if description.get("type") == "many2one":
                for value in (change["old"], change["new"]):
                    if isinstance(value, int):
                        ids_by_model.setdefault(description["relation"], set()).add(value)
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


def _parse_form(request: Request, form: Any) -> tuple[dict[str, Any], dict[str, str]]:
    vals: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, description in form.fields.items():
        if description.get("readonly") or description["type"] in ("one2many", "binary"):
            continue
        if description["type"] == "many2many":
            raw: Any = request.form.getlist(name)
            if f"{name}__present" not in request.form:
                continue
        elif description["type"] == "boolean":
            if f"{name}__present" not in request.form:
                continue
            raw = request.form.get(name, "")
        elif name not in request.form:
            continue
        else:
            raw = request.form.get(name)
        try:
            vals[name] = values.parse(name, raw, description, request.lang)
        except ValidationError as exc:
            errors[name] = str(exc)
    return vals, errors


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
    getattr(record, method)()
    return redirect(f"/web/action/{action_id}/{rec_id}?menu={request.args.get('menu', '')}",
                    code=303)
