"""The graph view: bar, line and pie charts of one ``read_group`` call, with the same
search panel as the list, the figures in an accessible table and every bar or slice
linking to the list of the records behind it.

URL: ``/web/action/<action>/graph``; besides the search parameters of :mod:`.search`,
``chart`` (``bar``, ``line``, ``pie``), ``g`` (groupbys, comma separated, ``date:week``...)
and ``m`` (measure: ``__count`` or a numeric field, summed). This module also holds the
helpers the pivot and dashboard views share: the search state of an action, measures,
and the list conditions of a group.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from ...exceptions import ValidationError
from ...i18n.translate import _
from ...orm.read_group import GROUPABLE, parse_groupby
from ..http import Request, route
from . import values
from .controllers import _action, _context
from .search import SearchState, SearchView

CHART_TYPES = ("bar", "line", "pie")
NUMERIC = ("integer", "float", "monetary")
COUNT = "__count"


# -- shared by graph, pivot and dashboard ------------------------------------------------------
@dataclass
class Analysis:
    """An action's model, search panel and resulting domain for one set of URL args."""

    env: Any
    action: Any
    model: Any
    args: Mapping[str, Any]
    state: SearchState
    search: SearchView
    domain: list
    fields: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def of(cls, env: Any, action: Any, args: Mapping[str, Any]) -> "Analysis":
        model = env[action.res_model]
        search_arch = env["ir.ui.view"].get_view(action.res_model, "search",
                                                 action.search_view_id.id or None)
        described = model.fields_get(attributes=["type", "string", "selection", "relation",
                                                 "digits", "store", "sortable"])
        state = SearchState.from_args(args)
        search = SearchView(search_arch.arch, search_arch.fields, env.uid,
                            env.context.get("tz"), described)
        if "active" in model._fields and "archived" in state.filters:
            model = model.with_context(active_test=False)
        domain = list(action._eval_domain()) + search.domain(state)
        return cls(env, action, model, args, state, search, domain, described)

    def label(self, name: str) -> str:
        if name == COUNT:
            return _("Count", lang=self.env.lang)
        spec = name.split(":")[0]
        return (self.fields.get(spec) or {}).get("string") or spec

    @property
    def measures(self) -> list[tuple[str, str]]:
        """``(name, label)`` of the measures offered: the count, then numeric fields."""
        stored = [(n, d) for n, d in self.fields.items()
                  if d.get("type") in NUMERIC and d.get("store", True)
                  and n not in ("id", "version")
                  and self.model._fields[n].stored_column]
        return [(COUNT, self.label(COUNT))] + sorted(
            ((n, d.get("string") or n) for n, d in stored), key=lambda item: item[1])

    @property
    def groupables(self) -> list[tuple[str, str]]:
        """``(spec, label)`` of the fields a user may group by (dates by month)."""
        result = []
        for name, description in self.fields.items():
            column = self.model._fields[name]
            if description.get("type") in GROUPABLE and column.stored_column and name != "id":
                spec = f"{name}:month" if description["type"] in ("date", "datetime") else name
                result.append((spec, description.get("string") or name))
        return sorted(result, key=lambda item: item[1])

    def measure(self, name: str) -> tuple[str, str, dict]:
        """``(read_group field spec, label, description)``; a clear error if unusable."""
        name = (name or COUNT).strip()
        if name == COUNT:
            return COUNT, self.label(COUNT), {"type": "integer"}
        description = self.fields.get(name)
        if description is None:
            raise ValidationError(_("Unknown measure '%(name)s': it is not a field of "
                                    "%(model)s.", name=name, model=self.model._name,
                                    lang=self.env.lang))
        if description.get("type") not in NUMERIC or not self.model._fields[name].stored_column:
            raise ValidationError(_("'%(name)s' cannot be a measure: only stored numeric "
                                    "fields can be summed.", name=name, lang=self.env.lang))
        return f"{name}:sum", self.label(name), description

    def groupbys(self, specs: list[str]) -> list[str]:
        """Validated groupby specs (an unknown or ungroupable field is a clear error)."""
        result = []
        for spec in specs:
            spec = spec.strip()
            if spec:
                parse_groupby(self.model, spec)
                result.append(spec)
        return result

    def query(self, **changes: Any) -> str:
        """This page's query string with some parameters changed (keeps ``menu``)."""
        pairs = MultiDict(self.args)
        for key, value in changes.items():
            pairs.poplist(key)
            for item in value if isinstance(value, list) else [value]:
                if item not in ("", None):
                    pairs.add(key, item)
        from urllib.parse import urlencode
        return urlencode(list(pairs.items(multi=True)))

    def list_url(self, conditions: list[str]) -> str:
        """The list of the records behind a group: the search plus its conditions."""
        custom = ["|".join(c) for c in self.state.custom] + conditions
        menu = self.args.get("menu") or ""
        query = self.state.query(g="", p="", c=custom)
        return f"/web/action/{self.action.id}?{query}&menu={menu}"

    def display(self, spec: str, value: Any) -> str:
        """A group's label: many2one names, date period labels, selection labels."""
        if value is False or value is None:
            return _("None", lang=self.env.lang)
        name, _sep, granularity = spec.partition(":")
        description = self.fields.get(name) or {}
        if isinstance(value, (list, tuple)):
            return str(value[1])
        if granularity or description.get("type") in ("date", "datetime"):
            return str(value)
        return values.display(value, description, self.env.lang)

    def number(self, value: Any, description: Mapping[str, Any]) -> str:
        return values.display(value or 0, description, self.env.lang)


