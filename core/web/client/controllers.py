"""The web client's pages: apps (root menus), list views, bulk actions, export; the
helpers every view type shares (the action checked against the user's groups, the page
context, the user's rights). Forms are in :mod:`.form`, a list's in-place editing and
"set a field" in :mod:`.inline`.

URLs: ``/web/menu/<menu>`` opens a menu's action; ``/web/action/<action>`` is its list
(search state in the query string, see :mod:`.search`); ``/web/action/<action>/bulk``
archives, deletes or exports (in one click) the ticked rows or every record matching the
search; ``.../export`` is the export dialog (fields, scope, format; the choice is
remembered per user and model). Every page is rendered on the server from the user's
compiled views.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import parse_qsl, urlsplit

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, UserError, ValidationError
from ...i18n.translate import _
from ...views.literal import eval_literal, today
from ..http import Request, route
from . import export, values
from .search import OPERATORS_BY_TYPE, SearchState, SearchView, operator_labels

PAGE_SIZE = 80


@dataclass(frozen=True)
class BulkOperation:
    """A bulk operation an addon adds to the lists of a model: the selected ids go to
    ``url`` (``{ids}`` is replaced by them, comma separated)."""

    addon: str
    model: str
    key: str
    label: str  #: an English message, marked with ``_lt`` and translated when shown
    url: str


#: registered by addons when their routes load (see :func:`register_bulk_operation`)
BULK_OPERATIONS: dict[str, BulkOperation] = {}


def register_bulk_operation(operation: BulkOperation) -> None:
    BULK_OPERATIONS[operation.key] = operation


def bulk_operations(request: Request, model: str) -> list[BulkOperation]:
    """The addon operations offered on ``model``'s lists (installed addons only)."""
    installed = set(request.env.registry.addons)
    return [op for op in BULK_OPERATIONS.values()
            if op.model == model and op.addon in installed]
NUMERIC = ("integer", "float", "monetary")


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
                if action:  # opens on the action's first view, as its view_mode says
                    record = request.env(su=True)["ir.actions.act_window"].browse(action)
                    modes = (record.view_mode or "list").split(",")
                    first = modes[0].strip()
                    view = "" if first in ("list", "form", "") else f"/{first}"
                    return redirect(f"/web/action/{action}{view}?menu={app['id']}"
                                    + _default_filters(record))
    raise NotFound()


def _default_filters(action: Any) -> str:
    """The filters an action's context turns on when its menu opens (Odoo's
    ``search_default_<filter name>``), as the search's URL parameters."""
    try:
        context = action._eval_context()
    except ValidationError:
        return ""
    names = [key[len("search_default_"):] for key, value in sorted(context.items())
             if isinstance(key, str) and key.startswith("search_default_") and value]
    return "".join(f"&f={name}" for name in names if name.replace("_", "").isalnum())


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


# -- the list page ----------------------------------------------------------------------------
@dataclass
class ListQuery:
    """What a list page shows: its view and columns, the user's search, the domain."""

    action: Any
    model: Any
    view: Any
    state: SearchState
    search: SearchView
    domain: list
    order: str | None
    columns: list[dict[str, Any]]

    @property
    def names(self) -> list[str]:
        return [column["name"] for column in self.columns]

    @property
    def summed(self) -> list[str]:
        return [column["name"] for column in self.columns if column["sum"]]


def list_query(request: Request, action: Any, args: Mapping[str, Any] | None = None
               ) -> ListQuery:
    """The list of ``action`` searched as ``args`` say (default: the request's query
    string; bulk operations pass the list URL they came from)."""
    env = request.env
    model = env[action.res_model]
    views = env["ir.ui.view"]
    view = views.get_view(action.res_model, "list", action._view_id_for("list"))
    search_arch = views.get_view(action.res_model, "search", action.search_view_id.id or None)
    state = SearchState.from_args(request.args if args is None else args)
    search = SearchView(search_arch.arch, search_arch.fields, env.uid, env.context.get("tz"),
                        model.fields_get(attributes=["type", "string"]), lang=request.lang)
    if "active" in model._fields and "archived" in state.filters:
        model = model.with_context(active_test=False)
    domain = list(action._eval_domain()) + search.domain(state)
    order = state.order or view.arch.get("default_order") or None
    return ListQuery(action, model, view, state, search, domain, order,
                     _columns(view, state.columns))


