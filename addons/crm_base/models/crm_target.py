"""``crm.target``: how much a salesperson should win in a month, a quarter or a year.

A target names its salesperson, a period kind and any day of the period (``date_start``):
the period's first and last days (``date_from``, ``date_to``) follow, so targets always
cover whole calendar months, quarters or years and one salesperson has one target per
period (a monthly and a quarterly one may overlap). The amount achieved (``won_amount``)
is the expected revenue of the salesperson's opportunities won and closed in the period,
computed for a whole list of targets with one grouped query; it is the salesperson's
figure whoever looks at it (a team leader sees his members' true achievement).

Salespeople read their own targets, team leaders their team's, managers set them all
(``security/access_reporting.csv``, ``security/rules_reporting.xml``).
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from core import Model, _, api, fields
from core.exceptions import ValidationError
from core.mail.models.mail_activity import local_today

PERIODS = [("month", "Month"), ("quarter", "Quarter"), ("year", "Year")]
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "year": 12}


def period_bounds(day: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The first and last days of the ``period`` (month, quarter, year) holding ``day``."""
    months = MONTHS_PER_PERIOD[period]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return (dt.date(day.year, first_month, 1),
            dt.date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]))


def week_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of ``day``'s week."""
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


def period_label(day: dt.date, period: str, lang: str | None = None) -> str:
    """``March 2026``, ``Q1 2026`` or ``2026`` (month names in ``lang``)."""
    from babel.dates import format_date
    if period == "year":
        return str(day.year)
    if period == "quarter":
        return _("Q%(quarter)s %(year)s", quarter=(day.month - 1) // 3 + 1, year=day.year,
                 lang=lang)
    return format_date(day, "LLLL yyyy", locale=lang or "en_US").capitalize()


