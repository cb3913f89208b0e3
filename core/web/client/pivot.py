"""The pivot view: measures of an action's records crossed by row and column groupings,
with totals, rows nested by several groupbys, cells linking to their records and an
XLSX export.

URL: ``/web/action/<action>/pivot``; besides the search parameters of :mod:`.search`,
``rows`` and ``cols`` (groupbys, comma separated; the arch's ``type="row"``/``"col"``
fields otherwise), ``m`` (measures, comma separated: ``__count`` or numeric fields) and
``format=xlsx``. Built from ``2 × (len(rows) + 1)`` ``read_group(lazy=False)`` calls —
each row level crossed with all the columns, and alone for the row totals — never one
query per cell.
"""
from __future__ import annotations

from itertools import groupby as consecutive
from typing import Any

from werkzeug.wrappers import Response

from ...exceptions import ValidationError
from ...i18n.translate import _
from ..http import Request, route
from . import export
from .controllers import _action, _context
from .graph import COUNT, Analysis, error_page, group_conditions, key_of

MAX_LEVELS = 4


def _arch_groupbys(arch: Any, kind: str) -> list[str]:
    return [f"{n.get('name')}:{n.get('interval')}" if n.get("interval") else n.get("name")
            for n in arch.iter("field") if n.get("type") == kind]


def _split(text: str | None) -> list[str] | None:
    return None if text is None else [part for part in text.split(",") if part.strip()]


class _Reader:
    """The pivot's ``read_group(lazy=False)`` calls and its formatted figures."""

    def __init__(self, analysis: Analysis, measures: list[tuple[str, str, dict]]) -> None:
        self.analysis = analysis
        self.measures = measures
        self.specs = [spec for spec, _label, _desc in measures if spec != COUNT]
        self.keys = [COUNT if spec == COUNT else spec.split(":")[0]
                     for spec, _l, _d in measures]

    def read(self, groupbys: list[str]) -> list[dict[str, Any]]:
        domain, model = self.analysis.domain, self.analysis.model
        if not groupbys:
            return model.read_group(domain, self.specs, [], lazy=False) or [{"__count": 0}]
        return model.read_group(domain, self.specs, groupbys, lazy=False)

    def figures(self, group: dict[str, Any] | None) -> list[dict[str, Any]]:
        group = group or {}
        return [{"value": group.get(key) or 0,
                 "text": self.analysis.number(group.get(key) or 0, description)}
                for key, (_spec, _label, description) in zip(self.keys, self.measures)]


def _columns(reader: _Reader, cols: list[str]) -> dict[str, Any]:
    """The column leaves (in ``read_group`` order), their conditions and header rows."""
    analysis = reader.analysis
    groups = reader.read(cols) if cols else []
    keys = [tuple(key_of(g[c]) for c in cols) for g in groups]
    header = []
    for level in range(len(cols)):
        cells = []
        for _prefix, members in consecutive(zip(keys, groups), key=lambda kg: kg[0][:level + 1]):
            members = list(members)
            cells.append({"label": analysis.display(cols[level], members[0][1][cols[level]]),
                          "span": len(members) * len(reader.measures)})
        header.append(cells)
    return {"groups": groups, "keys": keys, "header": header,
            "conditions": {k: [c for spec in cols for c in group_conditions(spec, g)]
                           for k, g in zip(keys, groups)}}


def _body(reader: _Reader, rows: list[str], cols: list[str]) -> list[dict[str, Any]]:
    """The nested rows, depth first: one level per row groupby, each read twice (its
    totals, and crossed with the columns)."""
    levels: list[dict[tuple, dict[str, Any]]] = []
    for depth in range(1, len(rows) + 1):
        prefix = rows[:depth]
        level: dict[tuple, dict[str, Any]] = {}
        for group in reader.read(prefix):
            key = tuple(key_of(group[r]) for r in prefix)
            level[key] = {"key": key, "depth": depth - 1, "cells": {},
                          "conditions": [c for spec in prefix
                                         for c in group_conditions(spec, group)],
                          "label": reader.analysis.display(prefix[-1], group[prefix[-1]]),
                          "total": reader.figures(group)}
        for group in reader.read(prefix + cols) if cols else []:
            key = tuple(key_of(group[r]) for r in prefix)
            if key in level:
                level[key]["cells"][tuple(key_of(group[c]) for c in cols)] = \
                    reader.figures(group)
        levels.append(level)
    body: list[dict[str, Any]] = []

    def walk(depth: int, parent: tuple) -> None:
        for key, row in levels[depth].items() if depth < len(levels) else ():
            if key[:-1] == parent:
                body.append(row)
                walk(depth + 1, key)
    walk(0, ())
    return body


