"""Export of records to XLSX (XlsxWriter) and CSV: the fields the user chose last time
for the model (remembered per user in ``ir.exports``), or the list view's columns.

What may be exported is what the user may read: fields of groups the user is not in are
neither offered nor exported (``fields_get`` leaves them out, ``read()`` refuses them),
and related fields one level deep (``partner_id.email``) come only from the linked
records the user may read. Many2one values are exported as display names, selections as
labels, datetimes in the user's time zone. Text is always written as text: an XLSX cell
starting with ``=``, ``+``, ``-`` or ``@`` stays a string (no formula injection); CSV is
written as is, for other programs to read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from lxml import etree
from lxml import html as lxml_html
from werkzeug.wrappers import Response

from ...i18n import formatting
from ...spreadsheet import csv_bytes, xlsx_bytes
from . import values

#: types an export cannot represent as one cell
EXCLUDED_TYPES = frozenset({"one2many", "binary", "json", "reference"})
#: technical fields nobody exports
EXCLUDED_FIELDS = frozenset({"version"})
NUMERIC = ("integer", "float", "monetary")
_ATTRIBUTES = ["type", "string", "relation", "selection", "digits"]
MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv"}


@dataclass
class ExportField:
    """A field the user may export: ``path`` is ``name`` or ``m2o_name.name``."""

    path: str
    label: str
    description: dict[str, Any]
    children: list["ExportField"] = field(default_factory=list)


def _offered(name: str, description: dict[str, Any]) -> bool:
    return description["type"] not in EXCLUDED_TYPES and name not in EXCLUDED_FIELDS


def _sorted(described: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    return sorted(((n, d) for n, d in described.items() if _offered(n, d)),
                  key=lambda item: (str(item[1]["string"]).lower(), item[0]))


def exportable(model: Any) -> list[ExportField]:
    """The fields the current user may export, labels translated; a many2one whose
    records the user may read lists its model's fields one level deep."""
    result = []
    comodel_fields: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for name, description in _sorted(model.fields_get(attributes=_ATTRIBUTES)):
        item = ExportField(name, str(description["string"]), description)
        relation = description.get("relation")
        if description["type"] == "many2one" and relation in model.env:
            comodel = model.env[relation]
            if relation not in comodel_fields:
                comodel_fields[relation] = _sorted(comodel.fields_get(
                    attributes=_ATTRIBUTES)) if comodel._check_access(
                        "read", raise_exception=False) else []
            item.children = [
                ExportField(f"{name}.{sub}", f"{item.label} / {sub_description['string']}",
                            sub_description)
                for sub, sub_description in comodel_fields[relation]
                if sub_description["type"] != "many2many"]
        result.append(item)
    return result


def index(offered: Iterable[ExportField]) -> dict[str, ExportField]:
    """Every offered field by path, related ones included."""
    result = {}
    for item in offered:
        result[item.path] = item
        for child in item.children:
            result[child.path] = child
    return result


def list_fields(view: Any, offered: dict[str, ExportField]) -> list[ExportField]:
    """The list view's visible columns that may be exported, with the list's labels."""
    result = []
    for node in view.arch.iter("field"):
        name = node.get("name")
        if name in offered and node.get("invisible") not in ("1", "True") and \
                node.get("column_invisible") not in ("1", "True"):
            result.append(replace(offered[name], label=node.get("string") or
                                  offered[name].label, children=[]))
    return result


def chosen_fields(model: Any, view: Any,
                  offered: dict[str, ExportField] | None = None) -> list[ExportField]:
    """What one click exports: the user's last choice for this model (the fields still
    readable), or else the list's columns."""
    offered = index(exportable(model)) if offered is None else offered
    remembered = model.env["ir.exports"].remembered(model._name) or []
    chosen = [offered[path] for path in remembered if path in offered]
    return chosen or list_fields(view, offered)


# -- values -------------------------------------------------------------------------------
def table(records: Any, columns: list[ExportField], lang: str,
          tz: str | None = None) -> list[list[Any]]:
    """One line per record, one cell per column; a constant number of queries (one read,
    then one search and read per related model, one name lookup per many2many model)."""
    if not records:
        return []
    top = list(dict.fromkeys(c.path.split(".", 1)[0] for c in columns))
    data = records.read(top)
    related = _related_values(records, columns, data)
    names = _many2many_names(records, columns, data)
    lines = []
    for row in data:
        line = []
        for column in columns:
            head, _dot, sub = column.path.partition(".")
            if sub:
                linked = row[head][0] if row[head] else None
                value = related[head].get(linked, {}).get(sub, None) if linked else None
                line.append(cell(value, column.description, lang, tz, empty=""))
            elif column.description["type"] == "many2many":
                line.append(", ".join(names.get(i, "") for i in row[head] or ()))
            else:
                line.append(cell(row[head], column.description, lang, tz))
        lines.append(line)
    return lines


def _related_values(records: Any, columns: list[ExportField],
                    data: list[dict[str, Any]]) -> dict[str, dict[int, dict[str, Any]]]:
    wanted: dict[str, list[str]] = {}
    for column in columns:
        head, _dot, sub = column.path.partition(".")
        if sub:
            wanted.setdefault(head, []).append(sub)
    result: dict[str, dict[int, dict[str, Any]]] = {}
    for head, subs in wanted.items():
        ids = sorted({row[head][0] for row in data if row[head]})
        comodel = records.env[records._fields[head].comodel_name].with_context(
            active_test=False)
        # search first: linked records the user may not read stay empty, no error
        readable = comodel.search([("id", "in", ids)]) if ids else comodel.browse()
        result[head] = {row["id"]: row for row in readable.read(list(dict.fromkeys(subs)))}
    return result


def _many2many_names(records: Any, columns: list[ExportField],
                     data: list[dict[str, Any]]) -> dict[int, str]:
    names: dict[int, str] = {}
    for column in columns:
        if column.description["type"] == "many2many" and "." not in column.path:
            ids = {i for row in data for i in row[column.path] or ()}
            if ids:
                # names as read() gives them for a many2one: shown whatever the rules
                names.update(records.env[column.description["relation"]].sudo()
                             ._display_names(ids))
    return names


def cell(value: Any, description: dict[str, Any], lang: str, tz: str | None = None,
         empty: Any = None) -> Any:
    """A value as a spreadsheet cell: numbers and dates stay typed, the rest is text."""
    kind = description["type"]
    if value is None or value is False:
        if empty is not None and kind != "boolean":
            return empty
        if kind in NUMERIC:
            return 0
    if kind in NUMERIC:
        return value
    if kind == "datetime" and isinstance(value, dt.datetime):
        return value.replace(tzinfo=dt.timezone.utc).astimezone(
            formatting.zone(tz)).replace(tzinfo=None)
    if kind == "date" and isinstance(value, dt.date):
        return value
    if kind == "html" and value:
        try:
            return lxml_html.fromstring(value).text_content()
        except etree.ParserError:     # only blanks or comments
            return ""
    return values.display(value, description, lang, tz or "UTC")


# -- files (written by core.spreadsheet) ----------------------------------------------
def response(records: Any, columns: list[ExportField], kind: str, lang: str,
             tz: str | None = None) -> Response:
    """The file to download: ``kind`` is ``xlsx`` or ``csv``."""
    headers = [column.label for column in columns]
    lines = table(records, columns, lang, tz)
    body = xlsx_bytes(headers, lines) if kind == "xlsx" else csv_bytes(headers, lines)
    result = Response(body, mimetype=MIMETYPES[kind])
    filename = f"{records._name.replace('.', '_')}.{kind}"
    result.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result
