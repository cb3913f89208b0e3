"""The sales dashboard's widgets (``crm_base.crm_lead_view_dashboard``).

The pipeline and forecast tiles and charts are the kernel's (``<aggregate>`` and
embedded graph and pivot views of ``crm.lead``, read as the viewer: his record rules
decide which opportunities count). Two figures need more than one ``read_group``, so
they are dashboard widgets (:mod:`core.web.client.dashboard_widgets`), registered by the
addon's ``comptoir_dashboard_widgets`` hook from :data:`DASHBOARD_WIDGETS`:

* ``crm_won_against_target`` (option ``period``: ``month`` or ``quarter``, or
  ``periods``: both): per salesperson, the target of the current period and what was
  won in it;
* ``crm_activities_done``: per salesperson, the activities done this week, by type.

Both cover the salespeople whose figures the viewer may see, as the record rules of
targets and visit reports do: a sales representative his own, a team leader those of
the teams he leads or belongs to, a sales manager everyone in sales.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from core import _
from core.exceptions import ValidationError
from core.web.client.dashboard_widgets import (Column, DashboardWidget, Table, Tile,
                                               WidgetContext)

from .crm_target import period_label, utc_bounds, week_bounds

PERIODS = ("month", "quarter")


def users_in_group(env: Any, xmlid: str) -> Any:
    """Active users of a group, members of the groups implying it included."""
    groups = env["res.groups"].sudo()
    found = frontier = env.ref(xmlid).sudo()
    while frontier:
        frontier = groups.search([("implied_ids", "in", frontier.ids),
                                  ("id", "not in", found.ids)])
        found |= frontier
    return env["res.users"].sudo().search([("groups_id", "in", found.ids)])


def visible_salespeople(env: Any) -> Any:
    """The salespeople whose figures the current user may see (see the module)."""
    user = env.user.sudo()
    if env.su or user.has_group("crm_base.group_sale_manager"):
        return users_in_group(env, "crm_base.group_sale_salesman")
    if user.has_group("crm_base.group_sale_team_leader"):
        teams = env["crm.team"].sudo().search(["|", ("user_id", "=", user.id),
                                               ("member_ids", "in", [user.id])])
        return (teams.mapped("member_ids") | teams.mapped("user_id") | user).filtered(
            lambda u: u.active)
    return user


def _action_url(env: Any, xmlid: str, query: str = "") -> str:
    action = env.ref(xmlid, raise_if_not_found=False)
    return f"/web/action/{action.id}{'?' + query if query else ''}" if action else ""


def won_against_target(context: WidgetContext) -> list[Tile | Table]:
    """The targets and wins of each salesperson the viewer may see, for the current
    ``period`` (option; or several: ``periods``): the tiles first, then the tables."""
    env, lang = context.env, context.lang
    periods = context.options.get("periods") or [context.options.get("period", "month")]
    wrong = [p for p in periods if p not in PERIODS] if isinstance(periods, list) else \
        [periods]
    if wrong:
        raise ValidationError(_("The period of the widget is month or quarter, not "
                                "“%(period)s”.", period=wrong[0], lang=lang))
    users = visible_salespeople(env)
    currency = env.company.currency_id.name
    link = _action_url(env, "crm_base.crm_target_action", "f=current")
    tiles, tables = [], []
    for period in periods:
        rows = env["crm.target"]._achievements(context.today, period, users.ids)
        won = sum(row["won_amount"] for row in rows)
        goal = sum(row["target_amount"] for row in rows)
        label = period_label(context.today, period, lang)
        note = _("of %(target)s targeted (%(rate)s)", target=context.money(goal, currency),
                 rate=context.percent(won / goal * 100 if goal else 0), lang=lang) \
            if goal else _("no target set", lang=lang)
        tiles.append(Tile(_("Won in %(period)s", period=label, lang=lang),
                          context.money(won, currency), won, link=link, note=note))
        tables.append(Table(_("%(title)s · %(period)s", title=context.title, period=label,
                              lang=lang), _target_columns(lang),
                            _target_lines(context, rows, currency), link=link,
                            empty=_("No target and no deal won in %(period)s.", period=label,
                                    lang=lang)))
    return [*tiles, *tables]


def _target_columns(lang: str) -> list[Column]:
    return [Column("user", _("Salesperson", lang=lang)),
            Column("target", _("Target", lang=lang), numeric=True),
            Column("won", _("Won", lang=lang), numeric=True),
            Column("count", _("Deals", lang=lang), numeric=True),
            Column("rate", _("Achieved", lang=lang), progress=True)]


def _target_lines(context: WidgetContext, rows: list[dict[str, Any]], currency: str
                  ) -> list[dict[str, Any]]:
    lang = context.lang
    lines = []
    for row in rows:
        if not row["target"] and not row["won_amount"]:
            continue  # nothing to show for this salesperson in the period
        rate = row["achievement"]
        lines.append({
            "user": row["user"].name, "target": context.money(row["target_amount"], currency)
            if row["target"] else _("None", lang=lang),
            "won": context.money(row["won_amount"], currency), "count": row["won_count"],
            "rate": context.percent(rate) if rate is not None else "—",
            "rate__value": rate or 0})
    return lines


def activities_done(context: WidgetContext) -> list[Tile | Table]:
    """This week's activities done by each salesperson the viewer may see, by type
    (one grouped query)."""
    env, lang = context.env, context.lang
    users = visible_salespeople(env)
    monday, sunday = week_bounds(context.today)
    start, end = utc_bounds(env, monday, sunday)
    rows = env["mail.activity"].sudo().with_context(active_test=False)._read_group_raw(
        [("active", "=", False), ("user_id", "in", users.ids),
         ("date_done", ">=", start), ("date_done", "<", end)],
        ["user_id", "activity_type_id"], ["__count"]) if users else []
    by_user: dict[int, dict[int | None, int]] = defaultdict(dict)
    for user_id, type_id, count in rows:
        by_user[user_id][type_id] = count
    type_ids = sorted({type_id for _u, type_id, _c in rows if type_id})
    kinds = env["mail.activity.type"].sudo().with_context(active_test=False).browse(type_ids)
    kinds = kinds.sorted(lambda k: (k.sequence, k.id))
    columns = [Column("user", _("Salesperson", lang=lang))] + \
        [Column(f"type_{kind.id}", kind.name, numeric=True) for kind in kinds]
    if any(None in counts for counts in by_user.values()):
        columns.append(Column("type_none", _("Other", lang=lang), numeric=True))
    columns.append(Column("total", _("Total", lang=lang), numeric=True))
    lines = []
    for user in users.sorted(lambda u: (u.name or "").lower()):
        counts = by_user.get(user.id)
        if not counts:
            continue
        line: dict[str, Any] = {"user": user.name, "total": context.number(sum(counts.values()))}
        for kind in kinds:
            line[f"type_{kind.id}"] = context.number(counts.get(kind.id, 0))
        if None in counts:
            line["type_none"] = context.number(counts[None])
        lines.append(line)
    total = sum(count for _u, _t, count in rows)
    week = _("week of %(date)s", date=monday.isoformat(), lang=lang)
    return [Tile(context.title, context.number(total), total, note=week),
            Table(context.title, columns, lines,
                  link=_action_url(env, "mail.mail_activity_action_team", "f=done"),
                  empty=_("No activity done this week yet.", lang=lang))]


DASHBOARD_WIDGETS = [
    DashboardWidget("crm_won_against_target", "Won against target", won_against_target,
                    help="Per salesperson, the current month's (option period: 'month') or "
                         "quarter's ('quarter') target and what was won; periods: "
                         "['month', 'quarter'] for both."),
    DashboardWidget("crm_activities_done", "Activities done this week", activities_done,
                    help="Per salesperson and activity type, the activities done this week."),
]
