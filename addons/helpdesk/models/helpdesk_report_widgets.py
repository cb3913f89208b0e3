"""The helpdesk dashboard's widgets (``helpdesk.helpdesk_ticket_view_dashboard``).

Counts by team, type, priority and month are the kernel's graph and pivot views of
``helpdesk.ticket``. The figures below need more than one ``read_group``; they come from
:mod:`.helpdesk_report` and are registered by the addon's ``comptoir_dashboard_widgets``
hook from :data:`DASHBOARD_WIDGETS`:

* ``helpdesk_kpis`` (option ``period``: week, month (default), quarter or year; ``history``:
  how many periods the trend table shows, 6 by default): the key figures of the current
  period against the previous one, and their trend;
* ``helpdesk_kpis_by`` (options ``period``, ``by``: ``team_id`` (default), ``priority``,
  ``user_id``...): the same figures per team (or per priority, agent...);
* ``helpdesk_backlog_age`` (option ``by``: ``team_id`` (default), ``priority``,
  ``user_id``...; ``tile``: False to show the table only): the unresolved tickets by age;
* ``helpdesk_escalations`` (option ``period``): the escalations of the period, latest first.

Each reads as the viewer, narrowed by the dashboard's search (a team, a type, tickets created
in a period...): an agent sees the figures of his teams' tickets, a manager everyone's.
"""
from __future__ import annotations

from typing import Any

from core import _
from core.exceptions import ValidationError
from core.i18n.translate import _lt
from core.web.client.dashboard_widgets import (Column, DashboardWidget, Table, Tile,
                                               WidgetContext)

from .helpdesk_report import (AGE_BUCKETS, PERIODS, bounds_of, bucket_labels, label_of,
                              utc_bounds)

MAX_HISTORY = 24
MAX_LINES = 20


def _action_url(env: Any, xmlid: str, query: str = "") -> str:
    action = env.ref(xmlid, raise_if_not_found=False)
    return f"/web/action/{action.id}{'?' + query if query else ''}" if action else ""


def _period(context: WidgetContext) -> str:
    period = context.options.get("period", "month")
    if period not in PERIODS:
        raise ValidationError(_("The period of the widget is week, month, quarter or year, "
                                "not “%(period)s”.", period=period, lang=context.lang))
    return period


def _hours(context: WidgetContext, value: float | None) -> str:
    return _("%(hours)s h", hours=context.number(value, 1), lang=context.lang) \
        if value is not None else "—"


def _percent(context: WidgetContext, value: float | None) -> str:
    return context.percent(value) if value is not None else "—"


#: the key figures a KPI widget shows: (key, label, formatter kind)
FIGURES = (("opened", _lt("Opened"), "count"), ("resolved", _lt("Resolved"), "count"),
           ("avg_first_response_hours", _lt("Avg. first response"), "hours"),
           ("avg_handling_hours", _lt("Avg. handling time"), "hours"),
           ("fcr_rate", _lt("First-contact resolution"), "percent"),
           ("reopen_rate", _lt("Reopen rate"), "percent"),
           ("sla_success_rate", _lt("SLA success"), "percent"),
           ("escalations", _lt("Escalations"), "count"))


def _format(context: WidgetContext, kind: str, value: Any) -> str:
    if kind == "hours":
        return _hours(context, value)
    if kind == "percent":
        return _percent(context, value)
    return context.number(value)


