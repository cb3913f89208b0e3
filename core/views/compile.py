"""Compiling a view for one user: combine, filter by groups, translate, describe fields.

:func:`get_view` picks the primary view (the one asked for, else the lowest priority
primary view of the model and type, else a generated one), applies its extensions in
(priority, id) order (skipping those restricted to groups the user is not in), removes
nodes whose ``groups`` the user is not in and fields the user may not see, translates
labels into the environment's language and gives ``<field>`` nodes their label.

The result is cached per registry and ``(model, type, view id, user's groups,
language)``: a warm call sends no query. Saving any view clears the cache; a transaction
that changed views compiles into a cache of its own, so nothing it saw outlives a
rollback.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field as dataclass_field
from typing import TYPE_CHECKING, Any, Callable, Mapping

from lxml import etree

from ..exceptions import ValidationError
from ..i18n.translate import _
from ..orm import signals
from ..security import access
from .defaults import add_custom_fields, default_arch
from .inherit import _detach, apply_inheritance
from .validate import SUBVIEW_TAGS, model_at, parse_arch, walk_fields

if TYPE_CHECKING:
    from ..orm import Environment

TRANSLATED_ATTRIBUTES = ("string", "help", "placeholder", "confirm", "title", "sum", "avg")
TRANSLATED_TEXT = frozenset({"label", "button", "h1", "h2", "h3", "p", "span", "separator"})
_CHANGED = "views_changed"


@dataclass
class CompiledView:
    """A view ready to render for one user and language (treat it as read-only)."""

    model: str
    type: str
    view_id: int
    arch: etree._Element
    fields: dict[str, dict] = dataclass_field(default_factory=dict)

    @property
    def arch_string(self) -> str:
        return etree.tostring(self.arch, encoding="unicode")

    def copy(self) -> "CompiledView":
        return CompiledView(self.model, self.type, self.view_id, copy.deepcopy(self.arch),
                            copy.deepcopy(self.fields))


@dataclass(frozen=True)
class ViewRow:
    """What combining needs of an ``ir.ui.view`` record."""

    id: int
    name: str
    model: str
    type: str
    arch: str
    inherit_id: int | None
    mode: str
    priority: int
    group_ids: frozenset[int]


ROW_FIELDS = ["name", "model", "type", "arch", "inherit_id", "mode", "priority", "groups_id"]


def rows_of(records: Any) -> dict[int, ViewRow]:
    return {values["id"]: ViewRow(values["id"], values["name"] or "", values["model"] or "",
                                  values["type"] or "", values["arch"] or "",
                                  values["inherit_id"] or None, values["mode"] or "primary",
                                  values["priority"] or 0, frozenset(values["groups_id"]))
            for values in records.read(ROW_FIELDS, load="_classic_write")}


def label(row: ViewRow) -> str:
    return f"'{row.name}' (id {row.id})" if row.name else f"(id {row.id})"


# -- combining ------------------------------------------------------------------------
def primary_view(rows: Mapping[int, ViewRow], view_type: str) -> ViewRow | None:
    candidates = [r for r in rows.values() if r.mode == "primary" and r.type == view_type]
    return min(candidates, key=lambda r: (r.priority, r.id), default=None)


def root_of(rows: Mapping[int, ViewRow], view_id: int) -> ViewRow:
    """The primary view an extension (or chain of extensions) applies to."""
    row, seen = rows[view_id], set()
    while row.mode != "primary" and row.inherit_id in rows and row.id not in seen:
        seen.add(row.id)
        row = rows[row.inherit_id]  # type: ignore[index]
    return row


def combined_arch(rows: Mapping[int, ViewRow], root: ViewRow,
                  applies: Callable[[ViewRow], bool] = lambda row: True) -> etree._Element:
    """The arch of ``root`` with its extensions applied, recursively, in (priority, id)
    order; a primary view inheriting another starts from that view's combined arch."""
    children: dict[int, list[ViewRow]] = {}
    for row in sorted(rows.values(), key=lambda r: (r.priority, r.id)):
        if row.mode == "extension" and row.inherit_id:
            children.setdefault(row.inherit_id, []).append(row)
    return _combine(rows, root, children, applies, set())


def _combine(rows: Mapping[int, ViewRow], root: ViewRow, children: dict[int, list[ViewRow]],
             applies: Callable[[ViewRow], bool], seen: set[int]) -> etree._Element:
    if root.id in seen:
        raise ValidationError(_("View %(view)s inherits from itself.", view=label(root)))
    seen.add(root.id)
    if root.inherit_id and root.inherit_id in rows:
        parent = root_of(rows, root.inherit_id)
        arch = _combine(rows, parent, children, applies, seen)
        arch = apply_inheritance(arch, parse_arch(root.arch, label(root)), label(root))
    else:
        arch = parse_arch(root.arch, label(root))
    return _apply_children(arch, root, children, applies)


def _apply_children(arch: etree._Element, view: ViewRow, children: dict[int, list[ViewRow]],
                    applies: Callable[[ViewRow], bool]) -> etree._Element:
    for child in children.get(view.id, ()):
        if applies(child):
            arch = apply_inheritance(arch, parse_arch(child.arch, label(child)), label(child))
            arch = _apply_children(arch, child, children, applies)
    return arch


# -- per user -------------------------------------------------------------------------------
def groups_key(env: "Environment") -> Any:
    return "su" if env.su else access.user_group_ids(env, env.uid)


def in_groups(env: "Environment", group_ids: frozenset[int]) -> bool:
    return env.su or not group_ids or bool(group_ids & access.user_group_ids(env, env.uid))


