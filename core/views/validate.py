"""Parsing and validating view architectures, without a database.

An arch is checked three ways, and every problem is reported at once: against the
RelaxNG schema of its type (``rng/<type>.rng``), for field names (every ``<field
name>``, and the attributes naming fields such as a calendar's ``date_start``, must exist
on the model; inside an x2many field's sub-view, on the comodel), and for modifiers
(``invisible``, ``readonly``, ``required``, ``column_invisible``: a boolean or a domain).
The same functions serve saving a view and ``comptoir check``.
"""
from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from lxml import etree

from ..exceptions import ValidationError
from ..i18n.translate import _

VIEW_TYPES = ("form", "list", "kanban", "search", "calendar", "graph", "pivot", "dashboard")
#: views an x2many field may embed; fields inside them belong to the comodel
SUBVIEW_TAGS = frozenset({"list", "form", "kanban"})
MODIFIERS = ("invisible", "readonly", "required", "column_invisible")
#: attributes (per element) that name a field of the model
FIELD_ATTRIBUTES = {
    "calendar": ("date_start", "date_stop", "date_delay", "color", "all_day"),
    "aggregate": ("field", "date_field"),
    "progressbar": ("field",),
}
_RNG_DIR = Path(__file__).with_name("rng")
_schemas: dict[str, etree.RelaxNG] = {}

Models = Mapping[str, Any]  # model name -> model class (``registry.models``)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an arch; ``line`` counts from the arch's first line."""

    message: str
    line: int | None = None
    hint: str | None = None

    def render(self, line_offset: int = 0) -> str:
        where = _("line %(line)s: ", line=self.line + line_offset) if self.line else ""
        hint = f"; {self.hint}" if self.hint else ""
        return f"{where}{self.message}{hint}"


def parse_arch(text: str | None, label: str) -> etree._Element:
    """The root element of an arch; several top-level elements (as an extension's
    ``<field type="xml">`` may hold) are wrapped in ``<data>``."""
    if not text or not text.strip():
        raise ValidationError(_("View %(view)s has an empty architecture.", view=label),
                              field="arch")
    parser = etree.XMLParser(remove_comments=True)
    try:
        return etree.fromstring(text.strip(), parser)
    except etree.XMLSyntaxError as exc:
        try:
            return etree.fromstring(f"<data>{text.strip()}</data>", parser)
        except etree.XMLSyntaxError:
            raise ValidationError(_("View %(view)s: the architecture is not well-formed XML "
                                    "(line %(line)s: %(error)s).", view=label,
                                    line=exc.lineno, error=exc.msg), field="arch") from None


def view_schema(view_type: str) -> etree.RelaxNG:
    """The RelaxNG schema of a view type (parsed once per process)."""
    if view_type not in _schemas:
        if view_type not in VIEW_TYPES:
            raise ValidationError(_("Unknown view type '%(type)s' (valid: %(types)s).",
                                    type=view_type, types=", ".join(VIEW_TYPES)), field="type")
        _schemas[view_type] = etree.RelaxNG(file=str(_RNG_DIR / f"{view_type}.rng"))
    return _schemas[view_type]


def schema_problems(arch: etree._Element, view_type: str) -> list[Problem]:
    schema = view_schema(view_type)
    if schema.validate(arch):
        return []
    return [Problem(_("does not follow the %(type)s view schema: %(error)s", type=view_type,
                      error=error.message), error.line or None)
            for error in schema.error_log]


def walk_fields(node: etree._Element, model: str | None, models: Models
                ) -> Iterator[tuple[etree._Element, str | None, str | None]]:
    """``(element, attribute, model)`` for each element naming a field (``attribute`` is
    None for ``<field name>``), with the model it belongs to: an x2many field's
    sub-views switch to the comodel (``None`` when it cannot be known)."""
    if not isinstance(node.tag, str):
        return
    if node.tag == "field" and node.get("name"):
        yield node, None, model
        cls = models.get(model) if model else None
        field = cls._fields.get(node.get("name")) if cls is not None else None
        comodel = field.comodel_name if field is not None and field.relational else None
        for child in node:
            if isinstance(child.tag, str) and child.tag in SUBVIEW_TAGS:
                yield from walk_fields(child, comodel, models)
        return
    for attribute in FIELD_ATTRIBUTES.get(node.tag, ()):
        if node.get(attribute):
            yield node, attribute, model
    for child in node:
        yield from walk_fields(child, model, models)


def model_at(node: etree._Element, root_model: str, models: Models) -> str | None:
    """The model whose fields ``node`` shows (the comodel inside an x2many sub-view)."""
    chain = [node, *node.iterancestors()][::-1]
    model: str | None = root_model
    for parent, child in zip(chain, chain[1:]):
        if parent.tag == "field" and child.tag in SUBVIEW_TAGS and model:
            field = models[model]._fields.get(parent.get("name")) if model in models else None
            model = field.comodel_name if field is not None and field.relational else None
    return model


def field_problems(arch: etree._Element, model: str | None, models: Models) -> list[Problem]:
    problems = []
    for node, attribute, owner in walk_fields(arch, model, models):
        cls = models.get(owner) if owner else None
        if cls is None:
            continue
        name = node.get(attribute or "name")
        if name not in cls._fields:
            near = difflib.get_close_matches(name, list(cls._fields), 1)
            what = f"<{node.tag} {attribute}>" if attribute else "field"
            problems.append(Problem(
                _("%(what)s '%(name)s' does not exist on %(model)s", what=what, name=name,
                  model=owner), node.sourceline,
                _("did you mean '%(name)s'?", name=near[0]) if near else None))
    return problems


def modifier_problems(arch: etree._Element) -> list[Problem]:
    problems = []
    for node in arch.iter():
        if not isinstance(node.tag, str) or node.tag in ("templates", "attribute"):
            continue
        if any(a.tag == "templates" for a in node.iterancestors()):
            continue  # QWeb: t-if and friends, not modifiers
        for name in MODIFIERS:
            value = node.get(name)
            if value is not None and not is_modifier(value):
                problems.append(Problem(
                    _("%(attr)s=\"%(value)s\" on <%(tag)s> must be a boolean (1, 0, True, "
                      "False) or a domain", attr=name, value=value, tag=node.tag),
                    node.sourceline))
    return problems


def is_modifier(value: str) -> bool:
    text = value.strip()
    if text in ("0", "1", "True", "False", "true", "false", ""):
        return True
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        return False
    return isinstance(tree.body, (ast.List, ast.Tuple))


def arch_problems(arch: etree._Element, view_type: str, model: str | None,
                  models: Models) -> list[Problem]:
    """Every problem of a complete arch (schema, field names, modifiers)."""
    problems = schema_problems(arch, view_type)
    if model is not None and model not in models:
        problems.append(Problem(_("model '%(model)s' does not exist", model=model)))
        return problems
    return problems + field_problems(arch, model, models) + modifier_problems(arch)


def validate_arch(arch: etree._Element, view_type: str, model: str, models: Models,
                  label: str, line_offset: int = 0) -> None:
    """Raise one :class:`ValidationError` listing every problem of ``arch``."""
    problems = arch_problems(arch, view_type, model, models)
    if problems:
        raise ValidationError(
            _("Invalid %(type)s view %(view)s (%(model)s):", type=view_type, view=label,
              model=model) + "".join(f"\n- {p.render(line_offset)}" for p in problems),
            field="arch")
