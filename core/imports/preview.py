"""The first rows of a file as the import would read them, cell by cell: the value each
mapped cell becomes (the linked record's name, the choice's label, the date in the
user's format) or what is wrong with it, before anything is written."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from ..i18n import formatting
from ..i18n.translate import _
from .convert import CellError, Converter, as_text, is_empty
from .mapping import importable_fields
from .reader import Table

PREVIEW_ROWS = 5


@dataclass
class PreviewCell:
    raw: str             #: the cell as written in the file
    value: str = ""      #: what it becomes, in words ("" when not imported or empty)
    error: str = ""      #: why it cannot be imported
    mapped: bool = False


def preview(model: Any, table: Table, mapping: Mapping[str, str],
            limit: int = PREVIEW_ROWS, tz: str | None = None
            ) -> list[tuple[int, list[PreviewCell]]]:
    """``[(line, cells)]`` for the first ``limit`` rows under ``mapping``."""
    fields = importable_fields(model)
    converter = Converter(model, tz)
    rows = list(zip(table.lines, table.rows))[:limit]
    mapped = {i: mapping.get(h) for i, h in enumerate(table.headers)
              if mapping.get(h) in fields}
    for index, name in mapped.items():
        converter.prepare(name, (cells[index] for _line, cells in rows))
    names = _record_names(model, converter)
    lang = model.env.lang
    result = []
    for line, cells in rows:
        shown = []
        for index, cell in enumerate(cells):
            name = mapped.get(index)
            item = PreviewCell(as_text(cell), mapped=bool(name))
            if name and not is_empty(cell):
                try:
                    item.value = _words(model, name, converter.convert(name, cell), names,
                                        lang)
                except CellError as exc:
                    item.error = str(exc)
            shown.append(item)
        result.append((line, shown))
    return result


def _record_names(model: Any, converter: Converter) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    for comodel, resolver in converter.resolvers.items():
        ids = sorted(set(resolver.found.values()))
        if ids:
            for record_id, name in model.env[comodel].browse(ids).name_get():
                names[(comodel, record_id)] = name
    return names


def _words(model: Any, name: str, value: Any, names: dict[tuple[str, int], str],
           lang: str) -> str:
    field = model._fields[name]
    kind = field.type
    if kind == "many2one":
        return names.get((field.comodel_name, value), str(value)) if value else ""
    if kind == "many2many":
        ids = value[0][2] if value else []
        return ", ".join(names.get((field.comodel_name, i), str(i)) for i in ids)
    if kind == "boolean":
        return _("Yes", lang=lang) if value else _("No", lang=lang)
    if kind == "selection":
        labels = dict(field.get_values(model.env))
        return _(labels.get(value, value), lang=lang) if value else ""
    if kind == "date" and isinstance(value, dt.date):
        return formatting.format_date(value, lang)
    if kind == "datetime" and isinstance(value, dt.datetime):
        return formatting.format_datetime(value, lang, model.env.context.get("tz"))
    if kind in ("float", "monetary"):
        return formatting.format_number(value, lang)
    return "" if value is False or value is None else str(value)
