"""``helpdesk.report``: the helpdesk's key figures, computed in one place.

Every figure covers the tickets of a ``domain`` (a team, a type, what the dashboard's search
bar selects...) over a period of local days, each counted on the date of its own event:

* **opened**: tickets created in the period;
* **average first response** (hours): tickets first answered in the period, from their
  creation to the first agent reply (``first_response_hours``);
* **average handling time** (hours): tickets resolved in the period, from their creation to
  their resolution (``handling_hours``);
* **first-contact resolution rate**: of the tickets resolved in the period, those solved with
  at most one agent reply (a public message of an internal user) and never reopened;
* **reopen rate**: of the tickets resolved in the period, those reopened at least once;
* **SLA success rate**: of the tickets resolved in the period under an SLA, those whose SLA
  was not breached;
* **escalations**: escalations logged in the period;
* the **unresolved backlog**: the tickets open now, by age.

Figures are read as the current user: his record rules decide which tickets count (an agent
sees his teams' figures, a manager everyone's). The computations take a constant number of
queries, whatever the number of tickets, agents or teams (tests count them).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Sequence

from core import AbstractModel, _, api
from core.exceptions import ValidationError
from core.mail.models.mail_activity import local_today

from addons.crm_base.models.crm_dashboard import users_in_group
from addons.crm_base.models.crm_target import period_bounds, period_label, utc_bounds, \
    week_bounds

PERIODS = ("week", "month", "quarter", "year")
OPEN_STATES = ("new", "assigned", "in_progress", "waiting")
RESOLVED_STATES = ("resolved", "closed")
# the unresolved backlog's age buckets: (label, lower bound in days, upper bound or None)
AGE_BUCKETS = (("age_0", 0, 1), ("age_1", 1, 3), ("age_3", 3, 7), ("age_7", 7, 14),
               ("age_14", 14, 30), ("age_30", 30, None))


def bucket_labels(lang: str | None = None) -> dict[str, str]:
    """The backlog's age buckets as the viewer reads them."""
    return {"age_0": _("< 1 day", lang=lang), "age_1": _("1-3 days", lang=lang),
            "age_3": _("3-7 days", lang=lang), "age_7": _("1-2 weeks", lang=lang),
            "age_14": _("2-4 weeks", lang=lang), "age_30": _("> 30 days", lang=lang)}


def bounds_of(day: dt.date, period: str, back: int = 0) -> tuple[dt.date, dt.date]:
    """First and last days of the ``period`` (week, month, quarter, year) holding ``day``,
    ``back`` periods earlier."""
    if period not in PERIODS:
        raise ValidationError(_("The period is a week, a month, a quarter or a year, not "
                                "“%(period)s”.", period=period))
    first, _last = week_bounds(day) if period == "week" else period_bounds(day, period)
    for _step in range(back):
        first, _last = week_bounds(first - dt.timedelta(days=1)) if period == "week" else \
            period_bounds(first - dt.timedelta(days=1), period)
    return week_bounds(first) if period == "week" else period_bounds(first, period)


def label_of(first: dt.date, period: str, lang: str | None = None) -> str:
    """``Week of 2026-03-09``, ``March 2026``, ``Q1 2026`` or ``2026``."""
    if period == "week":
        return _("Week of %(date)s", date=first.isoformat(), lang=lang)
    return period_label(first, period, lang)


