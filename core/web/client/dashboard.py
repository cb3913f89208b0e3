"""Dashboards: the ``dashboard`` view type of an action, and each user's personal
dashboard of the graphs and pivots he saved.

A dashboard arch (``core/views/rng/dashboard.rng``) holds ``<group>`` sections,
``<aggregate>`` KPI tiles (one ``read_group`` each; with ``date_field`` and ``period``
the figure of the current period and its change against the previous one),
``<view type="graph|pivot|list" ref="..." domain="...">`` embedded views of the same
model (narrowed by their own ``domain``), rendered by the graph and pivot modules, and
``<widget name="...">`` figures computed by an addon's widget
(:mod:`.dashboard_widgets`). Elements with ``groups`` were stripped by the view compiler
already.

The personal dashboard is a JSON list of ``{"id", "title", "url"}`` in the
``ir.config_parameter`` ``dashboard.user.<uid>``, read and written for the current user
only: ``/web/dashboard`` shows it, ``POST /web/dashboard/add`` and
``/web/dashboard/remove`` change it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from ...exceptions import AccessError, UserError, ValidationError
from ...i18n import formatting
from ...i18n.translate import _
from ...orm.read_group import period_end
from ...views import eval_literal, today
from ..http import Request, route
from . import values
from .controllers import _action, _context, _menus
from .dashboard_widgets import widget_blocks
from .graph import COUNT, Analysis, error_page, graph_data
from .pivot import pivot_data
from .search import CUSTOM_OPERATORS

SEARCH_KEYS = ("q", "f", "c", "menu")
PERIODS = ("day", "week", "month", "quarter", "year")
ITEM_URL = re.compile(r"^/web/action/(\d+)/(graph|pivot)$")
MAX_ITEMS = 30
LIST_LIMIT = 5


# -- KPI tiles -----------------------------------------------------------------------------------
def period_start(day: dt.date, period: str, back: int = 0) -> dt.date:
    """The first day of the ``period`` holding ``day``, ``back`` periods earlier."""
    if period == "day":
        return day - dt.timedelta(days=back)
    if period == "week":
        return day - dt.timedelta(days=day.weekday() + 7 * back)
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    index = day.year * 12 + (day.month - 1) // months * months - months * back
    return dt.date(index // 12, index % 12 + 1, 1)


def _domain_conditions(domain: list) -> list[str] | None:
    """``field|op|value`` list conditions equivalent to a domain, when it is a plain AND
    of simple leaves (None otherwise: the list cannot express it)."""
    result = []
    for leaf in domain:
        if leaf == "&":
            continue
        if not (isinstance(leaf, (list, tuple)) and len(leaf) == 3 and
                leaf[1] in CUSTOM_OPERATORS and not isinstance(leaf[2], (list, tuple))):
            return None
        value = "" if leaf[2] is False or leaf[2] is None else leaf[2]
        result.append(f"{leaf[0]}|{leaf[1]}|{value}")
    return result


def kpi(analysis: Analysis, node: Any, on: dt.date | None = None) -> dict[str, Any]:
    """One ``<aggregate>`` tile: label, formatted figure, change against the previous
    period (when ``date_field`` and ``period`` are given) and the list link."""
    env, model = analysis.env, analysis.model
    lang = env.lang
    operator = node.get("group_operator") or ("count" if node.get("field") == "id" else "sum")
    name = node.get("field")
    if operator == "count":
        spec, description = COUNT, {"type": "integer"}
    else:
        spec = f"{name}:{operator}"
        description = dict(analysis.fields.get(name) or {})
        if operator in ("avg",) and description.get("type") == "integer":
            description = {"type": "float", "digits": (16, 2)}
        if operator == "count_distinct":
            description = {"type": "integer"}
    names = {"uid": env.uid, "context_today": today(env.context.get("tz"))}
    extra = eval_literal(node.get("domain"), names, default=[]) or []
    domain = analysis.domain + list(extra)
    conditions = _domain_conditions(list(extra))
    date_field, period = node.get("date_field"), node.get("period")
    tile: dict[str, Any] = {"label": node.get("string") or analysis.label(name),
                            "change": None, "period": period}
    if date_field and period in PERIODS:
        analysis.groupbys([f"{date_field}:{period}"])  # a clear error if not a date
        day = on or dt.date.fromisoformat(names["context_today"])
        current, previous = period_start(day, period), period_start(day, period, 1)
        end = period_end(current, period)
        window = domain + [(date_field, ">=", previous.isoformat()),
                           (date_field, "<", end.isoformat())]
        rows = model._read_group_raw(window, [f"{date_field}:{period}"], [spec])
        found = {start: value or 0 for start, value in rows}
        value, before = found.get(current, 0), found.get(previous, 0)
        tile["change"] = _change(value, before, lang)
        tile["previous"] = values.display(before, description, lang)
        if conditions is not None:
            conditions += [f"{date_field}|>=|{current.isoformat()}",
                           f"{date_field}|<|{end.isoformat()}"]
    else:
        rows = model._read_group_raw(domain, [], [spec])
        value = (rows[0][0] if rows else 0) or 0
    tile["raw"] = value
    tile["value"] = values.display(value, description, lang)
    tile["link"] = analysis.list_url(conditions or []) if conditions is not None else ""
    return tile


def _change(value: float, before: float, lang: str) -> dict[str, Any]:
    if not before:
        return {"direction": "up" if value else "flat", "percent": None, "text": "—"}
    percent = (value - before) / abs(before) * 100
    direction = "up" if percent > 0 else "down" if percent < 0 else "flat"
    arrow = {"up": "▲", "down": "▼", "flat": "▶"}[direction]
    return {"direction": direction, "percent": round(percent, 1),
            "text": f"{arrow} {formatting.format_number(abs(percent), lang, digits=1)} %"}


# -- embedded views ------------------------------------------------------------------------------
def _view_id(env: Any, ref: str | None) -> int | None:
    if not ref:
        return None
    if "." in ref:
        return env(su=True).ref(ref).id
    data = env(su=True)["ir.model.data"].search([("name", "=", ref),
                                                 ("model", "=", "ir.ui.view")], limit=1)
    if not data:
        raise ValidationError(_("View '%(ref)s' does not exist.", ref=ref, lang=env.lang))
    return data.res_id


def _fragment(request: Request, template: str, action: Any, **values_: Any) -> Markup:
    return Markup(request.app.templates.render(request, template, embed=True,
                                               **_context(request, action), **values_))


def narrowed(analysis: Analysis, node: Any) -> Analysis:
    """The analysis of an embedded view with a ``domain`` of its own: the dashboard's
    search narrowed by it (as list conditions where it can be, so that the view's links
    keep it)."""
    env = analysis.env
    names = {"uid": env.uid, "context_today": today(env.context.get("tz"))}
    extra = list(eval_literal(node.get("domain"), names, default=[]) or [])
    if not extra:
        return analysis
    conditions = _domain_conditions(extra)
    if conditions is None:
        return replace(analysis, domain=analysis.domain + extra)
    args = MultiDict(analysis.args)
    for condition in conditions:
        args.add("c", condition)
    return Analysis.of(env, analysis.action, args)


def embedded_view(request: Request, analysis: Analysis, node: Any) -> Markup | dict:
    env, action = request.env, analysis.action
    kind = node.get("type")
    if kind not in ("graph", "pivot", "list"):
        return Markup("")
    analysis = narrowed(analysis, node)
    view = env["ir.ui.view"].get_view(action.res_model, kind, _view_id(env, node.get("ref")))
    base = f"/web/action/{action.id}"
    if kind == "graph":
        data = graph_data(analysis, view.arch)
        link = f"{base}/graph?" + analysis.query(g=",".join(data["groupbys"]) or ",",
                                                 m=data["measure"], chart=data["chart"])
        return _fragment(request, "client/graph.html", action, a=analysis, g=data, error="",
                         link=link, title_override=node.get("name") or "")
    if kind == "pivot":
        data = pivot_data(analysis, view.arch)
        link = f"{base}/pivot?" + analysis.query(rows=",".join(data["rows"]) or ",",
                                                 cols=",".join(data["cols"]) or ",",
                                                 m=[k for k, _l in data["measures"]])
        return _fragment(request, "client/pivot.html", action, a=analysis, p=data, error="",
                         link=link, title_override=node.get("name") or "")
    return short_list(analysis, view)


def short_list(analysis: Analysis, view: Any) -> dict[str, Any]:
    columns = [n for n in view.arch.iter("field") if n.get("name") in view.fields
               and n.get("invisible") not in ("1", "True") and n.get("optional") != "hide"]
    names = [c.get("name") for c in columns]
    order = view.arch.get("default_order") or None
    records = analysis.model.search(analysis.domain, order=order, limit=LIST_LIMIT)
    rows = records.read(names) if records else []
    return {"list": True, "title": view.arch.get("string") or analysis.action.name,
            "columns": [(n, c.get("string") or view.fields[n].get("string") or n)
                        for n, c in zip(names, columns)],
            "fields": view.fields, "rows": rows,
            "more": analysis.list_url([]), "base": f"/web/action/{analysis.action.id}"}


def render_nodes(request: Request, analysis: Analysis, parent: Any) -> list[dict[str, Any]]:
    """The dashboard's blocks in arch order: sections, KPI rows, views."""
    blocks: list[dict[str, Any]] = []
    tiles: list[dict[str, Any]] = []
    for node in parent:
        if not isinstance(node.tag, str) or node.get("invisible") in ("1", "True"):
            continue
        if node.tag == "aggregate":
            tiles.append(kpi(analysis, node))
            continue
        if node.tag == "widget":
            day = dt.date.fromisoformat(today(analysis.env.context.get("tz")))
            for block in widget_blocks(analysis.env, node, day, analysis.model._name,
                                       analysis.domain):
                if block["kind"] == "kpis":  # beside the tiles before it
                    tiles.extend(block["tiles"])
                    continue
                if tiles:
                    blocks.append({"kind": "kpis", "tiles": tiles})
                    tiles = []
                blocks.append(block)
            continue
        if tiles:
            blocks.append({"kind": "kpis", "tiles": tiles})
            tiles = []
        if node.tag == "group":
            blocks.append({"kind": "group", "title": node.get("string") or "",
                           "blocks": render_nodes(request, analysis, node)})
        elif node.tag == "view":
            content = embedded_view(request, analysis, node)
            if isinstance(content, dict):
                blocks.append({"kind": "list", **content})
            elif content:
                blocks.append({"kind": "html", "html": content})
    if tiles:
        blocks.append({"kind": "kpis", "tiles": tiles})
    return blocks


