"""``comptoir check`` for views and menus, read statically from the addons' data files.

Ids: ``views.E001`` a ``<field>`` (or an attribute naming a field) that the model does
not have; ``views.E002`` an arch that breaks the RelaxNG schema of its type (or has no
known type); ``views.E003`` an extension spec (xpath or element) matching nothing in its
parent, checked when the parent is in the same addon or a dependency; ``views.E004`` a
``<menuitem>`` whose action or parent is not defined; ``views.E005`` a modifier that is
neither a boolean nor a domain; ``views.E006`` a view of an unknown model;
``views.E007`` a smart button (``<button type="action">``) naming no window action
(``addon.xml_id``), or whose ``count_field`` is not a field of the action's model.
Lines are those of the data file.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from lxml import etree

from ..exceptions import ValidationError
from ..modules.hookspecs import CheckMessage
from .inherit import apply_inheritance, locate, specs_of
from .validate import (VIEW_TYPES, Problem, field_problems, model_at, modifier_problems,
                       schema_problems)


class _Checker:
    def __init__(self, registry: Any) -> None:
        self.models = registry.models
        self.messages: list[CheckMessage] = []
        self.defined: dict[str, str] = {}      # xml id -> model
        self.roots: dict[str, str] = {}        # view xml id -> xml id of its primary view
        self.archs: dict[str, etree._Element] = {}   # primary xml id -> combined arch
        self.view_models: dict[str, tuple[str, str]] = {}  # view xml id -> (model, type)
        self.action_models: dict[str, str] = {}  # window action xml id -> res_model
        self.smart: list[tuple[etree._Element, Path]] = []  # checked at the end

    def report(self, code: str, problem: Problem, path: Path) -> None:
        self.messages.append(CheckMessage(code, problem.message, str(path), problem.line,
                                          problem.hint))

    # -- files ---------------------------------------------------------------------------
    def file(self, path: Path, addon: str) -> None:
        try:
            tree = etree.parse(str(path), etree.XMLParser(remove_comments=True))
        except etree.XMLSyntaxError:
            return  # data.E101 says so
        for node in _items(tree.getroot()):
            if node.tag == "menuitem":
                self.menuitem(node, path, addon, None)
            elif node.tag == "record" and node.get("id"):
                xml_id = _qualify(node.get("id"), addon)
                if node.get("model") == "ir.ui.view":
                    self.view(node, xml_id, path, addon)
                elif node.get("model") == "ir.actions.act_window":
                    model = node.find("field[@name='res_model']")
                    self.action_models[xml_id] = (model.text or "").strip() \
                        if model is not None else ""
                self.defined[xml_id] = node.get("model") or ""

    def menuitem(self, node: etree._Element, path: Path, addon: str, parent: str | None
                 ) -> None:
        for attribute, model in (("action", "ir.actions.act_window"),
                                 ("parent", "ir.ui.menu")):
            ref = node.get(attribute)
            if ref and self.defined.get(_qualify(ref, addon)) != model:
                self.report("views.E004", Problem(
                    f"<menuitem {attribute}=\"{ref}\">: no {model} record has this external id "
                    "in this addon or its dependencies", node.sourceline), path)
        xml_id = _qualify(node.get("id") or "", addon)
        self.defined[xml_id] = "ir.ui.menu"
        for child in node.iterchildren("menuitem"):
            self.menuitem(child, path, addon, xml_id)

    # -- views -------------------------------------------------------------------------
    def view(self, record: etree._Element, xml_id: str, path: Path, addon: str) -> None:
        values = {f.get("name"): f for f in record.iterchildren("field")}
        arch = _arch(values.get("arch"))
        if arch is None:
            return
        parent_ref = values["inherit_id"].get("ref") if "inherit_id" in values else None
        parent = _qualify(parent_ref, addon) if parent_ref else None
        mode = (values["mode"].text or "").strip() if "mode" in values else ""
        model = (values["model"].text or "").strip() if "model" in values else ""
        view_type = (values["type"].text or "").strip() if "type" in values else ""
        if parent:
            if parent not in self.roots:
                return  # defined elsewhere (or in the database): cannot be checked here
            model, view_type = model or self.view_models[parent][0], self.view_models[parent][1]
        view_type = view_type or arch.tag
        if model not in self.models:
            self.report("views.E006", Problem(f"view of unknown model '{model}'",
                                              record.sourceline), path)
            return
        if view_type not in VIEW_TYPES:
            self.report("views.E002", Problem(f"unknown view type '{view_type}' (valid: "
                                              f"{', '.join(VIEW_TYPES)})", arch.sourceline),
                        path)
            return
        self.view_models[xml_id] = (model, view_type)
        if not parent:
            self.roots[xml_id] = xml_id
            self.archs[xml_id] = copy.deepcopy(arch)
            self.check_arch(arch, view_type, model, path)
            return
        root = self.roots[parent]
        if mode == "primary":
            self.roots[xml_id] = xml_id
            self.archs[xml_id] = copy.deepcopy(self.archs[root])
            root = xml_id
        else:
            self.roots[xml_id] = root
        self.extend(root, arch, model, view_type, path, xml_id)

    def check_arch(self, arch: etree._Element, view_type: str, model: str, path: Path) -> None:
        for problem in schema_problems(arch, view_type):
            self.report("views.E002", problem, path)
        for problem in field_problems(arch, model, self.models):
            self.report("views.E001", problem, path)
        for problem in modifier_problems(arch):
            self.report("views.E005", problem, path)
        self.smart.extend((button, path) for button in arch.iter("button")
                          if button.get("type") == "action")

    def smart_buttons(self) -> None:
        """Smart buttons, once every addon's actions are known."""
        for button, path in self.smart:
            name, count_field = button.get("name") or "", button.get("count_field")
            if name.isdigit():
                continue
            model = self.action_models.get(name) if "." in name else None
            if model is None:
                self.report("views.E007", Problem(
                    f"<button type=\"action\" name=\"{name}\">: no window action has this "
                    "external id", button.sourceline, "write it as addon.xml_id"), path)
            elif count_field and (model not in self.models or count_field not in
                                  self.models[model]._fields):
                self.report("views.E007", Problem(
                    f"count_field '{count_field}' is not a field of {model}",
                    button.sourceline), path)

    def extend(self, root: str, spec_arch: etree._Element, model: str, view_type: str,
               path: Path, xml_id: str) -> None:
        combined = self.archs[root]
        valid_before = not schema_problems(combined, view_type)
        for spec in specs_of(spec_arch):
            target = locate(combined, spec)
            if target is None:
                what = f"xpath {spec.get('expr')!r}" if spec.tag == "xpath" else f"<{spec.tag}>"
                self.report("views.E003", Problem(
                    f"{what} matches nothing in the parent view", spec.sourceline,
                    f"the parent is {root}"), path)
                return
            self.check_content(spec, target, model, path)
            try:
                combined = apply_inheritance(combined, spec, xml_id)
            except ValidationError as exc:
                self.report("views.E003", Problem(str(exc), spec.sourceline), path)
                return
        self.archs[root] = combined
        if valid_before:
            for problem in schema_problems(combined, view_type):
                self.report("views.E002", problem, path)

    def check_content(self, spec: etree._Element, target: etree._Element, model: str,
                      path: Path) -> None:
        """Field names in what a spec inserts, on the model of where it goes."""
        position = spec.get("position", "inside")
        if position == "attributes":
            return
        owner = model_at(target, model, self.models)
        if position == "inside" and target.tag == "field" and owner in self.models:
            field = self.models[owner]._fields.get(target.get("name"))
            owner = field.comodel_name if field is not None and field.relational else None
        for child in spec:
            if isinstance(child.tag, str) and child.get("position") != "move":
                for problem in field_problems(child, owner, self.models):
                    self.report("views.E001", problem, path)
                for problem in modifier_problems(child):
                    self.report("views.E005", problem, path)
                self.smart.extend((button, path) for button in child.iter("button")
                                  if button.get("type") == "action")


def check_view_files(registry: Any, order: Iterable[str], available: Mapping[str, Any]
                     ) -> list[CheckMessage]:
    """Every view and menu problem of these addons' XML data files (in load order)."""
    checker = _Checker(registry)
    for addon in order:
        manifest = available[addon]
        for relative in (*manifest.data, *manifest.demo):
            path = manifest.path / relative
            if path.suffix == ".xml" and path.is_file():
                checker.file(path, addon)
    checker.smart_buttons()
    return checker.messages


def _items(root: etree._Element) -> Iterator[etree._Element]:
    for node in root:
        if not isinstance(node.tag, str):
            continue
        if node.tag == "data":
            yield from _items(node)
        else:
            yield node


def _qualify(xml_id: str, addon: str) -> str:
    return xml_id if "." in xml_id else f"{addon}.{xml_id}"


def _arch(field: etree._Element | None) -> etree._Element | None:
    if field is None:
        return None
    children = [c for c in field if isinstance(c.tag, str)]
    if len(children) == 1:
        return children[0]
    if children:
        wrapper = etree.Element("data")
        wrapper.extend(copy.deepcopy(c) for c in children)
        return wrapper
    return None