def month_starts(date_from: dt.date, date_to: dt.date) -> Iterable[dt.date]:
    """The first day of every month from ``date_from``'s to ``date_to``'s."""
    index, last = date_from.year * 12 + date_from.month - 1, date_to.year * 12 + date_to.month - 1
    for value in range(index, last + 1):
        yield dt.date(value // 12, value % 12 + 1, 1)


def utc_bounds(env: Any, date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime,
                                                                          dt.datetime]:
    """Naive UTC datetimes of the start of ``date_from`` and of the day after
    ``date_to`` in the context's time zone (the one ``read_group`` groups dates in)."""
    try:
        zone: dt.tzinfo = ZoneInfo(env.context.get("tz") or "UTC")
    except (KeyError, ValueError, OSError):
        zone = dt.timezone.utc

    def utc(day: dt.date) -> dt.datetime:
        local = dt.datetime.combine(day, dt.time(), tzinfo=zone)
        return local.astimezone(dt.timezone.utc).replace(tzinfo=None)

    return utc(date_from), utc(date_to + dt.timedelta(days=1))


def won_by_user_month(env: Any, user_ids: Iterable[int], date_from: dt.date,
                      date_to: dt.date) -> dict[tuple[int, dt.date], tuple[float, int]]:
    """``{(user id, first day of month): (won amount, won count)}``: the expected revenue
    of opportunities won and closed from ``date_from`` to ``date_to`` (included), per
    salesperson and month of closing, in one grouped query (as the system: these are the
    salespeople's results, whoever asks)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    start, end = utc_bounds(env, date_from, date_to)
    rows = env["crm.lead"].sudo()._read_group_raw(
        [("type", "=", "opportunity"), ("won_status", "=", "won"), ("user_id", "in", ids),
         ("date_closed", ">=", start), ("date_closed", "<", end)],
        ["user_id", "date_closed:month"], ["expected_revenue:sum", "__count"])
    return {(user_id, month): (amount or 0.0, count or 0)
            for user_id, month, amount, count in rows if user_id and month}


class CrmTarget(Model):
    _name = "crm.target"
    _description = "Sales Target"
    _order = "date_from desc, user_id, id"

    user_id = fields.Many2one("res.users", "Salesperson", required=True, index=True,
                              ondelete="cascade")
    team_id = fields.Many2one("crm.team", "Sales Team", index=True, ondelete="set null",
                              help="By default the salesperson's main team.")
    period = fields.Selection(PERIODS, "Period", required=True, default="month")
    date_start = fields.Date("Period of", required=True,
                             default=lambda self: local_today(self.env.user.tz),
                             help="Any day of the period: the target covers the whole "
                                  "month, quarter or year holding it.")
    date_from = fields.Date("From", compute="_compute_dates", store=True, index=True)
    date_to = fields.Date("To", compute="_compute_dates", store=True, index=True)
    target_amount = fields.Monetary("Target", currency_field="currency_id", required=True)
    currency_id = fields.Many2one("res.currency", "Currency",
                                  default=lambda self: self.env.company.currency_id.id)
    won_amount = fields.Monetary("Won", currency_field="currency_id",
                                 compute="_compute_achievement",
                                 help="Expected revenue of the salesperson's opportunities "
                                      "won in the period.")
    won_count = fields.Integer("Deals Won", compute="_compute_achievement")
    achievement = fields.Float("Achieved (%)", digits=(6, 1), compute="_compute_achievement")
    note = fields.Text("Notes")

    _sql_constraints = [
        ("user_period_unique", "unique(user_id, period, date_from)",
         "A salesperson has one target per period."),
        ("amount_positive", "CHECK(target_amount >= 0)", "A target is not negative."),
    ]

    # -- computed ----------------------------------------------------------------------------
    @api.depends("period", "date_start")
    def _compute_dates(self) -> None:
        for target in self:
            if target.date_start and target.period:
                target.date_from, target.date_to = period_bounds(target.date_start,
                                                                 target.period)
            else:
                target.date_from = target.date_to = False

    def _compute_achievement(self) -> None:
        """Every target of the batch from one grouped query (months of closing)."""
        targets = [t for t in self if t.user_id and t.date_from and t.date_to]
        found: dict[tuple[int, dt.date], tuple[float, int]] = {}
        if targets:
            found = won_by_user_month(self.env, [t.user_id.id for t in targets],
                                      min(t.date_from for t in targets),
                                      max(t.date_to for t in targets))
        for target in self:
            amount, count = 0.0, 0
            if target in targets:
                for month in month_starts(target.date_from, target.date_to):
                    month_amount, month_count = found.get((target.user_id.id, month), (0, 0))
                    amount += month_amount
                    count += month_count
            target.won_amount = amount
            target.won_count = count
            target.achievement = round(amount / target.target_amount * 100, 1) \
                if target.target_amount else 0.0

    def _compute_display_name(self) -> None:
        lang = self.env.lang
        for target in self:
            if target.date_from and target.period:
                target.display_name = _("%(user)s · %(period)s", user=target.user_id.name or "",
                                        period=period_label(target.date_from, target.period,
                                                            lang), lang=lang)
            else:
                target.display_name = target.user_id.name or _("Target", lang=lang)

    # -- create and write ------------------------------------------------------------------------
    @api.model
    def create(self, vals_list: Any) -> Any:
        single = isinstance(vals_list, dict)
        vals_list = [dict(vals) for vals in ([vals_list] if single else vals_list)]
        for vals in vals_list:
            if vals.get("user_id") and not vals.get("team_id"):
                vals["team_id"] = self._team_of(vals["user_id"])
        targets = super().create(vals_list)
        return targets[0] if single else targets

    def write(self, vals: dict[str, Any]) -> bool:
        if vals.get("user_id") and "team_id" not in vals:
            vals = {**vals, "team_id": self._team_of(vals["user_id"])}
        return super().write(vals)

    def _team_of(self, user_id: int) -> int | bool:
        return self.env["res.users"].sudo().browse(user_id).sale_team_id.id or False

    @api.constrains("user_id", "team_id")
    def _check_team(self) -> None:
        for target in self.sudo():
            team = target.team_id
            if team and target.user_id not in team.member_ids and \
                    target.user_id != team.user_id:
                raise ValidationError(_("%(user)s is not a member of the team %(team)s.",
                                        user=target.user_id.name, team=team.name),
                                      field="team_id")

    @api.model
    def _demo_generate(self, specs: list[list[Any]]) -> Any:
        """Demo data: ``[salesperson xml id, period, periods back (0: the current one),
        amount]``, periods counted from the day the demo is loaded."""
        created = self.browse(())
        for user, period, back, amount in specs:
            owner = self.env.ref(user)
            day = local_today(owner.tz)
            for _step in range(back):
                day = period_bounds(day, period)[0] - dt.timedelta(days=1)
            created |= self.create({"user_id": owner.id, "period": period,
                                    "date_start": day, "target_amount": amount})
        return created

    # -- queries other parts use ------------------------------------------------------------------
    @api.model
    def _current(self, day: dt.date, period: str, user_ids: Iterable[int] | None = None) -> Any:
        """The targets of the ``period`` kind holding ``day`` (of these salespeople), as
        the current user may read them."""
        domain: list = [("period", "=", period), ("date_from", "<=", day),
                        ("date_to", ">=", day)]
        if user_ids is not None:
            domain.append(("user_id", "in", list(user_ids)))
        return self.search(domain)

    @api.model
    def _achievements(self, day: dt.date, period: str, user_ids: Iterable[int]
                      ) -> list[dict[str, Any]]:
        """Won against target in the ``period`` holding ``day`` for each salesperson:
        ``[{user, target (record or empty), target_amount, won_amount, won_count,
        achievement}]`` sorted by name; salespeople without a target count their wins
        all the same. Two queries for the targets, one for the wins."""
        users = self.env["res.users"].sudo().browse(sorted(set(user_ids)))
        targets = {t.user_id.id: t for t in self._current(day, period, users.ids)}
        date_from, date_to = period_bounds(day, period)
        won = won_by_user_month(self.env, users.ids, date_from, date_to)
        totals: dict[int, list[float]] = defaultdict(lambda: [0.0, 0])
        for (user_id, _month), (amount, count) in won.items():
            totals[user_id][0] += amount
            totals[user_id][1] += count
        result = []
        for user in users:
            target = targets.get(user.id) or self.browse(())
            amount, count = totals.get(user.id, (0.0, 0))
            goal = target.target_amount if target else 0.0
            result.append({"user": user, "target": target, "target_amount": goal,
                           "won_amount": amount, "won_count": int(count),
                           "achievement": round(amount / goal * 100, 1) if goal else None})
        return sorted(result, key=lambda row: (row["user"].name or "").lower())
