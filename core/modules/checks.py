"""Load-time checks (``comptoir check``): every problem at once, each with a stable id.

Ids: ``registry.E001`` the registry cannot be built; ``data.E101`` a data file is not
valid XML or breaks the schema; ``data.E102`` unknown model; ``data.E103`` unknown field;
``models.E201`` a field's domain names an unknown field or operator; ``models.E202`` a
method named by a field (compute, inverse, search, selection) does not exist;
``access.E301`` a model has no access row; ``access.E302`` an access row names an unknown
model or group; ``views.E0xx`` views and menus (see :mod:`core.views.checks`). Addons add
their own through the ``comptoir_checks`` hook.
"""
from __future__ import annotations

import csv
import difflib
import io
from pathlib import Path
from typing import Any, Iterable, Mapping

from lxml import etree

from ..exceptions import ConfigurationError
from ..views.checks import check_view_files
from .data import csv_model_name, data_schema
from .graph import sort_installed
from .hookspecs import CheckMessage
from .manifest import Manifest
from .reflect import model_xmlid

OPERATORS = {"=", "!=", "<", "<=", ">", ">=", "in", "not in", "like", "not like", "ilike",
             "not ilike", "=like", "=ilike", "child_of", "parent_of", "any", "not any"}


def _near(name: str, names: Iterable[str]) -> str | None:
    found = difflib.get_close_matches(name, list(names), 1)
    return f"did you mean '{found[0]}'?" if found else None


def run_checks(available: Mapping[str, Manifest], names: Iterable[str]) -> list[CheckMessage]:
    from .loading import build_registry
    messages: list[CheckMessage] = []
    try:
        order = sort_installed(available, names)
        registry = build_registry(available, order)
    except ConfigurationError as exc:
        return [CheckMessage("registry.E001", str(exc))]
    access_models: set[str] = set()
    for addon in order:
        manifest = available[addon]
        for relative in (*manifest.data, *manifest.demo):
            path = manifest.path / relative
            if path.suffix == ".xml":
                messages += check_xml(path, registry)
            elif path.suffix == ".csv":
                messages += check_csv(path, registry, addon, access_models)
    messages += check_models(registry)
    messages += check_view_files(registry, order, available)
    for name, model in registry.models.items():
        if model._abstract:
            continue
        if model_xmlid(name) not in access_models:
            messages.append(CheckMessage(
                "access.E301", f"model {name} has no row in any security/access.csv: only the "
                "superuser can use it", file=model._original_module,
                hint=f"add access_{name.replace('.', '_')}_<group> to the addon's access.csv"))
    for result in registry.pm.hook.comptoir_checks(registry=registry):  # type: ignore
        messages.extend(result or ())
    return messages


def check_xml(path: Path, registry: Any) -> list[CheckMessage]:
    try:
        tree = etree.parse(str(path))
    except etree.XMLSyntaxError as exc:
        return [CheckMessage("data.E101", f"invalid XML: {exc.msg}", str(path), exc.lineno)]
    schema = data_schema()
    messages = []
    if not schema.validate(tree):
        messages += [CheckMessage("data.E101", e.message, str(path), e.line)
                     for e in schema.error_log]
    for record in tree.iter("record"):
        model_name = record.get("model")
        model = registry.models.get(model_name)
        if model is None:
            messages.append(CheckMessage("data.E102", f"unknown model '{model_name}'", str(path),
                                         record.sourceline, _near(model_name, registry.models)))
            continue
        for field in record.iterchildren("field"):
            name = field.get("name")
            if name not in model._fields:
                messages.append(CheckMessage(
                    "data.E103", f"field '{name}' not on {model_name}", str(path),
                    field.sourceline, _near(name, model._fields)))
    return messages


def check_csv(path: Path, registry: Any, addon: str, access_models: set[str]
              ) -> list[CheckMessage]:
    model_name = csv_model_name(path)
    model = registry.models.get(model_name)
    if model is None:
        return [CheckMessage("data.E102", f"the file name names no model ('{model_name}')",
                             str(path), 1)]
    messages = []
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    for column in reader.fieldnames or []:
        name = column.replace("/id", ":id").removesuffix(":id")
        if column != "id" and name not in model._fields:
            messages.append(CheckMessage("data.E103", f"column '{name}' not on {model_name}",
                                         str(path), 1, _near(name, model._fields)))
    if model_name != "ir.model.access":
        return messages
    model_names = {model_xmlid(n): n for n in registry.models}
    for line, row in enumerate(reader, start=2):
        ref = (row.get("model_id:id") or row.get("model_id/id") or "").strip()
        target = ref.split(".", 1)[1] if "." in ref else ref
        if target not in model_names:
            messages.append(CheckMessage("access.E302", f"unknown model '{ref}'", str(path), line,
                                         _near(target, model_names)))
        else:
            access_models.add(target)
    return messages


def check_models(registry: Any) -> list[CheckMessage]:
    messages = []
    for name, model in registry.models.items():
        for field in model._fields.values():
            where = f"{model._original_module}"
            for attr in ("inverse", "search"):
                method = getattr(field, attr, None)
                if isinstance(method, str) and not callable(getattr(model, method, None)):
                    messages.append(CheckMessage(
                        "models.E202", f"{name}.{field.name}: {attr} method '{method}' does not "
                        "exist", where, hint=_near(method, dir(model))))
            selection = getattr(field, "selection", None)
            if field.type == "selection" and isinstance(selection, str) and not callable(
                    getattr(model, selection, None)):
                messages.append(CheckMessage(
                    "models.E202", f"{name}.{field.name}: selection method '{selection}' does "
                    "not exist", where, hint=_near(selection, dir(model))))
            domain = getattr(field, "domain", None)
            if field.relational and isinstance(domain, (list, tuple)) and domain:
                comodel = registry.models.get(field.comodel_name)
                for problem in domain_problems(registry, comodel, domain):
                    messages.append(CheckMessage("models.E201",
                                                 f"{name}.{field.name}: domain {problem}", where))
    return messages


def domain_problems(registry: Any, model: Any, domain: Iterable[Any]) -> list[str]:
    """Unknown fields and operators in a domain, found without a database."""
    problems = []
    for leaf in domain:
        if isinstance(leaf, str):
            if leaf not in ("&", "|", "!"):
                problems.append(f"has an unknown operator '{leaf}'")
            continue
        if not isinstance(leaf, (list, tuple)) or len(leaf) != 3:
            problems.append(f"has a malformed term {leaf!r}")
            continue
        path, operator, value = leaf
        if not isinstance(path, str):
            continue  # (1, '=', 1) style constant terms
        if operator not in OPERATORS:
            problems.append(f"uses unknown operator '{operator}'")
        current = model
        for step in path.split("."):
            field = current._fields.get(step) if current is not None else None
            if field is None:
                hint = _near(step, current._fields) if current is not None else None
                problems.append(f"names unknown field '{step}'" + (f"; {hint}" if hint else ""))
                break
            current = registry.models.get(field.comodel_name) if field.relational else None
        if operator in ("any", "not any") and isinstance(value, (list, tuple)) and current:
            problems += domain_problems(registry, current, value)
    return problems