def groups_allow(env: "Environment", groups: str) -> bool:
    """Odoo's ``groups="a.b,!c.d"``: in one of the groups, or outside a ``!`` one."""
    if env.su:
        return True
    for xml_id in (g.strip() for g in groups.split(",")):
        if xml_id and access.has_group(env, env.uid, xml_id.lstrip("!")) != \
                xml_id.startswith("!"):
            return True
    return False


def _translate_node(node: etree._Element, lang: str) -> None:
    for attribute in TRANSLATED_ATTRIBUTES:
        value = node.get(attribute)
        if value and value.strip() and not (attribute in ("sum", "avg") and node.tag != "field"):
            node.set(attribute, _(value.strip(), lang=lang))
    if node.tag in TRANSLATED_TEXT and node.text and node.text.strip():
        text = node.text.strip()
        node.text = node.text.replace(text, _(text, lang=lang))


def _postprocess(env: "Environment", node: etree._Element, model: Any) -> None:
    """Strip what the user may not see, translate, label fields (children of ``node``)."""
    for child in list(node):
        if not isinstance(child.tag, str):
            continue
        groups = child.attrib.pop("groups", None)
        if groups is not None and not groups_allow(env, groups):
            _detach(child)
            continue
        if child.tag == "field" and model is not None:
            field = model._fields.get(child.get("name"))
            if field is not None and not model._field_visible(field):
                _detach(child)
                continue
            if field is not None and not child.get("string"):
                child.set("string", _(field.string or field.name, lang=env.lang))
            comodel = env[field.comodel_name] if field is not None and field.relational \
                else None
            _translate_node(child, env.lang)
            for sub in child:
                if isinstance(sub.tag, str) and sub.tag in SUBVIEW_TAGS:
                    _translate_node(sub, env.lang)
                    _postprocess(env, sub, comodel)
            continue
        _translate_node(child, env.lang)
        _postprocess(env, child, model)


def _fields_of(env: "Environment", arch: etree._Element, model: str) -> dict[str, dict]:
    """``fields_get`` of the fields the arch names; x2many sub-views' fields under
    ``fields[name]['views'][type]['fields']``."""
    models = env.registry.models
    names = [(node.get(attr or "name"), owner) for node, attr, owner
             in walk_fields(arch, model, models) if owner == model]
    result = env[model].fields_get([n for n, _owner in names])
    for node in arch.iter("field"):
        name = node.get("name")
        subviews = [sub for sub in node if isinstance(sub.tag, str) and sub.tag in SUBVIEW_TAGS]
        if name not in result or not subviews or model_at(node, model, models) != model:
            continue
        comodel = result[name].get("relation")
        result[name]["views"] = {sub.tag: {"fields": _fields_of_subview(env, sub, comodel)}
                                 for sub in subviews}
    return result


def _fields_of_subview(env: "Environment", sub: etree._Element, comodel: str) -> dict:
    names = [node.get("name") for node, attr, owner
             in walk_fields(sub, comodel, env.registry.models) if owner == comodel and not attr]
    return env[comodel].fields_get(names)


# -- the entry point -------------------------------------------------------------------------
def view_cache(env: "Environment") -> dict[Any, CompiledView]:
    if env.transaction.__dict__.get(_CHANGED):
        return env.transaction.__dict__.setdefault("views_cache", {})
    return env.registry.__dict__.setdefault("views_cache", {})


def clear_cache(env: "Environment") -> None:
    """Forget compiled views (any view changed): in the registry and for the rest of
    this transaction, which keeps its own cache from now on."""
    signals.caches_changed(env)  # this worker's caches, and every other's once committed
    env.transaction.__dict__[_CHANGED] = True
    env.transaction.__dict__.pop("views_cache", None)


def get_view(env: "Environment", model: str, view_type: str,
             view_id: int | None = None) -> CompiledView:
    """The compiled view of ``model`` and ``view_type`` for ``env``'s user and language.

    The object is shared through the cache (no copy per request): treat it as read-only,
    and call ``.copy()`` first to change it."""
    key = (model, view_type, view_id or 0, groups_key(env), env.lang)
    cache = view_cache(env)
    compiled = cache.get(key)
    if compiled is None:
        compiled = cache[key] = compile_view(env, model, view_type, view_id)
    return compiled


def compile_view(env: "Environment", model: str, view_type: str,
                 view_id: int | None = None) -> CompiledView:
    records = env(su=True)["ir.ui.view"]
    target = env[model]  # unknown model: UnknownModelError
    rows = rows_of(records.search([("model", "=", model)]))
    if view_id:
        if view_id not in rows:
            asked = rows_of(records.browse(view_id).exists())
            if not asked:
                raise ValidationError(_("View %(id)s does not exist.", id=view_id))
            raise ValidationError(_("View %(view)s is a view of %(other)s, not of %(model)s "
                                    "(or it is archived).", view=label(asked[view_id]),
                                    other=asked[view_id].model, model=model))
        root: ViewRow | None = root_of(rows, view_id)
        if root is not None and root.type != view_type:
            raise ValidationError(_("View %(view)s is a %(type)s view, not %(wanted)s.",
                                    view=label(root), type=root.type, wanted=view_type))
    else:
        root = primary_view(rows, view_type)
    if root is None:
        arch = default_arch(target, view_type)
    else:
        arch = combined_arch(rows, root, lambda row: in_groups(env, row.group_ids))
    add_custom_fields(arch, target, view_type)
    _translate_node(arch, env.lang)
    _postprocess(env, arch, target)
    return CompiledView(model, view_type, root.id if root else 0, arch,
                        _fields_of(env, arch, model))