@route("/web/action/<int:action_id>/dashboard", auth="user")
def dashboard_view(request: Request, action_id: int) -> Response | str:
    action = _action(request, action_id)
    env = request.env
    args = MultiDict([(k, v) for k, v in request.args.items(multi=True) if k in SEARCH_KEYS])
    try:
        analysis = Analysis.of(env, action, args)
        view = env["ir.ui.view"].get_view(
            action.res_model, "dashboard",
            action._view_id_for("dashboard"))
        blocks = render_nodes(request, analysis, view.arch)
    except ValidationError as exc:
        return error_page(request, action, "client/dashboard.html", str(exc),
                          a=Analysis.of(env, action, MultiDict()), blocks=[], personal=False,
                          display=values.display,
                          heading=action.name)
    return request.render("client/dashboard.html", **_context(request, action), a=analysis,
                          blocks=blocks, error="", personal=False, display=values.display,
                          heading=view.arch.get("string") or action.name)


# -- the personal dashboard ----------------------------------------------------------------------
def _key(env: Any) -> str:
    return f"dashboard.user.{env.uid}"


def user_items(env: Any) -> list[dict[str, str]]:
    raw = env(su=True)["ir.config_parameter"].get_param(_key(env))
    try:
        items = json.loads(raw) if raw else []
    except ValueError:
        return []
    return [i for i in items if isinstance(i, dict) and {"id", "url", "title"} <= set(i)]


