"""What the form's richer widgets need, computed in batches: one2many lines edited in
place (read, and parsed back into x2many commands), many2many tag names, currencies of
amounts, smart buttons' counts, modifiers checked again on save.

:class:`FormLayout` is what a compiled form view implies beyond its arch (line columns,
pictures, amounts' currency fields, smart buttons), worked out once per compiled view
and kept with it. Everything else runs as the request's user: the comodels' access
rights and record rules decide which lines, tags and counts a user sees and changes.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from lxml import etree

from ...exceptions import UserError, ValidationError
from ...i18n.translate import _
from ...views import eval_literal, today
from ..http import Request
from . import modifiers, values

_logger = logging.getLogger(__name__)
#: cells that cannot be edited inside a line (shown as text)
NOT_IN_CELLS = frozenset({"one2many", "many2many", "binary", "html", "json", "reference"})
DEFAULT_IMAGE_BYTES = 5 * 1024 * 1024


@dataclass
class LineSpec:
    """An inline one2many: its comodel and the columns shown (``(node, description)``)."""

    name: str
    comodel: str
    inverse: str
    columns: list[tuple[etree._Element, dict[str, Any]]]

    @property
    def editable_columns(self) -> list[tuple[etree._Element, dict[str, Any]]]:
        return [(node, d) for node, d in self.columns
                if not d.get("readonly") and d["type"] not in NOT_IN_CELLS
                and node.get("readonly") not in ("1", "True")]


@dataclass
class FormLayout:
    """What a compiled form implies beyond its arch; built once per compiled view."""

    nodes: dict[str, etree._Element] = field(default_factory=dict)
    lines: dict[str, LineSpec] = field(default_factory=dict)
    images: dict[str, int] = field(default_factory=dict)
    monetary: dict[str, str] = field(default_factory=dict)
    extra_names: list[str] = field(default_factory=list)
    smart: list[etree._Element] = field(default_factory=list)
    #: whether a field node has a readonly or required modifier (checked again on save)
    modified: bool = False


def _top_level(node: etree._Element) -> Iterator[etree._Element]:
    """The form's own elements, not those of x2many sub-views."""
    for child in node:
        if not isinstance(child.tag, str):
            continue
        yield child
        if child.tag == "field":
            continue
        yield from _top_level(child)


def layout_of(env: Any, form: Any) -> FormLayout:
    """The layout of a compiled form view, computed on first use and kept on the view
    object (which the view cache shares: it lives exactly as long as the arch it
    describes, and is per user groups and language like it)."""
    layout = form.__dict__.get("_form_layout")
    if layout is None:
        layout = form.__dict__["_form_layout"] = _build_layout(env, form)
    return layout


def _build_layout(env: Any, form: Any) -> FormLayout:
    layout = FormLayout()
    model = env[form.model]
    for node in _top_level(form.arch):
        if node.tag == "button" and node.get("type") == "action" and node.get("name"):
            layout.smart.append(node)
        if node.tag != "field" or node.get("name") not in form.fields:
            continue
        name = node.get("name")
        layout.nodes.setdefault(name, node)
        layout.modified = layout.modified or bool(node.get("readonly") or
                                                  node.get("required"))
        description = form.fields[name]
        kind = description["type"]
        if kind == "binary" and (node.get("widget") == "image" or description.get("image")):
            layout.images[name] = getattr(model._fields[name], "max_bytes",
                                          DEFAULT_IMAGE_BYTES)
        elif kind == "monetary":
            currency_field = description.get("currency_field") or "currency_id"
            target = model._fields.get(currency_field)
            if target is not None and model._field_visible(target):
                layout.monetary[name] = currency_field
                if currency_field not in form.fields and \
                        currency_field not in layout.extra_names:
                    layout.extra_names.append(currency_field)
        elif kind == "one2many" and name not in layout.lines:
            layout.lines[name] = _line_spec(env, model, node, description)
    return layout


def _line_spec(env: Any, model: Any, node: etree._Element,
               description: dict[str, Any]) -> LineSpec:
    """Columns from the field's embedded ``<list>`` if any, else the comodel's list view
    (without the column pointing back to the record)."""
    comodel = description["relation"]
    inverse = model._fields[node.get("name")].inverse_name
    embedded = next((sub for sub in node if isinstance(sub.tag, str) and sub.tag == "list"),
                    None)
    if embedded is not None:
        described = description.get("views", {}).get("list", {}).get("fields", {})
        arch = embedded
    else:
        view = env["ir.ui.view"].get_view(comodel, "list")
        described, arch = view.fields, view.arch
    columns = []
    for column in arch:
        if not isinstance(column.tag, str) or column.tag != "field":
            continue
        name = column.get("name")
        if name not in described or name == inverse or column.get("optional") == "hide" \
                or "1" in (column.get("invisible"), column.get("column_invisible")) \
                or "True" in (column.get("invisible"), column.get("column_invisible")):
            continue
        columns.append((column, described[name]))
    return LineSpec(node.get("name"), comodel, inverse, columns)