def _columns(view: Any, shown: list[str] | None) -> list[dict[str, Any]]:
    result = []
    for node in view.arch.iter("field"):
        name = node.get("name")
        if name not in view.fields or node.get("invisible") in ("1", "True") or \
                node.get("column_invisible") in ("1", "True"):
            continue
        optional = node.get("optional")
        if optional and not (name in shown if shown is not None else optional == "show"):
            continue
        description = view.fields[name]
        result.append({"name": name, "label": node.get("string") or description["string"],
                       "type": description["type"], "num": description["type"] in NUMERIC,
                       "sum": bool(node.get("sum")), "sortable": description.get("sortable"),
                       "node": node})
    return result


def list_sums(query: ListQuery) -> dict[str, Any]:
    """The totals of the summed columns over the whole search, in one query."""
    if not query.summed:
        return {}
    aggregate = query.model.read_group(query.domain, [f"{n}:sum" for n in query.summed], [])
    return {name: aggregate[0].get(name) if aggregate else 0 for name in query.summed}


def list_rights(query: ListQuery) -> dict[str, Any]:
    """What the user may do from this list: access rights, narrowed by the view's
    ``create``/``edit``/``delete`` attributes; ``editable`` is ``top``/``bottom`` when
    rows are edited in place."""
    arch = query.view.arch
    allowed = _rights(query.model)
    can = {op: allowed[op] and arch.get(attr) not in ("0", "false", "False")
           for op, attr in (("create", "create"), ("write", "edit"), ("unlink", "delete"))}
    editable = arch.get("editable") if arch.get("editable") in ("top", "bottom") else ""
    can["editable"] = editable if (can["write"] or can["create"]) else ""
    return can


@route("/web/action/<int:action_id>", auth="user")
def list_view(request: Request, action_id: int) -> Response | str:
    return render_list(request, _action(request, action_id))