def rate(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in percent (None when there is nothing to measure)."""
    return round(part * 100.0 / whole, 1) if whole else None


class HelpdeskReport(AbstractModel):
    _name = "helpdesk.report"
    _description = "Helpdesk Key Figures"

    # -- the key figures of a period ---------------------------------------------------------
    @api.model
    def _kpis(self, domain: Sequence | None, date_from: dt.date, date_to: dt.date
              ) -> dict[str, Any]:
        """The key figures (see the module) of the tickets of ``domain`` from ``date_from``
        to ``date_to`` (local days, both included), in a constant number of queries."""
        return self._kpis_by(domain, date_from, date_to)[None]

    @api.model
    def _kpis_by(self, domain: Sequence | None, date_from: dt.date, date_to: dt.date,
                 by: str | None = None) -> dict[Any, dict[str, Any]]:
        """:meth:`_kpis` per value of the ticket field ``by`` (``team_id``, ``priority``,
        ``user_id``...; None: one group, key None), for the groups with a figure: the same
        constant number of queries, whatever the number of groups."""
        if date_to < date_from:
            raise ValidationError(_("The period ends before it starts."))
        tickets = self.env["helpdesk.ticket"]
        if by is not None and by not in tickets._fields:
            raise ValidationError(_("Tickets have no field “%(field)s” to group the "
                                    "figures by.", field=by))
        groups = [by] if by else []
        base = list(domain or [])
        start, end = utc_bounds(self.env, date_from, date_to)

        def within(name: str) -> list:
            return base + [(name, ">=", start), (name, "<", end)]

        def split(row: tuple) -> tuple[Any, tuple]:
            return (row[0], row[1:]) if by else (None, row)

        result: dict[Any, dict[str, Any]] = defaultdict(lambda: {
            "date_from": date_from, "date_to": date_to, "opened": 0, "answered": 0,
            "first_response": 0.0, "resolved": 0, "handling": 0.0, "reopened": 0,
            "sla_count": 0, "sla_met": 0, "first_contact_resolved": 0, "escalations": 0})
        if by is None:
            result[None]  # noqa: B018 -- the one group, even empty
        for row in tickets._read_group_raw(within("create_date"), groups, ["__count"]):
            key, (count,) = split(row)
            result[key]["opened"] = count
        for row in tickets._read_group_raw(within("date_first_response"), groups,
                                           ["__count", "first_response_hours:sum"]):
            key, (count, hours) = split(row)
            result[key]["answered"], result[key]["first_response"] = count, hours or 0.0
        resolved_domain = within("date_resolved")
        sla = "sla_status" in tickets._fields
        for row in tickets._read_group_raw(
                resolved_domain, groups + ["reopen_count"] + (["sla_status"] if sla else []),
                ["__count", "handling_hours:sum"]):
            key, values = split(row)
            figures, count = result[key], values[-2]
            figures["resolved"] += count
            figures["handling"] += values[-1] or 0.0
            if values[0]:
                figures["reopened"] += count
            if sla and values[1]:
                figures["sla_count"] += count
                if values[1] != "breached":
                    figures["sla_met"] += count
        if any(figures["resolved"] for figures in result.values()):
            for key, count in self._first_contact_resolved(resolved_domain, by).items():
                result[key]["first_contact_resolved"] = count
        for key, count in self._escalation_counts(base, start, end, by).items():
            result[key]["escalations"] = count
        return {key: self._finish(figures) for key, figures in result.items()}

    @staticmethod
    def _finish(figures: dict[str, Any]) -> dict[str, Any]:
        """Averages and rates of summed figures (None when there is nothing to measure)."""
        answered, resolved = figures["answered"], figures["resolved"]
        figures["avg_first_response_hours"] = round(
            figures.pop("first_response") / answered, 2) if answered else None
        figures["avg_handling_hours"] = round(figures.pop("handling") / resolved, 2) \
            if resolved else None
        figures["fcr_rate"] = rate(figures["first_contact_resolved"], resolved)
        figures["reopen_rate"] = rate(figures["reopened"], resolved)
        figures["sla_success_rate"] = rate(figures["sla_met"], figures["sla_count"])
        return figures

    @api.model
    def _group_of(self, domain: Sequence, by: str | None) -> dict[int, Any]:
        """``{ticket id: its ``by`` value}`` of the tickets of ``domain`` (one query)."""
        if by is None:
            return {ticket_id: None for ticket_id in self.env["helpdesk.ticket"].search(
                list(domain)).ids}
        rows = self.env["helpdesk.ticket"]._read_group_raw(list(domain), ["id", by],
                                                           ["__count"])
        return {ticket_id: key for ticket_id, key, _count in rows}

    @api.model
    def _first_contact_resolved(self, resolved_domain: Sequence, by: str | None = None
                                ) -> dict[Any, int]:
        """``{group: tickets of resolved_domain never reopened and with at most one agent
        reply}`` (a few queries, whatever the number of tickets: the tickets, the internal
        users' partners, their replies grouped)."""
        never_reopened = self._group_of(list(resolved_domain) + [("reopen_count", "=", 0)], by)
        replies = self._agent_replies(list(never_reopened))
        counts: dict[Any, int] = defaultdict(int)
        for ticket_id, key in never_reopened.items():
            if replies.get(ticket_id, 0) <= 1:
                counts[key] += 1
        return dict(counts)

    @api.model
    def _agent_replies(self, ticket_ids: Sequence[int]) -> dict[int, int]:
        """``{ticket id: public replies written by internal users}`` (one grouped query;
        internal notes, system messages and the customer's messages do not count)."""
        if not ticket_ids:
            return {}
        partner_ids = users_in_group(self.env(su=True).with_context(active_test=False),
                                     "base.group_user").mapped("partner_id").ids
        rows = self.env["mail.message"].sudo()._read_group_raw(
            [("res_model", "=", "helpdesk.ticket"), ("res_id", "in", list(ticket_ids)),
             ("message_type", "in", ("comment", "email")), ("is_internal", "=", False),
             ("author_id", "in", partner_ids)],
            ["res_id"], ["__count"])
        return {res_id: count for res_id, count in rows}

    @api.model
    def _escalation_domain(self, domain: Sequence | None, start: dt.datetime,
                           end: dt.datetime) -> list:
        """The escalation log entries (escalations and overdue alerts) from ``start`` to
        ``end`` (UTC) on the tickets of ``domain`` the user may read (one query: those
        tickets), to search as the system."""
        visible = self.env["helpdesk.ticket"].search(list(domain or []))
        return [("ticket_id", "in", visible.ids), ("date", ">=", start), ("date", "<", end)]

    @api.model
    def _escalation_counts(self, domain: Sequence | None, start: dt.datetime,
                           end: dt.datetime, by: str | None = None) -> dict[Any, int]:
        """``{group: escalations logged from start to end}`` on the tickets of ``domain``
        (2 queries; nothing without the SLA area's log)."""
        if "helpdesk.escalation.log" not in self.env:
            return {}
        groups = self._group_of(list(domain or []), by)
        rows = self.env["helpdesk.escalation.log"].sudo()._read_group_raw(
            [("ticket_id", "in", list(groups)), ("date", ">=", start), ("date", "<", end)],
            ["ticket_id"], ["__count"])
        counts: dict[Any, int] = defaultdict(int)
        for ticket_id, count in rows:
            counts[groups.get(ticket_id)] += count
        return dict(counts)

    @api.model
    def _kpis_for_period(self, domain: Sequence | None, day: dt.date, period: str,
                         back: int = 0) -> dict[str, Any]:
        """:meth:`_kpis` of the ``period`` holding ``day`` (``back`` periods earlier), with
        its ``label``."""
        first, last = bounds_of(day, period, back)
        figures = self._kpis(domain, first, last)
        figures["label"] = label_of(first, period, self.env.lang)
        return figures

    # -- the unresolved backlog ---------------------------------------------------------------
    @api.model
    def _backlog_by_age(self, domain: Sequence | None = None, by: str = "team_id",
                        today: dt.date | None = None) -> dict[Any, dict[str, int]]:
        """The open tickets of ``domain`` by ``by`` (a field to group by: team_id, priority,
        user_id...) and by age bucket (:data:`AGE_BUCKETS`, days since their creation):
        ``{group key: {bucket: count, "total": count}}`` (one grouped query)."""
        tickets = self.env["helpdesk.ticket"]
        if by not in tickets._fields:
            raise ValidationError(_("Tickets have no field “%(field)s” to group the "
                                    "backlog by.", field=by))
        today = today or local_today(self.env.user.tz)
        rows = tickets._read_group_raw(
            list(domain or []) + [("state", "in", OPEN_STATES)], [by, "create_date:day"],
            ["__count"])
        result: dict[Any, dict[str, int]] = defaultdict(
            lambda: dict.fromkeys([key for key, _lo, _hi in AGE_BUCKETS] + ["total"], 0))
        for key, day, count in rows:
            age = max((today - (day.date() if isinstance(day, dt.datetime) else day)).days,
                      0) if day else 0
            bucket = next(name for name, low, high in AGE_BUCKETS
                          if age >= low and (high is None or age < high))
            result[key][bucket] += count
            result[key]["total"] += count
        return dict(result)