# -- reading ------------------------------------------------------------------------------
@dataclass
class Row:
    """One line as the template shows it: ``key`` is its id, or ``new<n>`` before it is
    saved; ``values`` as ``read()`` gives them; ``raw``: texts of invalid cells."""

    key: str
    values: dict[str, Any]
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class Posted:
    """What the user sent for a one2many, shown again when saving failed: the rows as
    typed and the lines they removed (still to remove on the next save)."""

    rows: list[Row]
    deleted: list[int]


@dataclass
class Lines:
    spec: LineSpec
    readable: bool
    rights: dict[str, bool]
    rows: list[Row]
    blank: Row
    deleted: list[int] = field(default_factory=list)


def lines_of(env: Any, layout: FormLayout, form: Any, record: Any, data: dict[str, Any],
             posted: Mapping[str, Posted]) -> dict[str, Lines]:
    """Every inline one2many of the form, with the lines' ids put in ``data`` (for the
    modifiers): one query per field, whatever the number of lines (and the names of
    many2one cells, one query per model). Archived lines are left out, as in a list."""
    result = {}
    for name, spec in layout.lines.items():
        comodel = env[spec.comodel]
        readable = comodel._check_access("read", raise_exception=False)
        rights = {op: comodel._check_access(op, raise_exception=False)
                  for op in ("create", "write", "unlink")}
        names = [node.get("name") for node, _d in spec.columns]
        rows: list[Row] = []
        if name in posted:
            rows = posted[name].rows
        elif readable and record:
            found = comodel.search_fetch([(spec.inverse, "=", record.id)], names)
            rows = [Row(str(line["id"]), line) for line in found.read(names)] if found else []
        data[name] = [int(row.key) if row.key.isdigit() else 0 for row in rows]
        blank = Row("__key__", dict(comodel.default_get(names)) if rights["create"] else {})
        result[name] = Lines(spec, readable, rights, rows, blank,
                             posted[name].deleted if name in posted else [])
    return result


def names_of(env: Any, model: str, ids: Any) -> dict[int, str]:
    """Display names of records the user may read (others are left out)."""
    ids = [i for i in dict.fromkeys(ids) if isinstance(i, int)]
    if not ids:
        return {}
    records = env[model].with_context(active_test=False)
    try:
        return dict(records.browse(ids).name_get())
    except UserError:  # some are gone or hidden by rules: keep the readable ones
        try:
            return dict(records.search([("id", "in", ids)]).name_get())
        except UserError:
            return {}


def many2one_value(env: Any, model: str, value: Any) -> Any:
    """A posted many2one id as ``read()`` gives it: ``(id, name)``."""
    if isinstance(value, (list, tuple)) or not value:
        return value
    return (value, names_of(env, model, [value]).get(value, str(value)))


def tag_names(env: Any, form: Any, data: Mapping[str, Any]) -> dict[str, list[tuple]]:
    """``{field: [(id, name)]}`` of the many2many fields: one lookup per comodel."""
    by_model: dict[str, set[int]] = {}
    for name, description in form.fields.items():
        if description["type"] == "many2many":
            by_model.setdefault(description["relation"], set()).update(
                i for i in data.get(name) or [] if isinstance(i, int))
    names = {model: names_of(env, model, ids) for model, ids in by_model.items()}
    return {name: [(i, names[d["relation"]][i]) for i in data.get(name) or []
                   if i in names[d["relation"]]]
            for name, d in form.fields.items() if d["type"] == "many2many"}


def currencies_of(env: Any, layout: FormLayout, record: Any,
                  data: Mapping[str, Any]) -> dict[str, str]:
    """``{monetary field: ISO code}``: the record's currency, else the user's company's."""
    if not layout.monetary:
        return {}
    ids = {name: _id(data.get(currency)) for name, currency in layout.monetary.items()}
    codes = {row["id"]: row["name"] for row in env["res.currency"].browse(
        sorted({i for i in ids.values() if i})).read(["name"])} if any(ids.values()) else {}
    fallback = ""
    if not all(ids.values()):
        fallback = env.company.currency_id.name or ""   # the user's own company
    return {name: codes.get(currency_id, "") if currency_id else fallback
            for name, currency_id in ids.items()}