def render_list(request: Request, action: Any, editing: Mapping[str, Any] | None = None,
                status: int = 200) -> Response:
    """The list page; ``editing`` is a row in edit mode (see :mod:`.inline`)."""
    query = list_query(request, action)
    model, state = query.model, query.state
    limit = min(max(request.args.get("limit", type=int) or action.limit or PAGE_SIZE, 1), 500)
    page = {**_context(request, action), "state": state, "search": query.search,
            "columns": query.columns, "fields": query.view.fields, "display": values.display,
            "can": list_rights(query), "editing": editing, "list_args": state.query(),
            "input_value": values.input_value, "has_active": "active" in model._fields,
            "tz": request.env.context.get("tz") or "UTC", "row_classes": {},
            "row_currency": {},
            "operator_labels": operator_labels(request.lang),
            "extra_operations": [(op.key, _(op.label, lang=request.lang))
                                 for op in bulk_operations(request, action.res_model)],
            **_list_extras(request, action, query)}
    try:
        total = model.search_count(query.domain)
        records = model.search(query.domain, order=query.order, limit=limit,
                               offset=(state.page - 1) * limit)
    except ValidationError as exc:
        return request.render("client/list.html", status=422, error=str(exc), rows=[],
                              total=0, groups=[], pages=1, sums={}, **page)
    rows = records.read(query.names) if records else []
    page["row_classes"] = row_decorations(query.view.arch, records)
    page["row_currency"] = values.row_currencies(records, query.view.fields, query.names)
    groups = []
    if state.group_by and state.group_by in model._fields:
        groups = model.read_group(query.domain, [f"{n}:sum" for n in query.summed],
                                  [state.group_by], lazy=True)
        for group in groups:
            value = group[state.group_by]
            key = value[0] if isinstance(value, (list, tuple)) else value
            condition = f"{state.group_by}|=|{'' if key in (False, None) else key}"
            group["__link"] = state.query(g="", p="", c=[*("|".join(c) for c in
                                                           state.custom), condition])
    sums = list_sums(query) if rows else {}
    pages = max(1, -(-total // limit))
    return request.render("client/list.html", status=status, rows=rows, total=total,
                          groups=groups, pages=pages, sums=sums, error="", **page)


#: ``decoration-*`` attributes of a list's root and the CSS classes they give a row
DECORATIONS = ("muted", "info", "success", "warning", "danger", "bf", "it")


def row_decorations(arch: Any, records: Any) -> dict[int, str]:
    """``{record id: "decoration-success ..."}`` for the rows that match the list's
    ``decoration-<kind>="[domain]"`` attributes: one query per decoration, whatever the
    number of rows. A decoration whose domain is not valid is ignored (the view checks
    report it)."""
    classes: dict[int, list[str]] = {}
    if not records:
        return {}
    names = {"uid": records.env.uid,
             "context_today": today(records.env.context.get("tz") or None)}
    for kind in DECORATIONS:
        text = arch.get(f"decoration-{kind}")
        if not text:
            continue
        try:
            domain = eval_literal(text, names, default=[])
            matching = records.with_context(active_test=False).search(
                [("id", "in", records.ids), *domain], order=False)
        except ValidationError:
            continue
        for record_id in matching.ids:
            classes.setdefault(record_id, []).append(f"decoration-{kind}")
    return {record_id: " ".join(kinds) for record_id, kinds in classes.items()}


def _list_extras(request: Request, action: Any, query: ListQuery) -> dict[str, Any]:
    """Optional columns, fields for custom conditions, saved searches."""
    view, shown = query.view, query.state.columns
    optional = [(n.get("name"), n.get("string") or view.fields[n.get("name")]["string"],
                 n.get("name") in shown if shown is not None else n.get("optional") == "show")
                for n in view.arch.iter("field")
                if n.get("optional") in ("show", "hide") and n.get("name") in view.fields]
    described = request.env[action.res_model].fields_get(
        attributes=["type", "string", "searchable", "selection", "relation"])
    saved = request.env["ir.filters"].search([("action_id", "=", action.id)])
    return {"optional_columns": optional,
            "condition_fields": condition_fields(described, request.lang),
            "conditions": _conditions(request, query, described),
            "saved_searches": saved, "is_admin": request.env.user.has_group(
                "base.group_system")}


def condition_fields(described: Mapping[str, dict[str, Any]], lang: str
                     ) -> list[dict[str, Any]]:
    """The fields a custom condition may test, with their operators and, for
    selections and booleans, their values (the condition builder's JSON data)."""
    result = []
    for name, description in described.items():
        kind = description["type"]
        if not description.get("searchable") or kind in ("one2many", "many2many", "binary",
                                                         "json", "reference"):
            continue
        options = [[str(k), str(v)] for k, v in description.get("selection") or ()]
        if kind == "boolean":
            options = [["1", _("Yes", lang=lang)], ["0", _("No", lang=lang)]]
        result.append({"name": name, "label": str(description["string"]), "type": kind,
                       "ops": json.dumps(OPERATORS_BY_TYPE.get(kind, OPERATORS_BY_TYPE["char"])),
                       "options": json.dumps(options) if options else ""})
    return sorted(result, key=lambda item: item["label"].lower())


def _conditions(request: Request, query: ListQuery,
                described: Mapping[str, dict[str, Any]]) -> list[dict[str, str]]:
    """The custom conditions in words (a value's label, a linked record's name), each
    with the query string of the search without it."""
    lang, state = request.lang, query.state
    labels = operator_labels(lang)
    result = []
    for condition in state.custom:
        name, operator, value = condition
        description = described.get(name) or {}
        kind = description.get("type")
        shown = value
        if operator in ("set", "not set"):
            shown = ""
        elif value == "":
            shown = _("(empty)", lang=lang)
        elif kind == "boolean":
            shown = values.display(query.search.typed(name, value), description, lang)
        elif kind == "selection":
            shown = str(dict(description.get("selection") or ()).get(value, value))
        elif kind == "many2one" and value.isdigit():
            linked = request.env[description["relation"]].search([("id", "=", int(value))])
            shown = linked.display_name if linked else value
        result.append({
            "field": str(description.get("string") or name),
            "operator": labels.get(operator, operator), "value": shown,
            "without": state.query(c=["|".join(c) for c in state.custom if c != condition],
                                   p="")})
    return result


def _rights(model: Any) -> dict[str, bool]:
    return {op: model._check_access(op, raise_exception=False)
            for op in ("create", "write", "unlink")}


# -- bulk operations and export ------------------------------------------------------------
def safe_back(value: str | None, action_id: int) -> str:
    """The list URL to return to: a path of this site only (never an open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return f"/web/action/{action_id}"
    return value


def back_args(back: str) -> MultiDict:
    """The query string of the list URL a bulk operation came from."""
    return MultiDict(parse_qsl(urlsplit(back).query, keep_blank_values=True))


def selected(request: Request, action: Any, every: bool) -> tuple[ListQuery, Any]:
    """The list's search (from ``back``) and the records a bulk operation acts on: the
    ticked rows, or with ``every`` all records matching the search, in the list's order."""
    back = safe_back(request.values.get("back"), action.id)
    query = list_query(request, action, back_args(back))
    if every:
        return query, query.model.search(query.domain, order=query.order)
    ids = [int(i) for i in request.values.getlist("ids") if i.isdigit()]
    model = query.model.with_context(active_test=False)
    return query, model.search([("id", "in", ids)], order=query.order) if ids \
        else model.browse()


@route("/web/action/<int:action_id>/bulk", methods=("POST",), auth="user")
def bulk(request: Request, action_id: int) -> Response:
    action = _action(request, action_id)
    back = safe_back(request.form.get("back"), action_id)
    operation = request.form.get("operation")
    query, records = selected(request, action, request.form.get("all") == "1")
    if operation in ("export_xlsx", "export_csv"):
        if not records:
            raise UserError(_("Select the records to export, or tick “all records matching "
                              "the search”.", lang=request.lang))
        return export.response(records, export.chosen_fields(query.model, query.view),
                               operation[len("export_"):], request.lang,
                               request.env.context.get("tz"))
    extra = {op.key: op for op in bulk_operations(request, action.res_model)}
    if operation in extra:
        if not records:
            raise UserError(_("Select the records first.", lang=request.lang))
        return redirect(extra[operation].url.replace(
            "{ids}", ",".join(str(i) for i in records.ids)), code=303)
    if operation not in ("archive", "unarchive", "delete"):
        raise ValidationError(_("Unknown operation.", lang=request.lang))
    if records:
        if operation == "delete":
            records.unlink()
        else:
            records.write({"active": operation == "unarchive"})
    return redirect(back, code=303)


@route("/web/action/<int:action_id>/export", methods=("GET", "POST"), auth="user")
def export_dialog(request: Request, action_id: int) -> Response:
    """The export dialog: scope, format and fields, pre-ticked with the last choice."""
    action = _action(request, action_id)
    every = request.values.get("all") == "1" or not request.values.getlist("ids")
    query, records = selected(request, action, False)
    chosen = [f.path for f in export.chosen_fields(query.model, query.view)]
    return _export_page(request, action, query, records, "all" if every else "selected",
                        chosen)


@route("/web/action/<int:action_id>/export/download", methods=("POST",), auth="user")
def export_download(request: Request, action_id: int) -> Response:
    action = _action(request, action_id)
    scope = "all" if request.form.get("scope") == "all" else "selected"
    query, records = selected(request, action, scope == "all")
    offered = export.index(export.exportable(query.model))
    paths = [p for p in dict.fromkeys(request.form.getlist("fields")) if p in offered]
    kind = "csv" if request.form.get("format") == "csv" else "xlsx"
    if not paths:
        query, records = selected(request, action, False)
        return _export_page(request, action, query, records, scope, [], status=422,
                            error=_("Choose at least one field to export.",
                                    lang=request.lang))
    request.env["ir.exports"].remember(action.res_model, paths)
    return export.response(records, [offered[p] for p in paths], kind, request.lang,
                           request.env.context.get("tz"))


def _export_page(request: Request, action: Any, query: ListQuery, records: Any, scope: str,
                 chosen: list[str], status: int = 200, error: str = "") -> Response:
    offered = export.exportable(query.model)
    by_path = export.index(offered)
    ticked = [by_path[p] for p in chosen if p in by_path]
    rest = []
    for item in offered:
        children = [c for c in item.children if c.path not in chosen]
        if item.path not in chosen or children:
            rest.append({"field": item, "ticked": item.path in chosen, "children": children})
    page = {**_context(request, action),
            "title": _("Export %(name)s", name=action.name, lang=request.lang)}
    return request.render(
        "client/export.html", status=status, **page, ticked=ticked,
        rest=rest, scope=scope, ids=records.ids,
        total=query.model.search_count(query.domain), error=error,
        back=safe_back(request.values.get("back"), action.id))
