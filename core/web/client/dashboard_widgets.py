"""Dashboard widgets: figures a dashboard shows that one ``read_group`` cannot give.

An ``<aggregate>`` tile sums one field of the dashboard's model; a widget computes what
needs business rules or several models (sales won against targets, activities done per
salesperson...). An addon returns :class:`DashboardWidget` objects from the
``comptoir_dashboard_widgets`` hook; a dashboard arch places one with
``<widget name="<key>" string="Title" options="{'period': 'month'}"/>``. The widget's
``render(context)`` runs as the viewing user (his access rules apply: a widget reads
through the ORM) and returns :class:`Tile` and :class:`Table` items, drawn by
``views/client/dashboard.html`` like the built-in tiles and lists. An unknown widget
name, or bad options, show an error in place of the widget, never a traceback.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ...automation.catalogue import hook_catalogue
from ...exceptions import AccessError, UserError, ValidationError
from ...i18n import formatting
from ...i18n.translate import _
from ...views import eval_literal

if TYPE_CHECKING:
    from ...orm import Environment, Registry

_CATALOGUE_KEY = "web_dashboard_widgets"


@dataclass(frozen=True)
class Tile:
    """A KPI tile: ``value`` already formatted for the viewer, ``raw`` the number
    (kept in a data attribute), ``link`` the list behind it (optional), ``note`` a
    short line under the figure (a comparison, a target...)."""

    label: str
    value: str
    raw: float | int | None = None
    link: str = ""
    note: str = ""


@dataclass(frozen=True)
class Column:
    """A table column; ``numeric`` right-aligns it, ``progress`` draws its cells (a
    percentage, 0-100 or more) as a progress bar beside the text."""

    key: str
    label: str
    numeric: bool = False
    progress: bool = False


@dataclass(frozen=True)
class Table:
    """A small table: ``rows`` map column keys to formatted text (``<key>__value``: the
    number of a progress cell; ``__link``: where the first cell leads)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    link: str = ""
    empty: str = ""


@dataclass(frozen=True)
class WidgetContext:
    """What a widget renders for: the viewer's ``env`` (his rights, language, time
    zone), the day it is (in his time zone), the arch node's ``title`` and
    ``options`` (a literal dict), and the dashboard's own ``model`` and search
    ``domain`` (a widget about that model may narrow its figures to them)."""

    env: "Environment"
    today: dt.date
    title: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    model: str = ""
    domain: list = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.env.lang or "en_US"

    def number(self, value: float | int | None, digits: int | None = 0) -> str:
        return formatting.format_number(value or 0, self.lang, digits=digits)

    def money(self, value: float | int | None, currency: str | None) -> str:
        if not currency:
            return self.number(value, 2)
        return formatting.format_currency(value or 0, currency, self.lang)

    def percent(self, value: float | int | None) -> str:
        return f"{formatting.format_number(value or 0, self.lang, digits=0)} %"


Item = Tile | Table


@dataclass(frozen=True)
class DashboardWidget:
    """A widget dashboards may show: ``render(context)`` returns its items (tiles are
    shown side by side, tables below). ``help`` says what it shows (the view editor
    lists it)."""

    key: str
    label: str
    render: Callable[[WidgetContext], Sequence[Item] | Item]
    help: str = ""


def widgets_of(registry: "Registry") -> dict[str, DashboardWidget]:
    """Every widget of this registry's addons, by key (asked once per registry)."""
    return hook_catalogue(registry, _CATALOGUE_KEY, "comptoir_dashboard_widgets", (),
                          DashboardWidget, "dashboard widgets")


def _block(item: Item) -> dict[str, Any]:
    if isinstance(item, Tile):
        return {"label": item.label, "value": item.value, "raw": item.raw,
                "link": item.link, "note": item.note, "change": None}
    return {"kind": "table", "title": item.title, "columns": list(item.columns),
            "rows": list(item.rows), "link": item.link, "empty": item.empty}


def widget_blocks(env: "Environment", node: Any, today: dt.date, model: str = "",
                  domain: Sequence | None = None) -> list[dict[str, Any]]:
    """The dashboard blocks of one ``<widget>`` node: ``kpis`` rows of its tiles and
    ``table`` blocks, or an ``error`` block (unknown widget, bad options, an error
    the widget reports)."""
    name = node.get("name") or ""
    title = node.get("string") or ""
    widget = widgets_of(env.registry).get(name)
    try:
        if widget is None:
            raise ValidationError(_("No dashboard widget is called “%(name)s”.", name=name,
                                    lang=env.lang))
        options = eval_literal(node.get("options"), {}, default={}) or {}
        if not isinstance(options, dict):
            raise ValidationError(_("The options of the widget “%(name)s” must be a "
                                    "dictionary.", name=name, lang=env.lang))
        context = WidgetContext(env, today, title or widget.label, options, model,
                                list(domain or []))
        items = widget.render(context)
    except (AccessError, UserError) as exc:  # ValidationError is a UserError
        return [{"kind": "error", "title": title or name, "message": str(exc)}]
    if isinstance(items, (Tile, Table)):
        items = [items]
    blocks: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Tile):
            if not blocks or blocks[-1]["kind"] != "kpis":
                blocks.append({"kind": "kpis", "tiles": []})
            blocks[-1]["tiles"].append(_block(item))
        else:
            blocks.append(_block(item))
    return blocks


__all__ = ["Column", "DashboardWidget", "Table", "Tile", "WidgetContext", "widget_blocks",
           "widgets_of"]