def pivot_data(analysis: Analysis, arch: Any) -> dict[str, Any]:
    """The pivot's header rows, body rows (nested) and totals, every figure formatted
    and linked to the list of its records."""
    args = analysis.args
    rows = analysis.groupbys(_split(args.get("rows")) or [] if "rows" in args
                             else _arch_groupbys(arch, "row"))[:MAX_LEVELS]
    cols = analysis.groupbys(_split(args.get("cols")) or [] if "cols" in args
                             else _arch_groupbys(arch, "col"))[:MAX_LEVELS]
    asked = _split(",".join(args.getlist("m"))) or [n.get("name") for n in arch.iter("field")
                                                    if n.get("type") == "measure"] or [COUNT]
    reader = _Reader(analysis, [analysis.measure(name) for name in dict.fromkeys(asked)])
    columns = _columns(reader, cols)
    body = _body(reader, rows, cols)
    for row in body:
        row["columns"] = [{"figures": row["cells"].get(k) or reader.figures(None),
                           "link": analysis.list_url(row["conditions"] +
                                                     columns["conditions"][k])}
                          for k in columns["keys"]]
        row["link"] = analysis.list_url(row["conditions"])
    return {"rows": rows, "cols": cols, "body": body, "header": columns["header"],
            "measures": [(k, label) for k, (_s, label, _d) in zip(reader.keys,
                                                                  reader.measures)],
            "col_keys": columns["keys"],
            "col_totals": [{"figures": reader.figures(g),
                            "link": analysis.list_url(columns["conditions"][k])}
                           for k, g in zip(columns["keys"], columns["groups"])],
            "grand": reader.figures(reader.read([])[0]), "grand_link": analysis.list_url([]),
            "row_labels": [analysis.label(r) for r in rows],
            "col_labels": [analysis.label(c) for c in cols],
            "title": arch.get("string") or ""}


def pivot_table(data: dict[str, Any], lang: str) -> tuple[list[str], list[list[Any]]]:
    """The pivot as spreadsheet rows: nested row labels indented, raw numbers."""
    multi = len(data["measures"]) > 1
    headers = [" / ".join(data["row_labels"]) or _("Total", lang=lang)]
    leaf_labels = _leaf_labels(data)
    for label in leaf_labels:
        for _key, measure in data["measures"]:
            headers.append(f"{label} · {measure}" if multi or label else measure)
    for _key, measure in data["measures"]:
        headers.append(f"{_('Total', lang=lang)} · {measure}" if data["cols"] or multi
                       else measure)
    table = []
    for row in data["body"]:
        line: list[Any] = ["    " * row["depth"] + row["label"]]
        for column in row["columns"]:
            line += [f["value"] for f in column["figures"]]
        line += [f["value"] for f in row["total"]]
        table.append(line)
    footer: list[Any] = [_("Total", lang=lang)]
    for column in data["col_totals"]:
        footer += [f["value"] for f in column["figures"]]
    footer += [f["value"] for f in data["grand"]]
    table.append(footer)
    return headers, table


def _leaf_labels(data: dict[str, Any]) -> list[str]:
    """The full label of each column leaf (``'Draft / Mitchell'``)."""
    labels: list[list[str]] = [[] for _key in data["col_keys"]]
    per_measure = len(data["measures"])
    for cells in data["header"]:
        index = 0
        for cell in cells:
            for _i in range(cell["span"] // per_measure):
                labels[index].append(cell["label"])
                index += 1
    return [" / ".join(parts) for parts in labels]


@route("/web/action/<int:action_id>/pivot", auth="user")
def pivot_view(request: Request, action_id: int) -> Response | str:
    action = _action(request, action_id)
    env = request.env
    try:
        analysis = Analysis.of(env, action, request.args)
        arch = env["ir.ui.view"].get_view(
            action.res_model, "pivot",
            action._view_id_for("pivot")).arch
        data = pivot_data(analysis, arch)
    except ValidationError as exc:
        from werkzeug.datastructures import MultiDict
        return error_page(request, action, "client/pivot.html", str(exc),
                          a=Analysis.of(env, action, MultiDict()), p=None, embed=False)
    if request.args.get("format") == "xlsx":
        headers, table = pivot_table(data, request.lang)
        response = Response(export.xlsx_bytes(headers, table), mimetype=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        filename = f"{action.res_model.replace('.', '_')}_pivot.xlsx"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return request.render("client/pivot.html", **_context(request, action), a=analysis,
                          p=data, error="", embed=False)
