"""Views generated for a model that has none of the requested type.

List: the name field and a few stored fields; form: every stored field in a group;
search: the name field. Kanban, graph and pivot get a minimal arch, calendar one on the
first date field; a dashboard has no default.

Custom fields an admin has not placed yet are added to every form (a "Custom fields"
group at the end), list (optional columns, hidden until the user shows them) and search
view (group-by choices), generated or not: see :func:`add_custom_fields`.
"""
from __future__ import annotations

from typing import Any

from lxml import etree

from ..exceptions import ValidationError
from ..i18n.translate import _, _lt

MAGIC_FIELDS = frozenset({"id", "create_uid", "create_date", "write_uid", "write_date",
                          "version", "display_name"})
LIST_EXTRA_FIELDS = 4
_LIST_TYPES = ("char", "selection", "many2one", "date", "datetime", "integer", "float",
               "monetary", "boolean")
_GROUP_BY_TYPES = ("char", "selection", "many2one", "boolean", "date", "datetime")
CUSTOM_GROUP = _lt("Custom fields")


def _stored(model: Any) -> list[Any]:
    return [f for name, f in model._fields.items()  # custom fields: add_custom_fields
            if name not in MAGIC_FIELDS and f.store and f.type != "one2many"
            and not getattr(f, "manual", False)]


def _name_field(model: Any) -> str:
    name = model._rec_name_field()
    return name if name != "id" else "display_name"


def default_arch(model: Any, view_type: str) -> etree._Element:
    """A generated arch of ``view_type`` for ``model`` (a recordset or model class)."""
    builder = _BUILDERS.get(view_type)
    arch = builder(model) if builder is not None else None
    if arch is None:
        raise ValidationError(_("%(model)s has no %(type)s view and none can be generated.",
                                model=model._name, type=view_type))
    return arch


def _list(model: Any) -> etree._Element:
    root = etree.Element("list")
    name = _name_field(model)
    etree.SubElement(root, "field", name=name)
    extra = [f.name for f in _stored(model) if f.type in _LIST_TYPES and f.name != name
             and f.name != "active"]
    for field_name in extra[:LIST_EXTRA_FIELDS]:
        etree.SubElement(root, "field", name=field_name)
    return root


def _form(model: Any) -> etree._Element:
    root = etree.Element("form")
    group = etree.SubElement(etree.SubElement(root, "sheet"), "group")
    for field in _stored(model):
        node = etree.SubElement(group, "field", name=field.name)
        if field.type == "many2many":
            node.set("widget", "many2many_tags")
    return root


def _search(model: Any) -> etree._Element:
    root = etree.Element("search")
    etree.SubElement(root, "field", name=_name_field(model))
    return root


def _kanban(model: Any) -> etree._Element:
    root = etree.Element("kanban")
    card = etree.SubElement(etree.SubElement(root, "templates"), "t")
    card.set("t-name", "card")
    etree.SubElement(card, "field", name=_name_field(model))
    return root


def _calendar(model: Any) -> etree._Element | None:
    dates = [f.name for f in _stored(model) if f.type in ("date", "datetime")]
    if not dates:
        return None
    root = etree.Element("calendar", date_start=dates[0])
    etree.SubElement(root, "field", name=_name_field(model))
    return root


def _measures(tag: str) -> Any:
    def build(model: Any) -> etree._Element:
        root = etree.Element(tag)
        groupable = [f.name for f in _stored(model) if f.type in ("many2one", "selection")]
        if groupable:
            etree.SubElement(root, "field", name=groupable[0], type="row")
        return root
    return build


_BUILDERS = {"list": _list, "form": _form, "search": _search, "kanban": _kanban,
             "calendar": _calendar, "graph": _measures("graph"), "pivot": _measures("pivot")}


def add_custom_fields(arch: etree._Element, model: Any, view_type: str) -> None:
    """Give the custom fields (``manual``) that ``arch`` does not name their automatic
    place, until an admin places them with an inheriting view."""
    manual = [f for f in model._fields.values() if getattr(f, "manual", False)]
    if not manual or view_type not in ("form", "list", "search"):
        return
    if view_type == "search":
        _custom_group_by(arch, [f for f in manual if f.type in _GROUP_BY_TYPES])
        return
    placed = {node.get("name") for node in arch.iter("field")
              if not any(a.tag == "field" for a in node.iterancestors())}
    missing = [f for f in manual if f.name not in placed]
    if view_type == "list":
        for field in missing:
            etree.SubElement(arch, "field", name=field.name, optional="hide")
    elif missing:
        sheet = arch.find("sheet")
        group = etree.SubElement(arch if sheet is None else sheet, "group",
                                 name="custom_fields", string=CUSTOM_GROUP)
        for field in missing:
            node = etree.SubElement(group, "field", name=field.name)
            if field.type == "many2many":
                node.set("widget", "many2many_tags")


def _custom_group_by(arch: etree._Element, candidates: list[Any]) -> None:
    """Group-by choices, next to the view's own (in their group, when it has one)."""
    contexts = [node.get("context") or "" for node in arch.iter("filter")]
    wanted = [f for f in candidates if not any(f"'{f.name}'" in c for c in contexts)]
    if not wanted:
        return
    group = next((node.getparent() for node in arch.iter("filter")
                  if "group_by" in (node.get("context") or "")
                  and node.getparent().tag == "group"), None)
    if group is None:
        group = etree.SubElement(arch, "group", name="custom_group_by",
                                 string=CUSTOM_GROUP, expand="0")
    for field in wanted:
        etree.SubElement(group, "filter", name=f"group_by_{field.name}", string=field.string,
                         context=repr({"group_by": field.name}))