def kpis(context: WidgetContext) -> list[Tile | Table]:
    """The key figures of the current period (tiles, the previous period's in their note)
    and their trend over the last ``history`` periods (a table, latest first)."""
    env, lang = context.env, context.lang
    period = _period(context)
    history = context.options.get("history", 6)
    if not isinstance(history, int) or not 1 <= history <= MAX_HISTORY:
        raise ValidationError(_("The history of the widget is a number of periods from 1 to "
                                "%(max)s.", max=MAX_HISTORY, lang=lang))
    report = env["helpdesk.report"]
    rows = [report._kpis_for_period(context.domain, context.today, period, back)
            for back in range(max(history, 2))]
    current, previous = rows[0], rows[1]
    link = _action_url(env, "helpdesk.helpdesk_ticket_action_analysis")
    tiles = []
    for key, label, kind in FIGURES:
        tiles.append(Tile(_(label, lang=lang), _format(context, kind, current[key]),
                          current[key], link=link,
                          note=_("%(before)s: %(previous)s", before=previous["label"],
                                 previous=_format(context, kind, previous[key]), lang=lang)))
    columns = [Column("period", _("Period", lang=lang))] + \
        [Column(key, _(label, lang=lang), numeric=True) for key, label, _k in FIGURES]
    lines = [{"period": row["label"],
              **{key: _format(context, kind, row[key]) for key, _l, kind in FIGURES}}
             for row in rows[:history]]
    return [*tiles, Table(_("%(title)s · trend", title=context.title, lang=lang), columns,
                          lines, link=link)]


def kpis_by(context: WidgetContext) -> Table:
    """The key figures of the current ``period`` per ``by`` (option: ``team_id`` by
    default, ``priority``, ``user_id``, ``ticket_type_id``...), one line per group with a
    figure (a constant number of queries, whatever the number of groups)."""
    env, lang = context.env, context.lang
    period = _period(context)
    by = context.options.get("by", "team_id")
    tickets = env["helpdesk.ticket"]
    if not isinstance(by, str) or by not in tickets._fields:
        raise ValidationError(_("Tickets have no field “%(field)s” to group the figures "
                                "by.", field=by, lang=lang))
    first, last = bounds_of(context.today, period)
    groups = env["helpdesk.report"]._kpis_by(context.domain, first, last, by)
    field = tickets._fields[by]
    names = _group_names(env, field, list(groups))
    columns = [Column("group", field.string or by)] + \
        [Column(key, _(label, lang=lang), numeric=True) for key, label, _k in FIGURES]
    lines = [{"group": names.get(key) or _("None", lang=lang),
              **{name: _format(context, kind, groups[key][name])
                 for name, _l, kind in FIGURES}}
             for key in sorted(groups, key=lambda k: _sort_key(names, k))]
    return Table(_("%(title)s · %(period)s", title=context.title,
                   period=label_of(first, period, lang), lang=lang), columns, lines,
                 link=_action_url(env, "helpdesk.helpdesk_ticket_action_analysis"),
                 empty=_("No ticket in this period.", lang=lang))


def backlog_age(context: WidgetContext) -> list[Tile | Table]:
    """The unresolved tickets by ``by`` (option) and age (one grouped query)."""
    env, lang = context.env, context.lang
    by = context.options.get("by", "team_id")
    tickets = env["helpdesk.ticket"]
    if not isinstance(by, str) or by not in tickets._fields:
        raise ValidationError(_("Tickets have no field “%(field)s” to group the backlog "
                                "by.", field=by, lang=lang))
    table = env["helpdesk.report"]._backlog_by_age(context.domain, by, context.today)
    field = tickets._fields[by]
    names = _group_names(env, field, list(table))
    labels = bucket_labels(lang)
    columns = [Column("group", field.string or by)] + \
        [Column(key, labels[key], numeric=True) for key, _lo, _hi in AGE_BUCKETS] + \
        [Column("total", _("Total", lang=lang), numeric=True)]
    lines = []
    for key in sorted(table, key=lambda k: _sort_key(names, k)):
        counts = table[key]
        lines.append({"group": names.get(key) or _("None", lang=lang),
                      **{name: context.number(counts[name]) for name, _lo, _hi in AGE_BUCKETS},
                      "total": context.number(counts["total"])})
    total = sum(counts["total"] for counts in table.values())
    old = sum(counts[name] for counts in table.values()
              for name, low, _hi in AGE_BUCKETS if low >= 7)
    link = _action_url(env, "helpdesk.helpdesk_ticket_action_analysis")
    table = Table(context.title, columns, lines, link=link,
                  empty=_("No unresolved ticket.", lang=lang))
    if not context.options.get("tile", True):
        return [table]
    return [Tile(_("Unresolved tickets", lang=lang), context.number(total), total, link=link,
                 note=_("%(count)s older than a week", count=context.number(old), lang=lang)),
            table]