def _id(value: Any) -> int | None:
    if isinstance(value, (list, tuple)):
        return value[0] if value else None
    return value or None


# -- smart buttons ------------------------------------------------------------------------------
def smart_buttons(request: Request, layout: FormLayout, record: Any) -> dict[str, dict]:
    """``{button key: {count, url}}`` for the ``type="action"`` buttons the user may
    follow: the action's records (those whose ``count_field`` is this record), counted
    in one query per button, and the list to open."""
    if not record or not layout.smart:
        return {}
    from ...security.access import user_group_ids
    env = request.env
    groups = user_group_ids(env, env.uid)
    menu = request.args.get("menu", "")
    names = {"uid": env.uid, "context_today": today(env.context.get("tz") or None)}
    result = {}
    for node in layout.smart:
        target = _smart_action(env, node.get("name"))
        if target is None or (target["groups"] and not target["groups"] & groups):
            continue
        model = env[target["model"]]
        if not model._check_access("read", raise_exception=False):
            continue
        count_field = node.get("count_field")
        url = f"/web/action/{target['id']}?menu={menu}"
        count = None
        if count_field:
            try:
                domain = list(eval_literal(target["domain"], names, default=[]) or [])
                count = model.search_count(domain + [(count_field, "=", record.id)])
            except ValidationError:
                _logger.warning("smart button %s of %s: bad action domain or count_field",
                                node.get("name"), record._name, exc_info=True)
                continue
            url += f"&c={count_field}|%3D|{record.id}"
        result[smart_key(node)] = {"count": count, "url": url}
    return result


def smart_key(node: etree._Element) -> str:
    return f"{node.get('name')}|{node.get('count_field') or ''}"


def _smart_action(env: Any, name: str) -> dict[str, Any] | None:
    """A window action by external id (or id), cached with the security data (cleared
    whenever actions change): no query once known."""
    from ...security.access import cache_of
    cache = cache_of(env)
    key = ("smart_action", name)
    if key not in cache:
        root = env(su=True)
        action = None
        if name.isdigit():
            action = root["ir.actions.act_window"].browse(int(name)).exists() or None
        elif "." in name:
            found = root["ir.model.data"]._xmlid_lookup(name)
            if found and found[0] == "ir.actions.act_window":
                action = root["ir.actions.act_window"].browse(found[1]).exists() or None
        cache[key] = None if action is None or action.res_model not in env else {
            "id": action.id, "model": action.res_model, "domain": action.domain or "",
            "groups": frozenset(action.groups_id.ids)}
    return cache[key]


# -- saving --------------------------------------------------------------------------------
def parse_lines(request: Request, spec: LineSpec, record: Any,
                errors: dict[str, str]) -> tuple[list[tuple], Posted]:
    """The x2many commands for what the user did to the lines: ``(0, 0, vals)`` for new
    lines, ``(1, id, changed values)`` for edited ones, ``(2, id)`` for removed ones.
    Only lines of this record are touched; lines added by someone else meanwhile stay.
    Errors go to ``errors`` as ``<field>.<row key>.<column>``."""
    env, form = request.env, request.form
    comodel = env[spec.comodel]
    names = [node.get("name") for node, _d in spec.columns]
    current_ids = list(record[spec.name].ids) if record else []
    current = {row["id"]: row for row in comodel.browse(current_ids).read(names)} \
        if current_ids else {}
    deleted = {int(k) for k in form.getlist(f"{spec.name}__delete") if k.isdigit()}
    commands: list[tuple] = [(2, line_id) for line_id in current_ids if line_id in deleted]
    defaults = dict(comodel.default_get(names))
    can_write = comodel._check_access("write", raise_exception=False)
    rows: list[Row] = []
    for key in form.getlist(spec.name):
        if key.isdigit() and int(key) in current and int(key) not in deleted:
            base = current[int(key)]
            if not can_write:           # shown as text: nothing was sent to change
                rows.append(Row(key, dict(base)))
                continue
        elif key.startswith("new") and key[3:].isdigit():
            base = defaults
        else:
            continue
        vals, raw = _parse_row(request, spec, key, base, errors)
        if key.isdigit():
            changed = {n: v for n, v in vals.items() if not _same(v, base.get(n))}
            if changed:
                commands.append((1, int(key), changed))
        elif any(not _same(v, defaults.get(n)) for n, v in vals.items()) or raw:
            _check_required(spec, key, {**defaults, **vals}, errors, env.uid, request.lang)
            commands.append((0, 0, vals))
        else:
            continue                    # a new line left empty: ignored
        shown = dict(base)
        for node, description in spec.columns:
            name = node.get("name")
            if name in vals:
                shown[name] = many2one_value(env, description["relation"], vals[name]) \
                    if description["type"] == "many2one" else vals[name]
        rows.append(Row(key, shown, raw))
    return commands, Posted(rows, [i for i in current_ids if i in deleted])


