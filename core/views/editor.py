"""The view editor's logic: a form or list arch seen as a layout (containers holding
fields), and a layout an admin arranged turned back into ONE extension view.

The extension holds xpath specs applied in order to the view as addons ship it: name the
unnamed groups it touches (positional paths are read before anything moves), insert new
groups, move groups and fields into the arranged order, add fields, hide or show fields
and groups. It has no external id, so upgrading an addon never overwrites it; the
addon's own changes still apply underneath (a field the addon adds later stays where the
addon put it). "Reset to default" deletes it.

Layout (what the editor page posts)::

    {"containers": [{"key": "//group[@name='main']" | "new:1", "label": "...",
                     "hidden": false, "fields": [{"name": "email", "hidden": false}]}]}
"""
from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from typing import Any
from xml.sax.saxutils import quoteattr

from lxml import etree

from ..exceptions import ValidationError
from ..i18n.translate import _

CUSTOMISATION_KEY = "comptoir.customisation"
CUSTOMISATION_PRIORITY = 10000


@dataclass
class Container:
    key: str
    label: str = ""
    hidden: bool = False
    fields: list[dict[str, Any]] = dataclass_field(default_factory=list)
    new: bool = False


def _top_fields(node: etree._Element) -> list[etree._Element]:
    """The ``field`` children of a container (not those of nested groups or subviews)."""
    return [child for child in node if child.tag == "field"]


def _is_hidden(node: etree._Element, view_type: str) -> bool:
    attribute = "column_invisible" if view_type == "list" else "invisible"
    return (node.get(attribute) or node.get("invisible") or "") in ("1", "True", "true")


def containers_of(arch: etree._Element, view_type: str) -> list[Container]:
    """The layout of an arch: for a list, its root; for a form, every ``group`` that
    directly holds fields (in document order), or the sheet/form when none does."""
    tree = arch.getroottree()
    if view_type == "list":
        return [Container("/*", arch.get("string") or "", False,
                          [{"name": f.get("name"), "hidden": _is_hidden(f, view_type)}
                           for f in _top_fields(arch)])]
    result = []
    for group in arch.iter("group"):
        fields = _top_fields(group)
        if not fields:
            continue
        key = f"//group[@name={quoteattr(group.get('name'))}]" if group.get("name") \
            else tree.getpath(group)
        result.append(Container(key, group.get("string") or "", _is_hidden(group, view_type),
                                [{"name": f.get("name"), "hidden": _is_hidden(f, view_type)}
                                 for f in fields]))
    return result


def parse_layout(data: Any, known_fields: set[str]) -> list[Container]:
    """The posted layout, checked: known fields only, each once, labels for new groups."""
    if not isinstance(data, dict) or not isinstance(data.get("containers"), list):
        raise ValidationError(_("The layout sent by the editor is not valid."))
    seen: set[str] = set()
    result = []
    for raw in data["containers"]:
        if not isinstance(raw, dict) or not isinstance(raw.get("key"), str) \
                or not isinstance(raw.get("fields"), list):
            raise ValidationError(_("The layout sent by the editor is not valid."))
        container = Container(raw["key"], str(raw.get("label") or "").strip(),
                              bool(raw.get("hidden")), [], raw["key"].startswith("new:"))
        if container.new and not container.label:
            raise ValidationError(_("Give the new group a title."))
        for item in raw["fields"]:
            name = item.get("name") if isinstance(item, dict) else None
            if name not in known_fields:
                raise ValidationError(_("Unknown field %(name)s.", name=name))
            if name in seen:
                raise ValidationError(_("Field %(name)s is placed twice.", name=name))
            seen.add(name)
            container.fields.append({"name": name, "hidden": bool(item.get("hidden"))})
        result.append(container)
    return result


def _field_path(name: str) -> str:
    # the view's own field, not a field of an embedded one2many list
    return f"//field[@name={quoteattr(name)}][not(ancestor::field)]"