def _sort_key(names: dict[Any, str], key: Any) -> tuple[bool, str]:
    """Groups by name, the empty group ("None") last."""
    return (key in (None, False), (names.get(key) or "").lower())


def _group_names(env: Any, field: Any, keys: list[Any]) -> dict[Any, str]:
    """Display names of backlog group keys: records' names (one query) or selection
    labels."""
    if field.type == "many2one":
        ids = [key for key in keys if key]
        records = env[field.comodel_name].sudo().with_context(active_test=False).browse(ids)
        return {record.id: record.display_name or "" for record in records}
    if field.type == "selection":
        selection = dict(env["helpdesk.ticket"].fields_get([field.name], ["selection"])
                         [field.name]["selection"])
        return {key: selection.get(key, str(key)) for key in keys if key}
    return {key: str(key) for key in keys if key is not None}


def escalations(context: WidgetContext) -> list[Tile | Table]:
    """The escalations logged in the current ``period`` on the tickets the viewer may see,
    latest first (at most :data:`MAX_LINES` lines)."""
    env, lang = context.env, context.lang
    period = _period(context)
    first, last = bounds_of(context.today, period)
    start, end = utc_bounds(env, first, last)
    empty = _("No escalation in this period.", lang=lang)
    if "helpdesk.escalation.log" not in env:
        return [Table(context.title, [], [], empty=empty)]
    logs = env["helpdesk.escalation.log"].sudo().search(
        env["helpdesk.report"]._escalation_domain(context.domain, start, end),
        order="date desc, id desc")
    kinds = dict(logs._fields["kind"].selection)
    columns = [Column("date", _("Date", lang=lang)), Column("ticket", _("Ticket", lang=lang)),
               Column("team", _("Team", lang=lang)), Column("kind", _("Kind", lang=lang)),
               Column("rule", _("Rule", lang=lang)), Column("actions", _("Actions", lang=lang))]
    lines = [{"date": log.date.strftime("%Y-%m-%d %H:%M") if log.date else "",
              "ticket": log.ticket_id.display_name, "team": log.team_id.name or "",
              "kind": _(kinds[log.kind], lang=lang) if log.kind in kinds else "",
              "rule": log.rule_id.name or "", "actions": log.actions or ""}
             for log in logs[:MAX_LINES]]
    return [Tile(_("Escalations", lang=lang), context.number(len(logs)), len(logs),
                 note=label_of(first, period, lang)),
            Table(context.title, columns, lines, empty=empty)]


DASHBOARD_WIDGETS = [
    DashboardWidget("helpdesk_kpis", "Helpdesk key figures", kpis,
                    help="Opened, resolved, average first response and handling time, "
                         "first-contact resolution, reopen and SLA success rates, "
                         "escalations: this period against the last one, and the trend. "
                         "Options: period ('week', 'month', 'quarter', 'year'), history "
                         "(periods in the trend, 6)."),
    DashboardWidget("helpdesk_kpis_by", "Helpdesk key figures by team", kpis_by,
                    help="The key figures of the current period (option period) per team, "
                         "or per the ticket field of option by ('priority', 'user_id', "
                         "'ticket_type_id'...)."),
    DashboardWidget("helpdesk_backlog_age", "Unresolved backlog by age", backlog_age,
                    help="Open tickets by age (days since creation), per team (option by: "
                         "'team_id', 'priority', 'user_id'...; tile: False for the table "
                         "only)."),
    DashboardWidget("helpdesk_escalations", "Escalations", escalations,
                    help="The escalations of the current period (option period), latest "
                         "first."),
]