def _parse_row(request: Request, spec: LineSpec, key: str, base: Mapping[str, Any],
               errors: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    form, lang = request.form, request.lang
    tz = request.env.context.get("tz") or "UTC"
    vals: dict[str, Any] = {}
    raw: dict[str, str] = {}
    for node, description in spec.editable_columns:
        name = node.get("name")
        if modifiers.state(node, base, request.env.uid)["readonly"]:
            continue
        cell = f"{spec.name}.{key}.{name}"
        if description["type"] != "boolean" and cell not in form:
            continue
        text = form.get(cell, "")
        try:
            vals[name] = values.parse(name, text, description, lang, tz)
        except ValidationError as exc:
            errors[cell] = str(exc)
            raw[name] = text
    if key.isdigit():
        _check_required(spec, key, {**base, **vals}, errors, request.env.uid, lang)
    return vals, raw


def _check_required(spec: LineSpec, key: str, line: Mapping[str, Any],
                    errors: dict[str, str], uid: int, lang: str) -> None:
    for node, description in spec.editable_columns:
        name = node.get("name")
        cell = f"{spec.name}.{key}.{name}"
        required = description.get("required") or modifiers.state(node, line, uid)["required"]
        if required and cell not in errors and description["type"] != "boolean" \
                and _empty(line.get(name)):
            errors[cell] = _("'%(field)s' is required.", field=description.get("string")
                             or name, lang=lang)


def _same(new: Any, old: Any) -> bool:
    if isinstance(old, (list, tuple)) and len(old) == 2:
        old = old[0]                    # a many2one as read() gives it
    if _empty(old) and (_empty(new) or new == 0):
        return True                     # 0 in a number cell without a default
    return new == old


def _empty(value: Any) -> bool:
    return value is None or value is False or value == "" or value == []


def apply_modifiers(request: Request, form: Any, layout: FormLayout, record: Any,
                    vals: dict[str, Any], errors: dict[str, str]) -> None:
    """Readonly and required modifiers evaluated on what is being saved: a field
    readonly at that moment is not written, a visible required one may not be empty."""
    if not layout.modified:
        return
    uid = request.env.uid
    names = [n for n in layout.nodes if n not in layout.images and n not in layout.lines]
    current = record.read(names, load="_classic_write")[0] if record else \
        dict(record.default_get(names))
    merged = {**current, **{name: (value[-1][2] if form.fields[name]["type"] == "many2many"
                                   and value and value[-1][0] == 6 else value)
                            for name, value in vals.items() if name in form.fields}}
    for name, node in layout.nodes.items():
        state = modifiers.state(node, merged, uid)
        description = form.fields[name]
        if state["readonly"] and name in vals and not node.get("force_save"):
            vals.pop(name)
        elif state["required"] and name not in errors and not description.get("readonly") \
                and description["type"] not in ("boolean", "one2many") \
                and _empty(merged.get(name)) and not _hidden(node, merged, uid):
            errors[name] = _("'%(field)s' is required.", field=node.get("string") or
                             description.get("string") or name, lang=request.lang)


def _hidden(node: etree._Element, data: Mapping[str, Any], uid: int) -> bool:
    """Whether the node, or a group or page around it, is invisible for these values
    (a required field the user cannot see is not asked for)."""
    while node is not None:
        if node.get("invisible") and modifiers.state(node, data, uid)["invisible"]:
            return True
        node = node.getparent()
    return False


def error_key(name: str | None, vals: Mapping[str, Any], form: Any,
              layout: FormLayout) -> str:
    """Where the ORM's error goes: next to the parent's field it names, else next to
    the inline lines having such a column, else at the top."""
    if name and name in form.fields and (name in vals or not any(
            name in {node.get("name") for node, _d in spec.columns}
            for spec in layout.lines.values())):
        return name
    for line_field, spec in layout.lines.items():
        if line_field in vals and name in {node.get("name") for node, _d in spec.columns}:
            return line_field
    return "__all__"