def group_conditions(spec: str, group: Mapping[str, Any]) -> list[str]:
    """``field|op|value`` list conditions selecting one ``read_group`` group's records."""
    name = spec.split(":")[0]
    value = group.get(spec)
    period = (group.get("__range") or {}).get(spec)
    if period:
        return [f"{name}|>=|{period['from']}", f"{name}|<|{period['to']}"]
    if value is False or value is None:
        return [f"{name}|=|"]
    if isinstance(value, (list, tuple)):
        return [f"{name}|=|{value[0]}"]
    return [f"{name}|=|{value}"]


def key_of(value: Any) -> Any:
    return value[0] if isinstance(value, (list, tuple)) else value


def error_page(request: Request, action: Any, template: str, message: str,
               **extra: Any) -> Response:
    return request.render(template, status=422, **_context(request, action), error=message,
                          **extra)


# -- the graph ---------------------------------------------------------------------------------
def graph_data(analysis: Analysis, arch: Any) -> dict[str, Any]:
    """Everything a graph shows, from one ``read_group``: labels, datasets with their
    raw values, formatted figures and list links."""
    args = analysis.args
    chart = args.get("chart") or arch.get("type") or "bar"
    if chart not in CHART_TYPES:
        raise ValidationError(_("Unknown chart type '%(chart)s' (valid: %(valid)s).",
                                chart=chart, valid=", ".join(CHART_TYPES),
                                lang=analysis.env.lang))
    arch_rows = [f"{n.get('name')}:{n.get('interval')}" if n.get("interval") else n.get("name")
                 for n in arch.iter("field") if n.get("type") in ("row", "col")]
    arch_measure = next((n.get("name") for n in arch.iter("field")
                         if n.get("type") == "measure"), COUNT)
    asked = analysis.state.group_by
    groupbys = analysis.groupbys(asked.split(",") if asked else arch_rows)[:2]
    spec, measure_label, description = analysis.measure(args.get("m") or arch_measure)
    key = COUNT if spec == COUNT else spec.split(":")[0]
    groups = analysis.model.read_group(analysis.domain, [] if spec == COUNT else [spec],
                                       groupbys, lazy=False, orderby=arch.get("order") and
                                       f"{key if key != COUNT else '__count'} "
                                       f"{arch.get('order')}")
    first, second = (groupbys + [None, None])[:2]
    labels, datasets = _datasets(analysis, groups, first, second, key, measure_label,
                                 description)
    totals = [sum(d["data"][i] for d in datasets) for i in range(len(labels))]
    config = {"type": chart, "labels": labels, "stacked": arch.get("stacked") not in
              (None, "0", "False", "false") and chart != "pie",
              "measure": measure_label,
              "datasets": [{k: d[k] for k in ("label", "data", "links")} for d in datasets]}
    return {"chart": chart, "labels": labels, "datasets": datasets, "groupbys": groupbys,
            "measure": spec.split(":")[0], "measure_label": measure_label,
            "row_label": analysis.label(first) if first else "",
            "totals": [analysis.number(t, description) for t in totals],
            "grand_total": analysis.number(sum(totals), description),
            "config": Markup(json.dumps(config).replace("<", "\\u003c")),
            "title": arch.get("string") or ""}


def _datasets(analysis: Analysis, groups: list[dict[str, Any]], first: str | None,
              second: str | None, key: str, measure_label: str,
              description: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Labels from the first groupby, one dataset per value of the second one."""
    labels: list[str] = []
    label_index: dict[Any, int] = {}
    series: dict[Any, dict[str, Any]] = {}
    for group in groups:
        value = group.get(key) or 0
        row_key = key_of(group[first]) if first else None
        if row_key not in label_index:
            label_index[row_key] = len(labels)
            labels.append(analysis.display(first, group[first]) if first else measure_label)
        col_key = key_of(group[second]) if second else None
        if col_key not in series:
            series[col_key] = {"label": analysis.display(second, group[second]) if second
                               else measure_label, "data": {}, "links": {}, "text": {}}
        index = label_index[row_key]
        conditions = (group_conditions(first, group) if first else []) + \
            (group_conditions(second, group) if second else [])
        series[col_key]["data"][index] = value
        series[col_key]["text"][index] = analysis.number(value, description)
        series[col_key]["links"][index] = analysis.list_url(conditions)
    datasets = [{"label": s["label"],
                 "data": [s["data"].get(i, 0) for i in range(len(labels))],
                 "text": [s["text"].get(i, analysis.number(0, description))
                          for i in range(len(labels))],
                 "links": [s["links"].get(i, "") for i in range(len(labels))]}
                for s in series.values()]
    return labels, datasets


@route("/web/action/<int:action_id>/graph", auth="user")
def graph_view(request: Request, action_id: int) -> Response | str:
    action = _action(request, action_id)
    env = request.env
    try:
        analysis = Analysis.of(env, action, request.args)
        arch = env["ir.ui.view"].get_view(
            action.res_model, "graph",
            action._view_id_for("graph")).arch
        data = graph_data(analysis, arch)
    except ValidationError as exc:
        return _graph_error(request, action, str(exc))
    return request.render("client/graph.html", **_context(request, action), a=analysis,
                          g=data, error="", embed=False)


def _graph_error(request: Request, action: Any, message: str) -> Response:
    analysis = Analysis.of(request.env, action, MultiDict())
    return error_page(request, action, "client/graph.html", message, a=analysis, g=None,
                      embed=False)