def _save(env: Any, items: list[dict[str, str]]) -> None:
    env(su=True)["ir.config_parameter"].set_param(_key(env), json.dumps(items) if items
                                                  else False)


def _item_block(request: Request, item: dict[str, str]) -> dict[str, Any]:
    parts = urlsplit(item["url"])
    match = ITEM_URL.match(parts.path)
    block: dict[str, Any] = {"kind": "item", "item": item, "html": Markup(""), "error": ""}
    if not match:
        block["error"] = _("This item cannot be shown.", lang=request.lang)
        return block
    try:
        action = _action(request, int(match.group(1)))
        args = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
        analysis = Analysis.of(request.env, action, args)
        views = request.env["ir.ui.view"]
        view_id = action._view_id_for(match.group(2))
        arch = views.get_view(action.res_model, match.group(2), view_id).arch
        if match.group(2) == "graph":
            block["html"] = _fragment(request, "client/graph.html", action, a=analysis,
                                      g=graph_data(analysis, arch), error="",
                                      link=item["url"], title_override=item["title"])
        else:
            block["html"] = _fragment(request, "client/pivot.html", action, a=analysis,
                                      p=pivot_data(analysis, arch), error="",
                                      link=item["url"], title_override=item["title"])
    except (NotFound, AccessError):
        block["error"] = _("You no longer have access to this item.", lang=request.lang)
    except (ValidationError, UserError) as exc:
        block["error"] = str(exc)
    return block


@route("/web/dashboard", auth="user")
def personal_dashboard(request: Request) -> Response | str:
    blocks = [_item_block(request, item) for item in user_items(request.env)]
    return request.render("client/dashboard.html", **_menus(request), action=None,
                          menu_id="", title=_("My dashboard", lang=request.lang),
                          heading=_("My dashboard", lang=request.lang), blocks=blocks,
                          error="", personal=True, a=None,
                          display=values.display)


@route("/web/dashboard/add", methods=("POST",), auth="user")
def add_item(request: Request) -> Response:
    url = (request.form.get("url") or "").strip()
    title = (request.form.get("title") or "").strip()[:120]
    if not ITEM_URL.match(urlsplit(url).path) or url.startswith("//"):
        raise ValidationError(_("Only graphs and pivots can be added to a dashboard.",
                                lang=request.lang))
    _action(request, int(ITEM_URL.match(urlsplit(url).path).group(1)))  # may the user?
    items = user_items(request.env)
    if len(items) >= MAX_ITEMS:
        raise ValidationError(_("Your dashboard is full (%(max)s items): remove one first.",
                                max=MAX_ITEMS, lang=request.lang))
    items.append({"id": uuid.uuid4().hex[:12], "url": url,
                  "title": title or _("Untitled", lang=request.lang)})
    _save(request.env, items)
    return redirect("/web/dashboard", code=303)


@route("/web/dashboard/remove", methods=("POST",), auth="user")
def remove_item(request: Request) -> Response:
    wanted = request.form.get("item") or ""
    items = user_items(request.env)
    kept = [i for i in items if i["id"] != wanted]
    if len(kept) == len(items):
        raise NotFound()
    _save(request.env, kept)
    return redirect("/web/dashboard", code=303)
