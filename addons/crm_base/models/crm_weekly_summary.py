"""``crm.weekly.summary``: the week's sales, e-mailed to the people who manage them.

A summary covers one week (Monday to Sunday) of every team, or of one team. Its figures
are a snapshot taken when it is computed (:meth:`CrmWeeklySummary.action_refresh`, done
again before sending): the deals won and lost, the new opportunities, the pipeline and
its change (new opportunities less the deals closed), and per salesperson the activities
done and the progress against the month's and the quarter's targets
(``crm.weekly.summary.line``). The e-mail is the ``mail.template``
``crm_base.mail_template_weekly_summary`` (sandboxed jinja, editable by administrators),
rendered in each recipient's language, archived on the summary and queued in the
outgoing mail queue (``mail.mail``).

Every Monday a scheduled action (``crm_base.ir_cron_weekly_summary``) sends last week's
summary of every team to the sales managers, and each team's own to its leader; managers
may send one at any time (*Send now*). Figures are the system's (the whole company's or
the whole team's), whoever asks: only managers open summaries.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from typing import Any

from core import Model, _, api, fields
from core.exceptions import UserError
from core.mail import outgoing
from core.mail.compose import queue_emails
from core.mail.models.mail_activity import local_today

from .crm_dashboard import users_in_group
from .crm_target import period_label, utc_bounds, week_bounds

_logger = logging.getLogger(__name__)
TEMPLATE = "crm_base.mail_template_weekly_summary"
STATES = [("draft", "Draft"), ("sent", "Sent")]


class CrmWeeklySummary(Model):
    _name = "crm.weekly.summary"
    _description = "Weekly Sales Summary"
    _inherit = ["mail.thread"]
    _order = "date_from desc, id desc"

    week_date = fields.Date("Week of", required=True,
                            default=lambda self: local_today(self.env.user.tz),
                            help="Any day of the week summed up (Monday to Sunday).")
    date_from = fields.Date("From", compute="_compute_dates", store=True, index=True)
    date_to = fields.Date("To", compute="_compute_dates", store=True, index=True)
    team_id = fields.Many2one("crm.team", "Sales Team", ondelete="cascade",
                              help="Empty: every team.")
    state = fields.Selection(STATES, "Status", default="draft", readonly=True, index=True)
    date_computed = fields.Datetime("Figures of", readonly=True, copy=False)
    date_sent = fields.Datetime("Sent on", readonly=True, copy=False)
    recipient_ids = fields.Many2many("res.partner", "crm_weekly_summary_recipient_rel",
                                     "summary_id", "partner_id", "Sent to", readonly=True)
    currency_id = fields.Many2one("res.currency", "Currency",
                                  default=lambda self: self.env.company.currency_id.id)
    won_count = fields.Integer("Deals Won", readonly=True)
    won_amount = fields.Monetary("Won", readonly=True)
    lost_count = fields.Integer("Deals Lost", readonly=True)
    lost_amount = fields.Monetary("Lost", readonly=True)
    new_count = fields.Integer("New Opportunities", readonly=True)
    new_amount = fields.Monetary("New Pipeline", readonly=True)
    pipeline_amount = fields.Monetary("Open Pipeline", readonly=True)
    pipeline_weighted = fields.Monetary("Weighted Pipeline", readonly=True)
    pipeline_change = fields.Monetary("Pipeline Change", readonly=True,
                                      help="New opportunities less the deals won and lost "
                                           "in the week.")
    activity_count = fields.Integer("Activities Done", readonly=True)
    won_lead_ids = fields.Many2many("crm.lead", "crm_weekly_summary_won_rel", "summary_id",
                                    "lead_id", "Won", readonly=True)
    lost_lead_ids = fields.Many2many("crm.lead", "crm_weekly_summary_lost_rel", "summary_id",
                                     "lead_id", "Lost", readonly=True)
    new_lead_ids = fields.Many2many("crm.lead", "crm_weekly_summary_new_rel", "summary_id",
                                    "lead_id", "New", readonly=True)
    line_ids = fields.One2many("crm.weekly.summary.line", "summary_id", "Salespeople",
                               readonly=True)
    month_label = fields.Char("Month", compute="_compute_labels")
    quarter_label = fields.Char("Quarter", compute="_compute_labels")

    @api.depends("week_date")
    def _compute_dates(self) -> None:
        for summary in self:
            if summary.week_date:
                summary.date_from, summary.date_to = week_bounds(summary.week_date)
            else:
                summary.date_from = summary.date_to = False

    def _compute_labels(self) -> None:
        for summary in self:
            day = summary.date_to
            summary.month_label = period_label(day, "month", self.env.lang) if day else ""
            summary.quarter_label = period_label(day, "quarter", self.env.lang) if day else ""

    def _compute_display_name(self) -> None:
        for summary in self:
            text = _("Week of %(date)s", date=summary.date_from.isoformat()) \
                if summary.date_from else _("Weekly summary")
            summary.display_name = f"{text} · {summary.team_id.name}" if summary.team_id \
                else text

    # -- figures ------------------------------------------------------------------------------
    def _salespeople(self) -> Any:
        """Whose figures the summary lists: the team's members and leader, or everyone
        in sales."""
        self.ensure_one()
        team = self.sudo().team_id
        if team:
            return (team.member_ids | team.user_id).filtered(lambda u: u.active)
        return users_in_group(self.env, "crm_base.group_sale_salesman")

    def action_refresh(self) -> bool:
        """Take the figures of the week (again), as the system: a constant number of
        queries per summary, whatever the number of deals and salespeople."""
        for summary in self:
            summary._refresh()
        return True

    def _refresh(self) -> None:
        self.ensure_one()
        env = self.env(su=True)
        leads = env["crm.lead"].with_context(active_test=False)
        start, end = utc_bounds(self.env, self.date_from, self.date_to)
        scope: list = [("type", "=", "opportunity")]
        if self.team_id:
            scope.append(("team_id", "=", self.team_id.id))
        closed = scope + [("date_closed", ">=", start), ("date_closed", "<", end)]
        won = leads.search(closed + [("won_status", "=", "won")], order="date_closed, id")
        lost = leads.search(closed + [("won_status", "=", "lost")], order="date_closed, id")
        new = leads.search(scope + [("date_conversion", ">=", start),
                                    ("date_conversion", "<", end)], order="id")
        pipeline = env["crm.lead"]._read_group_raw(
            scope + [("won_status", "=", "pending")], [],
            ["expected_revenue:sum", "prorated_revenue:sum"])
        open_amount, weighted = (pipeline[0] if pipeline else (0, 0))
        users = self._salespeople()
        done = self._activities_done(users, start, end)

        def amount(records: Any) -> float:
            return sum(records.mapped("expected_revenue"))

        self.sudo().write({
            "won_count": len(won), "won_amount": amount(won),
            "lost_count": len(lost), "lost_amount": amount(lost),
            "new_count": len(new), "new_amount": amount(new),
            "pipeline_amount": open_amount or 0.0, "pipeline_weighted": weighted or 0.0,
            "pipeline_change": amount(new) - amount(won) - amount(lost),
            "activity_count": sum(done.values()),
            "won_lead_ids": [(6, 0, won.ids)], "lost_lead_ids": [(6, 0, lost.ids)],
            "new_lead_ids": [(6, 0, new.ids)],
            "date_computed": dt.datetime.now(dt.timezone.utc).replace(tzinfo=None,
                                                                      microsecond=0),
            "line_ids": [(5, 0, 0)] + [(0, 0, values) for values in
                                       self._lines(users, won, lost, new, done)]})

    def _activities_done(self, users: Any, start: dt.datetime, end: dt.datetime
                         ) -> dict[int, int]:
        """``{user id: activities done in the week}`` (one grouped query)."""
        if not users:
            return {}
        rows = self.env["mail.activity"].sudo().with_context(active_test=False)\
            ._read_group_raw([("active", "=", False), ("user_id", "in", users.ids),
                              ("date_done", ">=", start), ("date_done", "<", end)],
                             ["user_id"], ["__count"])
        return {user_id: count for user_id, count in rows if user_id}

    def _lines(self, users: Any, won: Any, lost: Any, new: Any, done: dict[int, int]
               ) -> list[dict[str, Any]]:
        """One line per salesperson who had something to show or a target."""
        targets = self.env["crm.target"].sudo()
        month = {row["user"].id: row for row in targets._achievements(
            self.date_to, "month", users.ids)}
        quarter = {row["user"].id: row for row in targets._achievements(
            self.date_to, "quarter", users.ids)}
        counts: dict[str, Counter] = {"won": Counter(), "lost": Counter(), "new": Counter()}
        won_amounts: dict[int, float] = defaultdict(float)
        for kind, records in (("won", won), ("lost", lost), ("new", new)):
            for lead in records:
                counts[kind][lead.user_id.id] += 1
                if kind == "won":
                    won_amounts[lead.user_id.id] += lead.expected_revenue or 0.0
        lines = []
        for user in users.sorted(lambda u: (u.name or "").lower()):
            m, q = month.get(user.id, {}), quarter.get(user.id, {})
            values = {
                "user_id": user.id, "won_count": counts["won"][user.id],
                "won_amount": won_amounts[user.id], "lost_count": counts["lost"][user.id],
                "new_count": counts["new"][user.id], "activity_count": done.get(user.id, 0),
                "month_target": m.get("target_amount") or 0.0,
                "month_won": m.get("won_amount") or 0.0,
                "month_achievement": m.get("achievement") or 0.0,
                "quarter_target": q.get("target_amount") or 0.0,
                "quarter_won": q.get("won_amount") or 0.0,
                "quarter_achievement": q.get("achievement") or 0.0}
            if any(values[k] for k in ("won_count", "lost_count", "new_count",
                                       "activity_count", "month_target", "quarter_target",
                                       "month_won")):
                lines.append(values)
        return lines

    # -- sending ---------------------------------------------------------------------------------
    def _default_recipients(self) -> Any:
        """The team's leader for a team's summary, the sales managers for every team's."""
        self.ensure_one()
        if self.team_id:
            users = self.sudo().team_id.user_id
        else:
            users = users_in_group(self.env, "crm_base.group_sale_manager")
        return users.filtered(lambda u: u.active).mapped("partner_id")

    def action_send(self) -> bool:
        """*Send now*: refresh the figures and e-mail them to the default recipients."""
        for summary in self:
            summary._refresh()
            partners = summary._default_recipients().filtered(lambda p: p.email)
            if not partners:
                raise UserError(_("Nobody to send the summary to: the sales managers (or "
                                  "the team's leader) need an e-mail address."))
            summary._send_to(partners)
        return True

    def _send_to(self, partners: Any) -> Any:
        """Archive the summary's e-mail on it and queue one mail per recipient in his
        language (through the outgoing queue); returns the message."""
        self.ensure_one()
        template = self.env.ref(TEMPLATE).sudo()
        summary = self.sudo().with_context(active_test=False)  # lost deals are archived

        def render(lang: str | None) -> dict[str, str]:
            # the period labels are in the recipient's language, not the cached one's
            summary.env.cache.invalidate([(self._name, "month_label"),
                                          (self._name, "quarter_label")], summary.ids)
            return template.render_for(summary, lang)

        content = render(None)
        message = summary.with_context(mail_defer_email=True).message_post(
            body=content["body_html"], subject=content["subject"], message_type="email",
            subtype_xmlid="mail.mt_note")
        by_lang: dict[str | None, list[Any]] = defaultdict(list)
        for partner in partners:
            by_lang[partner.lang or _user_lang(partner)].append(partner)
        for lang, group in by_lang.items():
            queue_emails(self.env, message, self.env["mail.notification"],
                         render,
                         [outgoing.format_address(p.name, p.email) for p in group], lang=lang)
        summary.write({"state": "sent", "recipient_ids": [(6, 0, partners.ids)],
                       "date_sent": dt.datetime.now(dt.timezone.utc).replace(
                           tzinfo=None, microsecond=0)})
        return message

    @api.model
    def _send_weekly(self, today: dt.date | None = None) -> Any:
        """Last week's summaries: every team's to the sales managers, each team's to its
        leader. Returns the summaries sent (those without recipient are kept as drafts)."""
        today = today or local_today(self.env.user.tz)
        last_week = today - dt.timedelta(days=7)
        teams = self.env["crm.team"].sudo().search([("user_id", "!=", False)])
        summaries = self.sudo().create(
            [{"week_date": last_week}] +
            [{"week_date": last_week, "team_id": team.id} for team in teams])
        sent = self.browse(())
        for summary in summaries:
            summary._refresh()
            partners = summary._default_recipients().filtered(lambda p: p.email)
            if partners:
                summary._send_to(partners)
                sent |= summary
            else:
                _logger.info("weekly summary %s: nobody to send it to", summary.id)
        return sent

    def _cron_send_weekly(self) -> int:
        """Scheduled every Monday: last week's summaries."""
        return len(self._send_weekly())

    @api.model
    def _schedule_weekly_cron(self, now: dt.datetime | None = None) -> None:
        """Installation: the weekly summary's first run is next Monday at 6:00 UTC (not
        at once); a schedule that ran already is left alone."""
        cron = self.env.ref("crm_base.ir_cron_weekly_summary", raise_if_not_found=False)
        if not cron or cron.last_call:
            return
        now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        monday = now.date() + dt.timedelta(days=7 - now.weekday())
        cron.sudo().write({"nextcall": dt.datetime.combine(monday, dt.time(6, 0))})


def _user_lang(partner: Any) -> str | None:
    user = partner.env["res.users"].sudo().search([("partner_id", "=", partner.id)], limit=1)
    return user.lang or None


class CrmWeeklySummaryLine(Model):
    _name = "crm.weekly.summary.line"
    _description = "Weekly Sales Summary Line"
    _order = "summary_id, id"

    summary_id = fields.Many2one("crm.weekly.summary", "Summary", required=True,
                                 ondelete="cascade", index=True)
    user_id = fields.Many2one("res.users", "Salesperson", required=True)
    currency_id = fields.Many2one("res.currency", related="summary_id.currency_id")
    won_count = fields.Integer("Won")
    won_amount = fields.Monetary("Won Amount")
    lost_count = fields.Integer("Lost")
    new_count = fields.Integer("New")
    activity_count = fields.Integer("Activities Done")
    month_target = fields.Monetary("Month Target")
    month_won = fields.Monetary("Won in the Month")
    month_achievement = fields.Float("Month (%)", digits=(6, 1))
    quarter_target = fields.Monetary("Quarter Target")
    quarter_won = fields.Monetary("Won in the Quarter")
    quarter_achievement = fields.Float("Quarter (%)", digits=(6, 1))

