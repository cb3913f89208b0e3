"""Custom fields as a data file: move a configuration from one database to another.

:func:`export_xml` writes the manual ``ir.model.fields`` rows (and their selection
options and label translations) as an ordinary data file -- ``<record>``s with external
ids -- that ``comptoir fields import`` (:func:`import_file`) loads into another database,
or that an addon lists in its manifest's ``data``. Loading it twice updates what it
created the first time (the external ids match), which is how a test database's fields
reach production.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

import sqlalchemy as sa
from lxml import etree

from .custom_fields import texts
from .data import DataLoader
from .reflect import field_xmlid

if TYPE_CHECKING:
    from ..orm import BaseModel, Environment

#: the addon name of external ids that ``comptoir fields import`` creates
IMPORT_MODULE = "__custom__"
_SCALARS = ("field_description", "help", "groups", "relation")
_FLAGS = ("required", "index", "translate")


def export_xml(env: "Environment", models: Iterable[str] = ()) -> str:
    """The custom fields (of ``models``, default all) as a data file's text."""
    env = env(su=True)
    domain: list[Any] = [("state", "=", "manual")]
    if models:
        domain.append(("model", "in", list(models)))
    rows = env["ir.model.fields"].with_context(lang="en_US").search(domain, order="model, id")
    root = etree.Element("comptoir")
    root.append(etree.Comment(" Custom fields: load with 'comptoir fields import FILE' or "
                              "list this file in an addon's data. "))
    model_refs = _external_ids(env, "ir.model", rows.mapped("model_id").ids)
    labels = _texts_by_id(rows, ("field_description", "help"))
    option_labels = _texts_by_id(rows.mapped("selection_ids"), ("name",))
    for row in rows:
        xml_id = field_xmlid(row.model, row.name)
        record = etree.SubElement(root, "record", id=xml_id, model="ir.model.fields")
        _field(record, "model_id", ref=model_refs.get(row.model_id.id))
        _field(record, "name", row.name)
        _field(record, "ttype", row.ttype)
        for name in _SCALARS:
            if row[name]:
                _field(record, name, row[name])
        for name in _FLAGS:
            _field(record, name, eval=repr(bool(row[name])))
        if row.default_value and row.ttype != "selection":
            _field(record, "default_value", row.default_value)
        option_ids = []
        for index, option in enumerate(row.selection_ids):
            option_id = f"{xml_id}__{re.sub(r'[^a-z0-9_]', '_', option.value.lower())}"
            option_id += f"_{index}" if option_id in option_ids else ""
            option_ids.append(option_id)
            line = etree.SubElement(root, "record", id=option_id,
                                    model="ir.model.fields.selection")
            _field(line, "field_id", ref=xml_id)
            _field(line, "value", option.value)
            _field(line, "name", option.name)
            _field(line, "sequence", eval=str(option.sequence))
        if row.default_value and row.ttype == "selection":  # once its options exist
            again = etree.SubElement(root, "record", id=xml_id, model="ir.model.fields")
            _field(again, "default_value", row.default_value)
        _translations(root, row._name, xml_id, labels.get(row.id, {}))
        for option_id, option in zip(option_ids, row.selection_ids):
            _translations(root, option._name, option_id, option_labels.get(option.id, {}))
    etree.indent(root, space="    ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + etree.tostring(
        root, encoding="unicode") + "\n"


def import_file(env: "Environment", path: Path, module: str = IMPORT_MODULE) -> int:
    """Load a data file of custom fields (what :func:`export_xml` wrote); returns the
    number of records it named."""
    loader = DataLoader(env, module)
    loader.load_file(Path(path))
    return len(loader.seen)


def _field(record: etree._Element, name: str, text: str | None = None, **attributes: Any
           ) -> None:
    node = etree.SubElement(record, "field", name=name,
                            **{k: v for k, v in attributes.items() if v is not None})
    if text is not None:
        node.text = str(text)


def _external_ids(env: "Environment", model: str, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for data in env["ir.model.data"].search([("model", "=", model), ("res_id", "in", ids)],
                                            order="id"):
        found.setdefault(data.res_id, f"{data.module}.{data.name}")
    return found


def _texts_by_id(records: "BaseModel", names: tuple[str, ...]) -> dict[int, dict[str, dict]]:
    """``{id: {field: {lang: text}}}``: every language of translated fields, one query."""
    if not records:
        return {}
    table = records._sa_table
    rows = records.env.execute(sa.select(table.c.id, *[table.c[n] for n in names])
                               .where(table.c.id.in_(records.ids)))
    return {row[0]: {n: texts(row[i + 1]) for i, n in enumerate(names)} for row in rows}


def _translations(root: etree._Element, model: str, xml_id: str,
                  texts_of: dict[str, dict[str, str]]) -> None:
    """``<function>`` writing the other languages' texts of a record's translated fields."""
    by_lang: dict[str, dict[str, str]] = {}
    for name, values in texts_of.items():
        for lang, text in values.items():
            if lang != "en_US" and text:
                by_lang.setdefault(lang, {})[name] = text
    if by_lang:
        etree.SubElement(root, "function", model=model, name="load_translations",
                         eval=f"[ref({xml_id!r}), {by_lang!r}]")