def extension_arch(base: etree._Element, view_type: str, layout: list[Container]) -> str:
    """The extension arch that turns ``base`` into ``layout`` (empty when they match)."""
    before = containers_of(base, view_type)
    base_keys = {c.key: c for c in before}
    base_fields = {f["name"]: (c.key, f["hidden"]) for c in before for f in c.fields}
    specs: list[str] = []
    # 1. name the unnamed groups the layout refers to (positional paths, read first)
    path: dict[str, str] = {}
    for index, container in enumerate(layout):
        if container.new:
            path[container.key] = f"//group[@name='x_group_{index}']"
        elif container.key.startswith("//group[@name=") or container.key == "/*":
            path[container.key] = container.key
        elif container.key in base_keys:
            name = f"x_group_base_{index}"
            specs.append(f'<xpath expr={quoteattr(container.key)} position="attributes">'
                         f'<attribute name="name">{name}</attribute></xpath>')
            path[container.key] = f"//group[@name='{name}']"
        else:
            raise ValidationError(_("The view changed since the editor opened: reload it."))
        if not container.new and container.key not in base_keys:
            raise ValidationError(_("The view changed since the editor opened: reload it."))
    # 2. groups: new ones created, existing ones moved into the arranged order
    base_order = [c.key for c in before]
    previous: str | None = None
    for container in layout:
        target = path[container.key]
        if container.new:
            name = target.split("'")[1]
            group = f'<group name="{name}" string={quoteattr(container.label)}/>'
            if previous is None:
                anchor = "//sheet" if base.find(".//sheet") is not None else "/*"
                specs.append(f'<xpath expr="{anchor}" position="inside">{group}</xpath>')
            else:
                specs.append(f'<xpath expr={quoteattr(previous)} position="after">{group}'
                             '</xpath>')
        elif previous is not None and view_type != "list":
            index = base_order.index(container.key)
            base_previous = base_order[index - 1] if index else None
            if base_previous is None or path.get(base_previous) != previous:
                specs.append(f'<xpath expr={quoteattr(previous)} position="after">'
                             f'<xpath expr={quoteattr(target)} position="move"/></xpath>')
        if container.hidden != (base_keys[container.key].hidden if container.key in base_keys
                                else False):
            specs.append(f'<xpath expr={quoteattr(target)} position="attributes">'
                         f'<attribute name="invisible">{"1" if container.hidden else ""}'
                         '</attribute></xpath>')
        previous = target
    # 3. fields: each container's fields in the arranged order (appended in turn); a
    #    field taken off the view is hidden, not removed (modifiers may refer to it)
    hide_attribute = "column_invisible" if view_type == "list" else "invisible"
    placed = {f["name"] for c in layout for f in c.fields}
    for name, (_key, was_hidden) in base_fields.items():
        if name not in placed and not was_hidden:
            specs.append(f'<xpath expr={quoteattr(_field_path(name))} position="attributes">'
                         f'<attribute name="{hide_attribute}">1</attribute></xpath>')
    for container in layout:
        target = path[container.key]
        wanted = [f["name"] for f in container.fields]
        current = [f["name"] for f in base_keys[container.key].fields] \
            if container.key in base_keys else []
        if wanted != current:
            for name in wanted:
                node = f'<xpath expr={quoteattr(_field_path(name))} position="move"/>' \
                    if name in base_fields else f'<field name={quoteattr(name)}/>'
                specs.append(f'<xpath expr={quoteattr(target)} position="inside">{node}</xpath>')
        for item in container.fields:
            was_hidden = base_fields.get(item["name"], (None, False))[1]
            if item["hidden"] != was_hidden:
                specs.append(f'<xpath expr={quoteattr(_field_path(item["name"]))} '
                             f'position="attributes"><attribute name="{hide_attribute}">'
                             f'{"1" if item["hidden"] else ""}</attribute></xpath>')
    return f"<data>{''.join(specs)}</data>" if specs else ""


# -- stored as one extension view per model and view type -----------------------------------
def customisation(env: Any, model: str, view_type: str) -> Any:
    """The admin's extension of ``model``'s ``view_type`` view (empty recordset if none)."""
    return env(su=True)["ir.ui.view"].search([
        ("key", "=", CUSTOMISATION_KEY), ("model", "=", model), ("type", "=", view_type)],
        limit=1)


def base_arch(env: Any, model: str, view_type: str) -> tuple[int | None, etree._Element]:
    """The primary view's id and its arch as addons make it (the customisation aside,
    every group's extensions applied: the editor arranges what anyone may see)."""
    from .compile import combined_arch, primary_view, rows_of
    from .defaults import default_arch
    views = env(su=True)["ir.ui.view"]
    own = customisation(env, model, view_type)
    rows = rows_of(views.search([("model", "=", model)]) - own)
    root = primary_view(rows, view_type)
    if root is None:
        return None, default_arch(env[model], view_type)
    return root.id, combined_arch(rows, root)


def save_layout(env: Any, model: str, view_type: str, layout: list[Container]) -> Any:
    """Store ``layout`` as the customisation (validated like any view); none is kept
    when the layout is the addons' own."""
    root_id, arch = base_arch(env, model, view_type)
    views = env(su=True)["ir.ui.view"]
    if root_id is None:  # the model's generated view: store it so that it can be extended
        root_id = views.create({"name": f"{model}.{view_type} (generated)", "model": model,
                                "type": view_type, "priority": CUSTOMISATION_PRIORITY,
                                "arch": etree.tostring(arch, encoding="unicode")}).id
    spec = extension_arch(arch, view_type, layout)
    own = customisation(env, model, view_type)
    if not spec:
        own.unlink()
        return views.browse(())
    values = {"arch": spec, "inherit_id": root_id}
    if own:
        own.write(values)
        return own
    return views.create({**values, "name": f"{model}.{view_type}: customisation",
                         "key": CUSTOMISATION_KEY, "priority": CUSTOMISATION_PRIORITY})


def reset_layout(env: Any, model: str, view_type: str) -> bool:
    """Back to the addons' view; True when there was a customisation."""
    own = customisation(env, model, view_type)
    found = bool(own)
    own.unlink()
    return found
